import Foundation
import PTuneLang

/// The `Backend` of the REPL and the command line, over a PTuneLang `Session`: one persistent session that
/// parses, checks and runs input piece by piece, plus what the REPL asks about it (`LangBackend+Introspection`).
public final class LangBackend: Backend {
    /// The language session.
    public let session: Session
    let console: Console
    /// The literal of the last `seed N` statement run, if any.
    var scriptSeed: UInt64?

    /// A backend over a fresh session with these options, printing to `console`. `quiet` drops the session's notes
    /// (the default-seed note, the frozen-model check). `cancellation` is the flag Ctrl-C sets.
    public init(options: SessionOptions, console: Console, quiet: Bool, cancellation: CancellationFlag = CancellationFlag()) {
        self.console = console
        let out = OutputSink(write: { console.out($0 + "\n") }, note: { quiet ? () : console.err($0 + "\n") })
        session = Session(options: options, output: out, cancellation: cancellation)
    }

    /// Session options from command-line settings, or the rendered error for a bad `--set`.
    public static func options(from settings: RunSettings) -> Result<SessionOptions, RunFailureText> {
        var overrides: [Override] = []
        for o in settings.overrides {
            do { overrides.append(try Override(parsing: o.name + "=" + o.value)) } catch {
                return .failure(RunFailureText("ptune: " + error.rendered(color: settings.color)))
            }
        }
        return .success(SessionOptions(seedOverride: settings.seed, overrides: overrides,
                                       fileAccess: FileAccess(extra: settings.allowPaths), limits: settings.limits))
    }

    // MARK: - Backend

    /// Incomplete when the parser stopped at the end of the input inside a statement.
    public func status(of source: String) -> InputStatus {
        Parser.parse(SourceFile(name: "<repl>", text: source)).isIncomplete ? .incomplete : .complete
    }

    /// Checks the script at `path` in a fresh session.
    public func checkFile(_ path: String) -> String? {
        do {
            let file = try session.load(path)
            do { try session.check(file, reportUnusedOverrides: true) } catch { return render(error, in: file) }
            return nil
        } catch {
            return render(error)
        }
    }

    /// Runs `source`; bare expressions' values are echoed with `autoPrint` (none is not).
    public func run(_ source: String, name: String, directory: String?, autoPrint: Bool) -> RunResult {
        let file = SourceFile(name: name, text: source, directory: directory)
        return execute(file, strict: false, autoPrint: autoPrint)
    }

    /// Runs the script at `path` (its folder joins the ones it may use).
    public func runFile(_ path: String, strictOverrides: Bool) -> RunResult {
        do {
            return execute(try session.load(path), strict: strictOverrides, autoPrint: false)
        } catch {
            return .failure(.runtime, message: render(error))
        }
    }

    /// Forgets everything.
    public func reset() {
        session.reset()
        scriptSeed = nil
    }

    /// Receives every training step; nil lets the language print its own log lines.
    public var onTrainingStep: ((TrainingStep) -> Void)? {
        didSet {
            guard let hook = onTrainingStep else { session.onTrainProgress = nil; return }
            session.onTrainProgress = { p in
                hook(TrainingStep(name: p.name, step: p.step, total: p.totalSteps, epoch: p.epoch, loss: p.loss,
                                  eval: p.evalMetric.map { (name: "eval", value: $0) }, elapsed: p.elapsed,
                                  isLogStep: p.isLogStep, isFinished: p.isFinished))
            }
        }
    }

    /// `--seed` if given, else the script's last `seed` literal, else the session's default seed.
    public var seed: (value: UInt64, source: String) {
        if let s = session.options.seedOverride { return (s, "--seed") }
        if let s = scriptSeed { return (s, "script") }
        return (session.options.defaultSeed, "default")
    }

    // MARK: - Running

    /// Parses, checks and runs `file`; records its declarations when it succeeds.
    func execute(_ file: SourceFile, strict: Bool, autoPrint: Bool) -> RunResult {
        session.cancellation.reset()
        let values: [Value]
        do {
            values = try session.run(file, reportUnusedOverrides: strict)
        } catch {
            // Statements before a runtime error did run: a `seed` among them counts.
            if case .runtime = error { noteSeed(in: file) }
            return .failure(kind(of: error), message: render(error, in: file))
        }
        noteSeed(in: file)
        if autoPrint {
            for v in values {
                if case .none = v { continue }
                console.out(v.debugText + "\n")
            }
        }
        return .success
    }

    /// Which failure a run failure is: Ctrl-C and the time limit stop a run; the rest are errors.
    func kind(of failure: RunFailure) -> FailureKind {
        switch failure {
        case .incomplete, .syntax, .check: return .syntax
        case .runtime(let d):
            if case .interrupted = d.message { return .interrupted }
            return .runtime
        }
    }

    /// Every diagnostic of `failure`, rendered with source line and caret; a stop by Ctrl-C is one line.
    func render(_ failure: RunFailure) -> String {
        if case .incomplete = failure { return "error: unexpected end of input: a '{', '(' or '[' is not closed" }
        if case .runtime(let d) = failure, case .interrupted = d.message { return "\(d.message)" }
        return failure.diagnostics.map { $0.rendered(color: console.color) }.joined(separator: "\n")
    }

    /// `failure` of running or checking `file`: a script, `-e` or standard input that ends inside a statement is a
    /// syntax error there (located: "expected ')' to close '(' at 1:7"), not the REPL's cue for more input.
    func render(_ failure: RunFailure, in file: SourceFile) -> String {
        guard case .incomplete = failure else { return render(failure) }
        let diagnostics = Parser.parse(file).diagnostics
        guard !diagnostics.isEmpty else { return render(failure) }
        return diagnostics.map { $0.rendered(color: console.color) }.joined(separator: "\n")
    }

    /// Remembers the literal of the last top-level `seed N` in `file` (for run records).
    func noteSeed(in file: SourceFile) {
        for statement in Parser.parse(file).statements {
            if case let .seed(e, _) = statement, case let .number(v, _) = e, v >= 0, v < 1.8e19, v == v.rounded() {
                scriptSeed = UInt64(v)
            }
        }
    }
}
