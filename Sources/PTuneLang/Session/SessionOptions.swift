import Foundation
import PTuneModels
import PTuneNN
import Synchronization

/// Resource limits of a session. Exceeding one is a located error, never a crash.
public struct Limits: Sendable {
    /// The largest element count of one tensor.
    public var maxTensorElements: Int
    /// The most bytes one tensor may take.
    public var maxTensorBytes: Int
    /// The most bytes all tensors of the session may hold together.
    public var maxMemoryBytes: Int
    /// How deeply user functions may call each other.
    public var maxCallDepth: Int
    /// Wall-clock seconds a run (a script, or one REPL entry) may take, checked at loop and training-step
    /// boundaries; nil for no limit.
    public var timeout: Double?
    /// How many loop iterations and training steps a run may take; nil for no limit (the fuzz harness's budget).
    public var maxSteps: Int?

    /// Limits with sane defaults: 2³⁰ elements and 4 GiB per tensor, 8 GiB in all, 400 nested calls, no timeout,
    /// no step limit.
    public init(maxTensorElements: Int = 1 << 30, maxTensorBytes: Int = 4 << 30, maxMemoryBytes: Int = 8 << 30,
                maxCallDepth: Int = 400, timeout: Double? = nil, maxSteps: Int? = nil) {
        self.maxTensorElements = maxTensorElements
        self.maxTensorBytes = maxTensorBytes
        self.maxMemoryBytes = maxMemoryBytes
        self.maxCallDepth = maxCallDepth
        self.timeout = timeout
        self.maxSteps = maxSteps
    }
}

/// A flag another thread (a SIGINT handler) sets to stop a running script at the next step boundary: each loop
/// iteration and each training step checks it.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A flag that is not set.
    public init() {}

    /// Asks the running statement to stop.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Clears the flag (before running the next statement).
    public func reset() { flag.store(false, ordering: .relaxed) }

    /// Whether a stop was asked for.
    @inline(__always) public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// One training step as the progress hook sees it.
public struct TrainProgress: Sendable {
    /// What is trained (`pe`, or `pe, head`).
    public var name: String
    /// Steps done so far (1-based after the first step).
    public var step: Int
    /// Steps the block will take in all.
    public var totalSteps: Int
    /// The current epoch (1-based).
    public var epoch: Int
    /// The loss of this step.
    public var loss: Double
    /// The latest eval metric, if the block evaluates.
    public var evalMetric: Double?
    /// Seconds since the block started.
    public var elapsed: Double
    /// Whether the block's `log:` cadence falls on this step (a plain log line is due).
    public var isLogStep: Bool
    /// Whether this is the final report of the block.
    public var isFinished: Bool
    /// The learning rate this step used (the schedule applied).
    public var learningRate: Double?
    /// Whether the step ran before: a resumed block reports the steps its checkpoint holds first, to complete the
    /// record's metrics; they are not shown again.
    public var isRestored: Bool
    /// How many numbers the block trains (the elements of its targets' trainable parameters); nil for restored steps.
    public var trainableParameters: Int?
    /// The mean time of the block's steps so far, in seconds: loss, backward and update, evaluations and checkpoints
    /// excluded, over the steps this run took (not those restored from a checkpoint); nil for restored steps.
    public var secondsPerStep: Double?
    /// With `task:`, each task's latest eval (the tasks of the eval data, in the record's order); empty otherwise.
    public var taskEvals: [(task: String, value: Double)]

    /// The log line of this step, the same wherever it is shown: `step 10/320  epoch 1  loss 2.0794  eval 0.4375`
    /// (no time, so equal runs print equal lines).
    public var logLine: String {
        var s = "step \(step)/\(totalSteps)  epoch \(epoch)  loss \(TrainProgress.fixed(loss))"
        if let e = evalMetric { s += "  eval \(TrainProgress.fixed(e))" }
        if !taskEvals.isEmpty { s += " (" + taskEvals.map { "\($0.task) \(TrainProgress.fixed($0.value))" }.joined(separator: ", ") + ")" }
        return s
    }

    /// Four decimals, as log lines print losses.
    static func fixed(_ v: Double) -> String { String(format: "%.4f", v) }

    /// A step report.
    public init(name: String, step: Int, totalSteps: Int, epoch: Int, loss: Double, evalMetric: Double?,
                elapsed: Double, isLogStep: Bool, isFinished: Bool, learningRate: Double? = nil, isRestored: Bool = false,
                trainableParameters: Int? = nil, secondsPerStep: Double? = nil, taskEvals: [(task: String, value: Double)] = []) {
        self.taskEvals = taskEvals
        self.name = name
        self.step = step
        self.totalSteps = totalSteps
        self.epoch = epoch
        self.loss = loss
        self.evalMetric = evalMetric
        self.elapsed = elapsed
        self.isLogStep = isLogStep
        self.isFinished = isFinished
        self.learningRate = learningRate
        self.isRestored = isRestored
        self.trainableParameters = trainableParameters
        self.secondsPerStep = secondsPerStep
    }
}

/// Where a session's printed output goes.
public struct OutputSink {
    /// What the script prints (`print`, values): standard output.
    public var write: (String) -> Void
    /// Notes about the run (the default seed, a resumed checkpoint): standard error in the CLI.
    public var note: (String) -> Void
    /// Training log lines and each `train` block's summary line (standard output; nothing with `--quiet`).
    public var log: (String) -> Void
    /// Where `plot(…)` without a file sends its chart, with the width and height in characters it asked for, when
    /// the front end shows pictures (a notebook draws it as SVG). Nil: the chart is drawn in text on `write`.
    public var chart: ((PlotSpec, _ width: Int, _ height: Int) -> Void)?

    /// A sink calling `write` for output, `note` for notes, `log` for training logs (`write` when not given) and
    /// `chart` (if any) for charts.
    public init(write: @escaping (String) -> Void, note: @escaping (String) -> Void, log: ((String) -> Void)? = nil,
                chart: ((PlotSpec, _ width: Int, _ height: Int) -> Void)? = nil) {
        self.write = write
        self.note = note
        self.log = log ?? write
        self.chart = chart
    }

    /// Output to standard output, notes to standard error.
    public static var standard: OutputSink {
        OutputSink(write: { print($0) }, note: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
    }

    /// Discards everything (benchmarks).
    public static var discard: OutputSink { OutputSink(write: { _ in }, note: { _ in }) }
}

/// Settings of a session fixed when it is created: overrides from the command line, file access, limits.
public struct SessionOptions {
    /// `--seed N`: replaces the value of every `seed` statement (and the default seed).
    public var seedOverride: UInt64?
    /// `--set NAME=VALUE`: replaces the value of a top-level `dim` or of a `let` of a literal.
    public var overrides: [Override]
    /// Where scripts may read and write files.
    public var fileAccess: FileAccess
    /// Resource limits.
    public var limits: Limits
    /// The seed used when a script has no `seed` statement.
    public var defaultSeed: UInt64
    /// How `load(…)` keeps a model file's weight matrices when the script does not say (`--dequantize`: float32).
    public var modelStorage: WeightStorage
    /// How `generate(…)` stores its KV cache when the call does not say (`--kv-cache`).
    public var kvCache: KVCacheElement

    /// Options with no overrides, default limits, file access confined to the working directory, models kept in
    /// their files' block formats, and float32 KV caches.
    public init(seedOverride: UInt64? = nil, overrides: [Override] = [], fileAccess: FileAccess = FileAccess(),
                limits: Limits = Limits(), defaultSeed: UInt64 = 0, modelStorage: WeightStorage = .stored,
                kvCache: KVCacheElement = .float32) {
        self.kvCache = kvCache
        self.seedOverride = seedOverride
        self.overrides = overrides
        self.fileAccess = fileAccess
        self.limits = limits
        self.defaultSeed = defaultSeed
        self.modelStorage = modelStorage
    }
}
