import Dispatch
import Synchronization

/// The time limit of one run (`--timeout`), kept by a timer: when the time is up a flag is set, and the running
/// code — loops, function calls, training steps, statement boundaries and long tensor kernels between chunks —
/// reads it as cheaply as the Ctrl-C flag instead of reading the clock. Each run gets its own watchdog; a timer
/// that fires after its run ended finds nothing to stop.
final class Watchdog: Sendable {
    private let expired = Atomic<Bool>(false)
    /// The limit, in seconds (nil: none).
    let seconds: Double?

    /// A watchdog that expires `seconds` from now (never when nil).
    init(seconds: Double?) {
        self.seconds = seconds
        guard let seconds else { return }
        let nanos = seconds * 1e9 < 9e18 ? Int(seconds * 1e9) : Int.max / 2
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanos)) { [weak self] in
            self?.expired.store(true, ordering: .relaxed)
        }
    }

    /// Whether the time is up.
    @inline(__always) var isExpired: Bool { expired.load(ordering: .relaxed) }
}
