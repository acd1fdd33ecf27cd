/// Scoped settings for tensor operations (task-local: no global mutable state).
public enum TensorContext {
    /// The memory budget new tensors are charged to; nil means only the machine's limit.
    @TaskLocal public static var budget: MemoryBudget?
    /// Whether operations on tensors that require gradients record them for backpropagation.
    @TaskLocal public static var isRecording: Bool = true
    /// Asked between chunks of long work (kernels over many elements, generation, long loops in the layers above):
    /// throws when the running script must stop (Ctrl-C, `--timeout`). Nil: nothing stops the work.
    @TaskLocal public static var stopCheck: StopCheck?
    /// How products with quantized weights treat their activations when the call does not say
    /// (``ActivationPrecision``; float32 unless a scope asks for 8-bit, as fast generation may).
    @TaskLocal public static var quantizedActivations: ActivationPrecision = .float32
    /// The profile the layers add their stages' times to (``StageProfile``); nil: nothing is timed.
    @TaskLocal public static var stageProfile: StageProfile?

    /// Runs `body` with `budget` charged for every tensor allocated inside it.
    public static func withBudget<R>(_ budget: MemoryBudget?, _ body: () throws -> R) rethrows -> R {
        try $budget.withValue(budget, operation: body)
    }

    /// Runs `body` with `budget` charged for every tensor allocated inside it and `stop` asked by long work.
    public static func with<R>(budget: MemoryBudget?, stop: StopCheck?, _ body: () throws -> R) rethrows -> R {
        try $budget.withValue(budget) { try $stopCheck.withValue(stop, operation: body) }
    }

    /// Throws when the running script must stop (see ``stopCheck``); call it between chunks of long work.
    @inline(__always) public static func checkStop() throws {
        if let s = stopCheck { try s.check() }
    }
}

/// The question long work asks between chunks — must the running script stop? — as the layer running the script
/// answers it (a flag Ctrl-C sets, a deadline). ``check()`` throws the error that says why.
public final class StopCheck: @unchecked Sendable {
    private let stopping: () -> Bool
    private let body: () throws -> Void

    /// A check that asks `isStopping` whether the work must stop and runs `check`, which throws the reason.
    public init(isStopping: @escaping () -> Bool, check: @escaping () throws -> Void) {
        stopping = isStopping
        body = check
    }

    /// Whether the work must stop (for code that cannot throw: it returns early and its caller calls ``check()``).
    @inline(__always) public var isStopping: Bool { stopping() }

    /// Throws when the work must stop.
    @inline(__always) public func check() throws { try body() }
}
