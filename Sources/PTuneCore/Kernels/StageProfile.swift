import Synchronization

/// Where a forward pass spends its time, stage by stage, while a profile is installed
/// (``TensorContext/stageProfile``): the layers time their own stages (products with frozen weights by format and
/// shape, attention, norms, cache writes), so a benchmark can show what one decoding step is made of. Without a
/// profile nothing is timed; nested stages count in both.
public final class StageProfile: Sendable {
    /// One stage's total.
    public struct Total: Sendable, Equatable {
        /// The stage's name.
        public var stage: String
        /// Seconds spent in it.
        public var seconds: Double
        /// How many times it ran.
        public var calls: Int
    }

    private let totals = Mutex<[String: Total]>([:])

    /// An empty profile.
    public init() {}

    /// Adds `seconds` to `stage`.
    public func add(_ stage: String, seconds: Double) {
        totals.withLock { t in
            t[stage, default: Total(stage: stage, seconds: 0, calls: 0)].seconds += seconds
            t[stage, default: Total(stage: stage, seconds: 0, calls: 0)].calls += 1
        }
    }

    /// Every stage's total, the longest first.
    public var stages: [Total] { totals.withLock { Array($0.values) }.sorted { $0.seconds > $1.seconds } }

    /// Forgets every total.
    public func reset() { totals.withLock { $0 = [:] } }

    /// Runs `body`, adding its time to `stage` in the installed profile (just runs it when there is none).
    @inline(__always)
    public static func measure<R>(_ stage: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        guard let profile = TensorContext.stageProfile else { return try body() }
        let t0 = MonotonicClock.seconds()
        defer { profile.add(stage(), seconds: MonotonicClock.seconds() - t0) }
        return try body()
    }
}
