import Foundation
import PTuneCore

/// Monotonic time and a repeat-until-stable timer for benchmarks.
enum Clock {
    /// Seconds on the monotonic clock.
    static func now() -> Double {
        MonotonicClock.seconds()
    }

    /// The median seconds per call of `body`, after one warm-up, over at least `minReps` calls and `minTime` seconds.
    static func median(minTime: Double = 0.3, minReps: Int = 3, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        let start = now()
        while times.count < minReps || now() - start < minTime {
            let t0 = now()
            try body()
            times.append(now() - t0)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Calls per second of `body`, timing `batch` calls at a time (for sub-microsecond operations).
    static func rate(minTime: Double = 0.3, batch: Int, _ body: () throws -> Void) rethrows -> Double {
        let t = try median(minTime: minTime) { for _ in 0..<batch { try body() } }
        return Double(batch) / t
    }
}

/// Peak resident set size of this process in bytes (from /proc/self/status VmHWM).
func peakRSSBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}
