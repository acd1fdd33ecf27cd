/// Whether typed input is ready to run.
public enum InputStatus: Equatable, Sendable {
    /// A whole statement (or several), or input with a syntax error to report now.
    case complete
    /// An unfinished statement (an open `{`, `(` or `[`, a trailing operator): show `..> ` and read on.
    case incomplete
}

/// Why running some source did not succeed.
public enum FailureKind: Equatable, Sendable {
    /// A syntax or check error: nothing ran. (Exit status 65.)
    case syntax
    /// A runtime error or a failed `assert`: statements before it ran. (Exit status 1.)
    case runtime
    /// Ctrl-C (or the time limit) stopped it at a step boundary; what ran so far is kept. (Exit status 130.)
    case interrupted
}

/// The result of running source.
public enum RunResult: Equatable, Sendable {
    /// Everything ran.
    case success
    /// It stopped; `message` is the rendered diagnostics (`file:line:col: error: …`, source line, caret).
    case failure(FailureKind, message: String)
}

/// One row of `:vars`.
public struct VariableInfo: Equatable, Sendable {
    /// The name.
    public var name: String
    /// What it is: `param`, `frozen`, `tensor`, `model`, `encoder`, `dataset`, `fn`, `number`, `dim`, …
    public var kind: String
    /// Its shape and dtype or type, in words (`[virtual, embed] = [2, 4] float64`, `mlp 64 -> 256 -> 64`).
    public var detail: String
    /// How many trainable-or-frozen numbers it holds (nil for values without parameters).
    public var parameterCount: Int?
    /// Whether training may change it (`param`, encoders), is fixed (`frozen`, frozen models), or neither (nil).
    public var trainable: Bool?

    /// A row.
    public init(name: String, kind: String, detail: String, parameterCount: Int? = nil, trainable: Bool? = nil) {
        self.name = name
        self.kind = kind
        self.detail = detail
        self.parameterCount = parameterCount
        self.trainable = trainable
    }
}

/// One training step, as the language reports it to the command line (progress bars, log lines, run records).
public struct TrainingStep: Equatable, Sendable {
    /// What is trained (`pe`).
    public var name: String
    /// Steps done (1-based).
    public var step: Int
    /// Steps the block takes in all.
    public var total: Int
    /// The current epoch (1-based).
    public var epoch: Int
    /// The loss of this step.
    public var loss: Double
    /// The latest eval metric's name and value, when the block evaluates.
    public var eval: (name: String, value: Double)?
    /// Seconds since the block started.
    public var elapsed: Double
    /// Whether the block's `log:` cadence falls on this step.
    public var isLogStep: Bool
    /// Whether this is the block's last report (it finished, or stopped).
    public var isFinished: Bool

    /// A step report.
    public init(name: String, step: Int, total: Int, epoch: Int, loss: Double, eval: (name: String, value: Double)?,
                elapsed: Double, isLogStep: Bool, isFinished: Bool) {
        self.name = name
        self.step = step
        self.total = total
        self.epoch = epoch
        self.loss = loss
        self.eval = eval
        self.elapsed = elapsed
        self.isLogStep = isLogStep
        self.isFinished = isFinished
    }

    /// Equal when every field is (the eval pair compared by parts).
    public static func == (a: TrainingStep, b: TrainingStep) -> Bool {
        a.name == b.name && a.step == b.step && a.total == b.total && a.epoch == b.epoch && a.loss == b.loss
            && a.eval?.name == b.eval?.name && a.eval?.value == b.eval?.value && a.elapsed == b.elapsed
            && a.isLogStep == b.isLogStep && a.isFinished == b.isFinished
    }
}

/// What the REPL and the command line need from the language: a persistent session that checks and runs source a
/// piece at a time, and answers questions about what it holds. `LangBackend` implements it over PTuneLang.
public protocol Backend: CompletionSource {
    /// Whether `source` (the lines typed so far) forms complete input.
    func status(of source: String) -> InputStatus
    /// Reads, parses and checks the script at `path` without running it; the rendered diagnostics, or nil when
    /// clean. (`--set` names the script does not declare are errors.)
    func checkFile(_ path: String) -> String?
    /// Runs `source` in the session. With `autoPrint`, a statement that is a bare expression prints its value.
    func run(_ source: String, name: String, directory: String?, autoPrint: Bool) -> RunResult
    /// Reads and runs the script at `path` in the session (relative paths in it resolve against its folder).
    /// `strictOverrides`: `--set` names the script does not declare are errors (a script run, not a `:load`).
    func runFile(_ path: String, strictOverrides: Bool) -> RunResult
    /// The static type of `expression` in the session (`tensor [virtual, embed] float64`), or the rendered error.
    func typeDescription(of expression: String) -> Result<String, RunFailureText>
    /// The names the session holds, sorted.
    func variables() -> [VariableInfo]
    /// The help text for `topic` (a builtin, keyword or topic name), the overview for nil, or nil when unknown.
    func help(topic: String?) -> String?
    /// Forgets everything the session holds.
    func reset()
    /// Called at every training step (nil: the language prints its own log lines).
    var onTrainingStep: ((TrainingStep) -> Void)? { get set }
    /// The seed the session's random draws follow, and where it came from (`--seed`, `script`, `default`).
    var seed: (value: UInt64, source: String) { get }
}

/// A rendered error message, as an `Error`.
public struct RunFailureText: Error, Equatable, Sendable {
    /// The rendered diagnostics.
    public var text: String
    /// An error with this text.
    public init(_ text: String) { self.text = text }
}
