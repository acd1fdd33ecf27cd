#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on a thread with a large stack, so deep but legitimate recursion (a recursion hundreds of calls deep
/// whose calls sit inside nested expressions, a long import chain) fits, whatever thread asks: the main thread has
/// 8 MiB, a secondary thread often 512 KiB. The stack is reserved address space; only the pages the work touches
/// are used. ``StackGuard`` still bounds the work by what this stack really holds.
public enum LargeStack {
    /// The stack size of the thread: 1 GiB.
    public static let defaultBytes = 1 << 30

    /// Runs `body` on a new thread with a stack of `bytes` and waits for it; when no such thread can be started,
    /// runs it on the calling thread.
    public static func run<R, E: Error>(bytes: Int = defaultBytes, _ body: () throws(E) -> R) throws(E) -> R {
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

    /// The work, shared with the thread.
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }

        /// Runs the work on a new thread and joins it; false when the thread could not be started.
        func runOnThread(stackBytes: Int) -> Bool {
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
            pthread_join(thread, nil)
            #else
            if let thread { pthread_join(thread, nil) }
            #endif
            return true
        }
    }
}
