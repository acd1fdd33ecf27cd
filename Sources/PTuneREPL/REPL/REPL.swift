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

    let reader: LineReader
    let console: Console
    let options: Options
    /// Runs what is entered: code and `:` commands.
    public let entries: EntryRunner
    /// Lines of an unfinished statement.
    private var pending: [String] = []
    /// Set when the input ended inside an unfinished statement (a failure when input comes from a pipe).
    var droppedUnfinished = false

    /// The successful inputs, for `:save`.
    public var transcript: Transcript { entries.transcript }

    /// A REPL over the language `session`, reading with `reader`. `reporter` (if any) is told when a statement
    /// ends, so a progress bar left on screen gets its newline; `interrupts` is reset before each statement.
    public init(session: Session, reader: LineReader, console: Console, options: Options = Options(),
                reporter: TrainingReporter? = nil, interrupts: InterruptMonitor? = nil) {
        self.reader = reader
        self.console = console
        self.options = options
        entries = EntryRunner(session: session, presenter: TerminalPresenter(console: console, reporter: reporter),
                              directory: options.directory, interrupts: interrupts)
    }

    /// Runs until `:quit` or the end of input. Errors in entries were shown as they happened and leave the session
    /// usable, so leaving an interactive REPL is a success; with ``Options/failureSetsStatus`` (input from a pipe)
    /// the status is that of the first entry that failed (65 for input that ends inside a statement).
    @discardableResult
    public func run() -> ExitStatus {
        let status = loop()
        guard options.failureSetsStatus else { return status }
        return entries.firstFailure ?? (droppedUnfinished ? .syntaxError : status)
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
                    droppedUnfinished = true
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
        if pending.isEmpty && trimmed.hasPrefix(":") { return entries.command(trimmed) == .quit ? .quit : .proceed }
        pending.append(line)
        let source = pending.joined(separator: "\n")
        if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            pending.removeAll()
            return .proceed
        }
        // An unfinished statement (an open bracket, a trailing operator): read on at the continuation prompt.
        if EntryRunner.isUnfinished(source) { return .proceed }
        pending.removeAll()
        entries.run(code: source)
        return .proceed
    }
}
