import Foundation
import PTuneLang
import PTuneRun

/// Runs interactive entries in one persistent language session — a piece of code, or a `:` command — the way the
/// REPL and the notebook kernel both do: code is checked whole and then run, bare expressions' values are shown,
/// errors leave the session usable, and each successful entry joins the transcript that `:save` writes.
public final class EntryRunner {
    /// How an entry ended.
    public enum Outcome: Equatable, Sendable {
        /// It ran to the end (or the command was carried out).
        case done
        /// Syntax or check errors, a runtime error, or a command that could not be carried out.
        case failed
        /// Ctrl-C (or an interrupt request) stopped it at a step boundary; what ran is kept.
        case interrupted
        /// `:quit`.
        case quit
    }

    /// The language session entries run in.
    public let session: Session
    /// Where relative paths of `:load`, `:save` and scripts resolve.
    public let directory: String
    let presenter: EntryPresenter
    let interrupts: InterruptMonitor?
    /// The successful entries, for `:save`.
    public internal(set) var transcript = Transcript()
    /// How many pieces of code ran (names them in diagnostics: `<repl:3>`).
    public private(set) var inputCount = 0
    /// The status of the first entry that failed, if any (a REPL reading a pipe exits with it, as a script would).
    public private(set) var firstFailure: ExitStatus?

    /// A runner over `session` showing results through `presenter`; `interrupts` (if any) is reset before each
    /// entry, so an old Ctrl-C does not stop a new one.
    public init(session: Session, presenter: EntryPresenter, directory: String = FileManager.default.currentDirectoryPath,
                interrupts: InterruptMonitor? = nil) {
        self.session = session
        self.presenter = presenter
        self.directory = directory
        self.interrupts = interrupts
    }

    /// Runs `code` as one entry, named `name` in diagnostics (`<repl:N>` by default). Its first line is line
    /// `firstLine` of whatever holds it (a notebook cell), so diagnostics give the line numbers the user sees.
    @discardableResult
    public func run(code: String, name: String? = nil, firstLine: Int = 1) -> Outcome {
        inputCount += 1
        let padding = String(repeating: "\n", count: max(0, firstLine - 1))
        let file = SourceFile(name: name ?? "<repl:\(inputCount)>", text: padding + code, directory: directory)
        return perform(recording: code, in: file) { () throws(RunFailure) in
            for value in try session.run(file) {
                if case .none = value { continue }
                presenter.present(.value(value))
            }
        }
    }

    /// Runs `body` against the session: earlier interrupts are forgotten first, the presenter told when it ends,
    /// the failure shown (located in `file`), and `source` added to the transcript when it ran (marked when an
    /// interrupt stopped it).
    func perform(recording source: String, in file: SourceFile, _ body: () throws(RunFailure) -> Void) -> Outcome {
        interrupts?.reset()
        session.cancellation.reset()
        presenter.entryWillRun()
        let failure: RunFailure?
        do { try body(); failure = nil } catch { failure = error }
        presenter.entryDidEnd()
        guard let failure else {
            transcript.append(source)
            return .done
        }
        if firstFailure == nil { firstFailure = ExitStatus(failure) }
        presenter.present(.failure(failure, in: file))
        guard failure.isInterruption else { return .failed }
        transcript.appendInterrupted(source)
        return .interrupted
    }

    /// Whether `text` is unfinished code (an open bracket, a trailing operator) that more lines would complete.
    public static func isUnfinished(_ text: String) -> Bool {
        Parser.parse(SourceFile(name: "<entry>", text: text)).isIncomplete
    }
}
