import Testing
@testable import PTuneLSP

/// Framing: messages split across reads, several in one read, malformed headers skipped to the next message.
@Suite struct MessageReaderTests {
    /// A reader over `chunks`, handed out one per read.
    func reader(_ chunks: [String]) -> MessageReader {
        var rest = chunks.map { Array($0.utf8) }
        return MessageReader { pointer, capacity in
            guard !rest.isEmpty else { return 0 }
            let chunk = rest.removeFirst()
            let n = Swift.min(capacity, chunk.count)
            chunk.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: n) }
            if n < chunk.count { rest.insert(Array(chunk[n...]), at: 0) }
            return n
        }
    }

    func body(_ s: String) -> MessageReader.Frame { .body(Array(s.utf8)) }

    @Test func messagesSplitAnywhereAndJoined() {
        let r = reader(["Content-Len", "gth: 2\r\n\r", "\n{}Content-Length: 4\r\nContent-Type: x\r\n\r\n", "[1]", " "])
        #expect(r.next() == body("{}"))
        #expect(r.next() == body("[1] "))
        #expect(r.next() == .end)
    }

    @Test func malformedHeadersAreReportedAndSkipped() {
        let r = reader(["Content-Type: x\r\n\r\n{\"a\":1}", "Content-Length: 2\r\n\r\n{}",
                        "Content-Length: two\r\n\r\n{}Content-Length: 3\r\n\r\n[2]"])
        guard case .malformed = r.next() else { Issue.record("a header without Content-Length"); return }
        #expect(r.next() == body("{}"))
        guard case .malformed = r.next() else { Issue.record("a Content-Length that is not a number"); return }
        #expect(r.next() == body("[2]"))
        #expect(r.next() == .end)
    }

    @Test func theEndInsideAMessage() {
        let r = reader(["Content-Length: 10\r\n\r\n{}"])
        guard case .malformed = r.next() else { Issue.record("a message cut short"); return }
        #expect(r.next() == .end)
    }
}
