import Foundation
import Synchronization

/// The requests waiting for the machine's main thread, filled by the thread that reads standard input. Interrupts
/// do not queue: they stop the running cell at once, and one that arrives while a cell is queued or starting stops
/// that cell too.
final class MachineInbox: Sendable {
    private struct State {
        var queue: [MachineRequest] = []
        var closed = false
        /// A request is being handled.
        var running = false
        /// An interrupt arrived for the request being handled (or the next queued one).
        var interrupted = false
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Adds a request.
    func push(_ request: MachineRequest) {
        state.withLock { $0.queue.append(request) }
        available.signal()
    }

    /// Notes an interrupt; returns whether there is a cell for it to stop (running or queued).
    func interrupt() -> Bool {
        state.withLock { s in
            guard s.running || s.queue.contains(where: { if case .execute = $0 { return true } else { return false } }) else { return false }
            s.interrupted = true
            return true
        }
    }

    /// Whether an interrupt arrived for the request being handled.
    var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// No more requests will come: the main thread ends once the queue is empty (at once, when `discarding` the
    /// queued requests).
    func close(discarding: Bool = false) {
        state.withLock { s in
            s.closed = true
            if discarding { s.queue.removeAll() }
        }
        available.signal()
    }

    /// The next request, marked running, waiting for one; nil once closed and empty.
    func next() -> MachineRequest? {
        while true {
            let taken: MachineRequest?? = state.withLock { s in
                if !s.queue.isEmpty {
                    s.running = true
                    return .some(s.queue.removeFirst())
                }
                return s.closed ? .some(nil) : .none
            }
            if let taken { return taken }
            available.wait()
        }
    }

    /// The request taken last is answered: a later interrupt concerns the next one.
    func finished() {
        state.withLock { s in
            s.running = false
            s.interrupted = false
        }
    }
}
