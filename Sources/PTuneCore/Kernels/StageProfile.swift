import Synchronization

/// Where a forward pass, or a whole training step, spends its time, stage by stage, while a profile is installed
/// (``TensorContext/stageProfile``): the layers time their own stages (products with frozen weights by format and
/// shape, attention, norms, cache writes), so a benchmark can show what one decoding or training step is made of.
///
/// Operations recorded for autodiff inside a stage remember it, and the backward pass charges their gradients'
/// time to the same stage in the ``Pass/backward`` pass (operations recorded outside every stage are charged under
/// their own name, e.g. `concat`), besides its own bookkeeping (``backwardOrderStage``, ``gradientSumStage``).
/// Without a profile nothing is timed and nothing is remembered; nested stages count in both.
public final class StageProfile: Sendable {
    /// The pass a stage's time was spent in.
    public enum Pass: Sendable, Hashable, CaseIterable {
        /// Computing values (and recording operations for autodiff).
        case forward
        /// Backpropagating gradients.
        case backward
    }

    /// One stage's total.
    public struct Total: Sendable, Equatable {
        /// The stage's name.
        public var stage: String
        /// Seconds spent in it.
        public var seconds: Double
        /// How many times it ran.
        public var calls: Int
        /// The pass it ran in.
        public var pass: Pass = .forward
    }

    /// The backward pass's sorting of the recorded graph into reverse topological order.
    public static let backwardOrderStage = "graph order"
    /// The backward pass's sums of gradients reaching one tensor along several paths.
    public static let gradientSumStage = "gradient sums"

    private struct Key: Hashable {
        var stage: String
        var pass: Pass
    }

    private let totals = Mutex<[Key: Total]>([:])

    /// The innermost stage running in this task while a profile is installed (nil outside every stage): operations
    /// recorded for autodiff keep it, so their backward is charged to the same stage.
    @TaskLocal public static var current: String?

    /// An empty profile.
    public init() {}

    /// Adds `seconds` to `stage` of `pass`.
    public func add(_ stage: String, pass: Pass = .forward, seconds: Double) {
        totals.withLock { t in
            let key = Key(stage: stage, pass: pass)
            t[key, default: Total(stage: stage, seconds: 0, calls: 0, pass: pass)].seconds += seconds
            t[key, default: Total(stage: stage, seconds: 0, calls: 0, pass: pass)].calls += 1
        }
    }

    /// Every stage's total, the longest first.
    public var stages: [Total] { totals.withLock { Array($0.values) }.sorted { $0.seconds > $1.seconds } }

    /// The stages of `pass`, the longest first.
    public func stages(in pass: Pass) -> [Total] { stages.filter { $0.pass == pass } }

    /// Forgets every total.
    public func reset() { totals.withLock { $0 = [:] } }

    /// Runs `body`, adding its time to `stage` in the installed profile (just runs it when there is none); operations
    /// recorded inside it remember the stage for the backward pass.
    @inline(__always)
    public static func measure<R>(_ stage: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        guard let profile = TensorContext.stageProfile else { return try body() }
        let name = stage(), t0 = MonotonicClock.seconds()
        defer { profile.add(name, seconds: MonotonicClock.seconds() - t0) }
        return try $current.withValue(name, operation: body)
    }

    /// The stage an operation recorded now belongs to: ``current`` while a profile is installed, else nil (one
    /// task-local read when profiling is off).
    @inline(__always)
    static func recordingStage() -> String? {
        guard TensorContext.stageProfile != nil else { return nil }
        return current
    }
}

extension StageProfile {
    /// The names the layers time their stages under, so a benchmark can group them (products with frozen weights
    /// are named by ``FrozenMatrix/productStage``).
    public enum StageName {
        /// An RMS normalisation.
        public static let rmsNorm = "RMS norm"
        /// The SiLU gate of a gated MLP.
        public static let siluGate = "SiLU gate"
        /// Rotary position embeddings of queries and keys.
        public static let rotary = "rotary embedding"
        /// Attention over packed rows (scores, softmax, weighted values), projections excluded.
        public static let attention = "attention"
        /// A block's residual sums.
        public static let residual = "residual sum"
        /// Token embeddings and the packing of the rows a forward runs on.
        public static let tokenEmbedding = "token embedding"
        /// Logits over a few label words.
        public static let labelLogits = "label-word logits"
    }
}
