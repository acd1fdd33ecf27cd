import Foundation
import PTuneCore

/// The running state of a session: global slots, a stack of local slots, the random generator, the default dtype,
/// the output sink and the limits. The compiled code of every statement takes the machine as its argument; there
/// is no global mutable state.
///
/// The slots live in fixed buffers reached through `let` pointers, so the hot path pays no array bounds-growth or
/// exclusivity checks: a session holds at most ``maxGlobals`` names and ``stackCapacity`` local slots.
final class Machine {
    /// The most global slots a session can hold.
    static let maxGlobals = 1 << 16
    /// One value per global slot.
    let globals: UnsafeMutablePointer<Value>
    /// Whether each global slot holds a value yet.
    let initialized: UnsafeMutablePointer<Bool>
    /// Local slots: the frames of running functions (and of the running top-level statement) stacked.
    let stack: UnsafeMutablePointer<Value>
    let stackCapacity: Int
    /// The frame registers.
    private let regs: UnsafeMutablePointer<Registers>

    struct Registers {
        var base = 0
        var top = 0
        var callDepth = 0
        var returnValue: Value = .none
    }

    /// The first slot of the running frame.
    @inline(__always) var base: Int {
        get { regs.pointee.base }
        set { regs.pointee.base = newValue }
    }
    /// The first free slot.
    @inline(__always) var top: Int {
        get { regs.pointee.top }
        set { regs.pointee.top = newValue }
    }
    /// How many user-function calls are active.
    @inline(__always) var callDepth: Int {
        get { regs.pointee.callDepth }
        set { regs.pointee.callDepth = newValue }
    }
    /// The value of the last `return`.
    @inline(__always) var returnValue: Value {
        get { regs.pointee.returnValue }
        set { regs.pointee.returnValue = newValue }
    }

    /// The one random generator of the session.
    var rng: Generator
    /// Whether a `seed` statement (or `--seed`) has set the generator.
    var seeded = false
    /// The last `seed` statement that ran (in the script or a file it imports): its value and where it is.
    var lastSeed: (value: UInt64, at: SourceSpan)?
    /// Whether the note about the default seed was printed.
    var announcedDefaultSeed = false
    /// The dtype of new float tensors (`dtype float64`).
    var defaultDType: DType = .float32

    var output: OutputSink
    let options: SessionOptions
    /// Where scripts may read and write (the options' folders plus the running script's folder).
    var fileAccess: FileAccess
    /// The folder relative paths resolve against (the running script's; nil: the working directory).
    var directory: String?
    let registry: BuiltinRegistry
    let cancellation: CancellationFlag
    let budget: MemoryBudget
    /// The time limit of the current run.
    private(set) var watchdog = Watchdog(seconds: nil)
    private var tick = 0
    /// The stack of the thread running the statements (set when a run starts): user calls stop where it runs out.
    var stackGuard = StackGuard(floor: 0, available: 0)
    /// Called at every training step (the CLI draws progress); nil: log lines go to the output.
    var onTrainProgress: ((TrainProgress) -> Void)?
    /// Called by `log_metric(name, value)` (a run record keeps them); nil: the results are not kept.
    var onMetric: ((String, Double) -> Void)?
    /// Whether the first `train` block is read for an export instead of run (the script stops there).
    var capturesTraining = false
    /// What reading it gave.
    var capturedTraining: TrainCapture?

    init(options: SessionOptions, output: OutputSink, cancellation: CancellationFlag, registry: BuiltinRegistry) {
        self.options = options
        self.registry = registry
        self.fileAccess = options.fileAccess
        self.output = output
        self.cancellation = cancellation
        self.rng = Generator(seed: options.seedOverride ?? options.defaultSeed)
        self.seeded = options.seedOverride != nil
        self.budget = MemoryBudget(maxElements: options.limits.maxTensorElements, maxBytes: options.limits.maxMemoryBytes,
                                   maxTensorBytes: options.limits.maxTensorBytes)
        stackCapacity = 1 << 15
        stack = UnsafeMutablePointer<Value>.allocate(capacity: stackCapacity)
        stack.initialize(repeating: .none, count: stackCapacity)
        globals = UnsafeMutablePointer<Value>.allocate(capacity: Machine.maxGlobals)
        globals.initialize(repeating: .none, count: Machine.maxGlobals)
        initialized = UnsafeMutablePointer<Bool>.allocate(capacity: Machine.maxGlobals)
        initialized.initialize(repeating: false, count: Machine.maxGlobals)
        regs = UnsafeMutablePointer<Registers>.allocate(capacity: 1)
        regs.initialize(to: Registers())
    }

    deinit {
        stack.deinitialize(count: stackCapacity)
        stack.deallocate()
        globals.deinitialize(count: Machine.maxGlobals)
        globals.deallocate()
        initialized.deinitialize(count: Machine.maxGlobals)
        initialized.deallocate()
        regs.deinitialize(count: 1)
        regs.deallocate()
    }

    /// Runs `body` with the generator for a random draw; the first draw of a script without `seed` says which
    /// seed it uses.
    func withRandom<R>(_ body: (inout Generator) throws -> R) rethrows -> R {
        if !seeded && !announcedDefaultSeed {
            announcedDefaultSeed = true
            output.note("note: no 'seed' statement: using the default seed \(options.defaultSeed)")
        }
        return try body(&rng)
    }

    /// Reseeds the generator (`seed N` at `span`; `--seed` wins).
    func reseed(_ seed: UInt64, at span: SourceSpan) {
        rng = Generator(seed: options.seedOverride ?? seed)
        seeded = true
        lastSeed = (seed, span)
    }

    /// Starts the clock and the step count of a run (a script, or one REPL entry) against the limits.
    func startRun() {
        tick = 0
        stackGuard = StackGuard.current()
        watchdog = Watchdog(seconds: options.limits.timeout)
    }

    /// Throws when the run was cancelled or ran out of time or steps. Called at loop and training-step boundaries.
    @inline(__always) func checkInterrupt() throws {
        try checkStop()
        if let s = options.limits.maxSteps {
            tick &+= 1
            if tick > s { throw RuntimeFailure(.limitReached("the step limit of \(s) was reached")) }
        }
    }

    /// Throws when the run was cancelled (Ctrl-C) or its time is up; two flag reads, no clock.
    @inline(__always) func checkStop() throws {
        if cancellation.isCancelled { throw RuntimeFailure(.interrupted("stopped by the user")) }
        if watchdog.isExpired { throw RuntimeFailure(.limitReached("the time limit of \(Value.number(watchdog.seconds ?? 0)) s was reached")) }
    }

    /// Whether the run must stop (see ``checkStop()``).
    @inline(__always) var mustStop: Bool { cancellation.isCancelled || watchdog.isExpired }

    /// The stop check long work below the language asks between chunks (``TensorContext/stopCheck``).
    var stopCheck: StopCheck {
        StopCheck(isStopping: { [unowned self] in mustStop }, check: { [unowned self] in try checkStop() })
    }

    /// The canonical path a script names, or throws when it is outside the allowed folders.
    func resolve(_ path: String, forWriting: Bool) throws -> String {
        do { return try fileAccess.resolve(path, relativeTo: directory, forWriting: forWriting) } catch { throw RuntimeFailure(error) }
    }

    /// Every file the running script opens or writes goes through here: the session's file access, relative paths
    /// starting at the script's folder, symlinks resolved, the last component opened without following a link.
    var files: CheckedFiles { CheckedFiles(access: fileAccess.relative(to: directory)) }

    /// Monotonic seconds.
    static func now() -> Double {
        MonotonicClock.seconds()
    }
}
