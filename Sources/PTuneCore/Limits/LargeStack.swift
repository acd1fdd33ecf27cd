#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Runs work on a thread with a large stack, so deep but legitimate recursion (a recursion hundreds of calls deep
/// whose calls sit inside nested expressions, a long import chain) fits, whatever thread asks: the main thread has
/// 8 MiB, a secondary thread often 512 KiB. The stack is reserved address space; only the pages the work touches
/// are used. ``StackGuard`` still bounds the work by what this stack really holds.
public enum LargeStack {
    /// The stack size of the thread: 1 GiB.
    public static let defaultBytes = 1 << 30

    /// Runs `body` on a new thread with a stack of `bytes` and waits for it; when no such thread can be started,
    /// runs it on the calling thread.
    /// Work that already runs on such a stack (half of `bytes` or more left, as inside a ``Worker``) runs in place.
    public static func run<R, E: Error>(bytes: Int = defaultBytes, _ body: () throws(E) -> R) throws(E) -> R {
        if StackGuard.current().available >= bytes / 2 { return try body() }
        var outcome: Result<R, E>?
        let ran = withoutActuallyEscaping(body) { escaping -> Bool in
            let work = Work {
                do throws(E) { outcome = .success(try escaping()) } catch { outcome = .failure(error) }
            }
            return work.runOnThread(stackBytes: bytes)
        }
        guard ran, let outcome else { return try body() }
        return try outcome.get()
    }

    /// One long-lived thread with a large stack that runs the work handed to it, one piece at a time, for callers
    /// that run many short pieces (a fuzzer's inputs): starting a thread with a 1 GiB stack per piece costs more
    /// than most pieces do. The pieces run in the order the callers hand them over; each caller waits for its own.
    public final class Worker: @unchecked Sendable {
        /// The piece waiting to run (guarded by `serial`: one caller at a time).
        private var job: (() -> Void)?
        private let serial = DispatchSemaphore(value: 1)
        private let ready = DispatchSemaphore(value: 0)
        private let done = DispatchSemaphore(value: 0)

        /// Starts the thread with a stack of `bytes`; nil when it cannot be started. The thread (and so the worker)
        /// lives as long as the process.
        public init?(bytes: Int = defaultBytes) {
            let loop = Work { [self] in
                while true {
                    self.ready.wait()
                    self.job?()
                    self.job = nil
                    self.done.signal()
                }
            }
            guard loop.startThread(stackBytes: bytes, join: false) else { return nil }
        }

        /// Runs `body` on the worker's thread and returns its result.
        public func run<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
            serial.wait()
            defer { serial.signal() }
            var outcome: Result<R, E>?
            withoutActuallyEscaping(body) { escaping in
                job = { do throws(E) { outcome = .success(try escaping()) } catch { outcome = .failure(error) } }
                ready.signal()
                done.wait()
            }
            guard let outcome else { return try body() }
            return try outcome.get()
        }
    }

    /// The work, shared with the thread.
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }

        /// Runs the work on a new thread and joins it; false when the thread could not be started.
        func runOnThread(stackBytes: Int) -> Bool { startThread(stackBytes: stackBytes, join: true) }

        /// Runs the work on a new thread, waiting for it to end when `join` (else it is detached); false when the
        /// thread could not be started.
        func startThread(stackBytes: Int, join: Bool) -> Bool {
            _ = Allocator.tuned  // before the thread's first allocation picks its arena
            var attr = pthread_attr_t()
            guard pthread_attr_init(&attr) == 0 else { return false }
            defer { pthread_attr_destroy(&attr) }
            guard pthread_attr_setstacksize(&attr, stackBytes) == 0 else { return false }
            let context = Unmanaged.passRetained(self).toOpaque()
            #if canImport(Glibc)
            var thread = pthread_t()
            #else
            var thread: pthread_t?
            #endif
            let started = pthread_create(&thread, &attr, { raw in
                guard let raw else { return nil }
                Unmanaged<Work>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, context)
            guard started == 0 else {
                Unmanaged<Work>.fromOpaque(context).release()
                return false
            }
            #if canImport(Glibc)
            if join { pthread_join(thread, nil) } else { pthread_detach(thread) }
            #else
            if let thread { if join { pthread_join(thread, nil) } else { pthread_detach(thread) } }
            #endif
            return true
        }
    }
}
