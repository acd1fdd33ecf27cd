#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import PTuneCore

/// Work on a large stack: a thread per call, or one long-lived worker for many short pieces.
@Suite struct LargeStackTests {
    /// An error the tests throw through the stack.
    struct Refused: Error, Equatable { let why: String }

    @Test("a call runs on a stack of the size asked for, and returns its result or error")
    func runGivesTheStack() throws {
        let room = LargeStack.run(bytes: 64 << 20) { StackGuard.current().available }
        #expect(room > 32 << 20, "\(room) bytes of stack")
        #expect(throws: Refused(why: "no")) { try LargeStack.run(bytes: 64 << 20) { () throws(Refused) -> Int in throw Refused(why: "no") } }
    }

    @Test("a worker runs every piece on its own large stack, in order, and a nested run stays on that thread")
    func workerReusesOneThread() throws {
        let worker = try #require(LargeStack.Worker(bytes: 64 << 20))
        let first = worker.run { pthread_self() }
        var seen: [Int] = []
        for i in 0..<50 {
            let (thread, room, nested) = worker.run { () -> (pthread_t, Int, pthread_t) in
                seen.append(i)
                return (pthread_self(), StackGuard.current().available, LargeStack.run(bytes: 64 << 20) { pthread_self() })
            }
            #expect(pthread_equal(thread, first) != 0 && pthread_equal(nested, first) != 0)
            #expect(room > 32 << 20, "\(room) bytes of stack")
        }
        #expect(seen == Array(0..<50))
        #expect(throws: Refused(why: "late")) { try worker.run { () throws(Refused) in throw Refused(why: "late") } }
        #expect(worker.run { 6 * 7 } == 42, "a worker goes on after a piece threw")
    }
}
