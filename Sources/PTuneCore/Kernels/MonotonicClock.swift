import Foundation

/// Seconds on the monotonic clock (`CLOCK_MONOTONIC`), from an arbitrary origin: for timeouts, timings and the
/// worker pool's spin limit.
public enum MonotonicClock {
    /// The current reading.
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
