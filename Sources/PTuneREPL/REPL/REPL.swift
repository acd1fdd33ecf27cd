import Foundation
import PTuneLang
import PTuneRun

/// The read-eval-print loop: reads lines (`pt> `, `..> ` while a statement is unfinished), runs each complete input
/// in one persistent language session, prints bare expressions' values, and handles `:` meta-commands. Errors are
/// printed with their caret and the session carries on with its state intact.
public final class REPL {
    /// Settings fixed for a REPL's life.
    public struct Options: Sendable {
        /// Print the greeting line.
        public var banner: Bool
        /// The version shown in the greeting.
        public var version: String
        /// Where relative paths of `:load`, `:save` and scripts resolve.
        public var directory: String
        /// Whether an entry that failed makes the exit status a failure (input from a pipe or a file, as a script
        /// would); interactively, errors were seen and leaving is a success.
        public var failureSetsStatus: Bool

        /// Options for an interactive session in the working directory.
        public init(banner: Bool = true, version: String = "", directory: String = FileManager.default.currentDirectoryPath,
                    failureSetsStatus: Bool = false) {
            self.banner = banner
            self.version = version
            self.directory = directory
            self.failureSetsStatus = failureSetsStatus
        }
    }

    /// The prompt for a new statement.
    public static let prompt = "pt> "
    /// The prompt while a statement is unfinished.
    public static let continuationPrompt = "..> "

    let session: Session
    let reader: LineReader
    let console: Console
    let options: Options
    let reporter: TrainingReporter?
    let interrupts: InterruptMonitor?
    /// The successful inputs, for `:save`.
    public internal(set) var transcript = Transcript()
    /// Lines of an unfinished statement.
    private var pending: [String] = []
    /// How many inputs were run (names them in diagnostics: `<repl:3>`).
    var inputCount = 0
    /// The status of the first entry that failed, if any.
    var firstFailure: ExitStatus?

    /// A REPL over the language `session`, reading with `reader`. `reporter` (if any) is told when a statement
    /// ends, so a progress bar left on screen gets its newline; `interrupts` is reset before each statement.
    public init(session: Session, reader: LineReader, console: Console, options: Options = Options(),
                reporter: TrainingReporter? = nil, interrupts: InterruptMonitor? = nil) {
        self.session = session
        self.reader = reader
        self.console = console
        self.options = options
        self.reporter = reporter
        self.interrupts = interrupts
    }

    /// Runs until `:quit` or the end of input. Errors in entries were shown as they happened and leave the session
    /// usable, so leaving an interactive REPL is a success; with ``Options/failureSetsStatus`` (input from a pipe)
    /// the status is that of the first entry that failed (65 for input that ends inside a statement).
    @discardableResult
    public func run() -> ExitStatus {
        let status = loop()
        guard options.failureSetsStatus else { return status }
        return firstFailure ?? status
    }

    private func loop() -> ExitStatus {
        if options.banner {
            let version = options.version.isEmpty ? "" : " " + options.version
            console.out("ptune\(version) — type :help for help, :quit or Ctrl-D to leave\n")
        }
        while true {
            switch reader.readLine(prompt: pending.isEmpty ? REPL.prompt : REPL.continuationPrompt) {
            case .endOfInput:
                if !pending.isEmpty {
                    console.err("note: the unfinished statement was dropped\n")
                    if firstFailure == nil { firstFailure = .syntaxError }
                }
                return .success
            case .interrupted:
                pending.removeAll()
            case .line(let line):
                if accept(line) == .quit { return .success }
            }
        }
    }

    /// What the loop does after a line.
    enum Next { case proceed, quit }

    /// Handles one line: a meta-command, or a piece of a statement that runs once complete.
    @discardableResult
    func accept(_ line: String) -> Next {
        reader.remember(line)
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if pending.isEmpty && trimmed.hasPrefix(":") { return meta(trimmed) }
        pending.append(line)
        let source = pending.joined(separator: "\n")
        if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            pending.removeAll()
            return .proceed
        }
        // An unfinished statement (an open bracket, a trailing operator): read on at the continuation prompt.
        if Parser.parse(SourceFile(name: "<repl>", text: source)).isIncomplete { return .proceed }
        pending.removeAll()
        execute(source)
        return .proceed
    }

    /// Runs a complete input, prints the values of its bare expressions, and records it when it succeeded.
    func execute(_ source: String) {
        inputCount += 1
        let file = SourceFile(name: "<repl:\(inputCount)>", text: source, directory: options.directory)
        perform(recording: source, in: file) { () throws(RunFailure) in
            for value in try session.run(file) {
                if case .none = value { continue }
                console.out(value.debugText + "\n")
            }
        }
    }

    /// Runs `body` against the session: Ctrl-C is reset first, a progress bar ended after, the error printed
    /// (located in `file`), and `source` added to the transcript when it ran (marked when Ctrl-C stopped it).
    func perform(recording source: String, in file: SourceFile, _ body: () throws(RunFailure) -> Void) {
        interrupts?.reset()
        session.cancellation.reset()
        let failure: RunFailure?
        do { try body(); failure = nil } catch { failure = error }
        reporter?.finishLine()
        guard let failure else { return transcript.append(source) }
        if firstFailure == nil { firstFailure = ExitStatus(failure) }
        console.err(failure.rendered(color: console.color, in: file) + "\n")
        if failure.isInterruption { transcript.appendInterrupted(source) }
    }
}
