import Foundation
import PTuneLang
import PTuneREPL
import PTuneRun

/// `ptune machine`: one language session driven by JSON lines — requests on standard input, events on standard
/// output (``MachineRequest``, ``MachineEvent``) — for programs that front ptune, such as the Jupyter kernel. Cells
/// run as REPL entries do (``EntryRunner``); completion and inspection are the REPL's (``Completer``,
/// ``Inspector``). A reader thread takes the requests, so an interrupt stops a running cell at its next step
/// boundary; the end of input ends the process once the queued requests are answered.
public final class MachineServer {
    let settings: RunSettings
    let directory: String

    /// A server whose session has the options `settings` describe, resolving relative paths in `directory`.
    public init(settings: RunSettings, directory: String = FileManager.default.currentDirectoryPath) {
        self.settings = settings
        self.directory = directory
    }

    /// Serves requests until `shutdown` or the end of standard input.
    public func run() -> ExitStatus {
        // A reader that went away must not kill the process mid-write: writes fail instead, and the session ends.
        signal(SIGPIPE, SIG_IGN)
        let cancellation = CancellationFlag()
        let inbox = MachineInbox()
        let output = MachineOutput(onClosed: { cancellation.cancel(); inbox.close(discarding: true) })
        let presenter = MachinePresenter(output: output, inbox: inbox, cancellation: cancellation)
        let quiet = settings.quiet
        let sink = OutputSink(write: { presenter.stream(.stdout, $0 + "\n") },
                              note: { if !quiet { presenter.stream(.stderr, $0 + "\n") } },
                              log: { if !quiet { presenter.stream(.stdout, $0 + "\n") } },
                              chart: { spec, width, height in
                                  presenter.emit { .display(id: $0, data: .chart(spec, width: width, height: height), result: false) }
                              })
        let session = Session(options: settings.sessionOptions, output: sink, cancellation: cancellation)
        session.onTrainProgress = { presenter.progress($0) }
        let interrupts = InterruptMonitor(onInterrupt: { cancellation.cancel() })
        let runner = EntryRunner(session: session, presenter: presenter, directory: directory, interrupts: interrupts)
        MachineServer.startReading(into: inbox, cancellation: cancellation, output: output)
        output.emit(.ready(version: PTuneVersion.current))
        while let request = inbox.next() {
            handle(request, runner: runner, presenter: presenter)
            inbox.finished()
        }
        return .success
    }

    /// Answers one request.
    func handle(_ request: MachineRequest, runner: EntryRunner, presenter: MachinePresenter) {
        switch request {
        case let .execute(id, code, cell):
            presenter.begin(id)
            let outcome = runner.run(cell: code, name: cell.map { "<cell:\($0)>" } ?? "<cell>")
            if outcome == .quit {
                let text = "error: ':quit' leaves the terminal REPL; here the kernel (or the program driving ptune) ends the session"
                presenter.present(.commandError(text))
            }
            presenter.end()
            let status: MachineEvent.ExecutionStatus
            switch outcome {
            case .done: status = .ok
            case .failed, .quit: status = .error
            case .interrupted: status = .interrupted
            }
            presenter.emit { .done(id: $0, status: status) }
        case let .complete(id, code, cursor):
            presenter.begin(id)
            let bytes = TextOffsets.utf8(ofScalar: cursor, in: code)
            let result = Completer(source: runner.session, baseDirectory: directory).complete(line: code, cursor: bytes)
            let start = TextOffsets.scalars(ofUTF8: result.start, in: code)
            presenter.emit { .completions(id: $0, matches: result.candidates, start: start, end: max(start, min(cursor, code.unicodeScalars.count))) }
        case let .inspect(id, code, cursor, detail):
            presenter.begin(id)
            let text = Inspector(session: runner.session).inspect(code, cursor: TextOffsets.utf8(ofScalar: cursor, in: code), detail: detail)
            presenter.emit { .inspection(id: $0, data: text.map { MimeBundle(plain: $0) }) }
        case let .isComplete(id, code):
            presenter.begin(id)
            let (status, indent) = MachineServer.completeness(of: code)
            presenter.emit { .completeness(id: $0, status: status, indent: indent) }
        case .interrupt, .shutdown:
            break
        }
    }

    /// Whether `code` can run as it is: commands and whole statements can; an open bracket or a trailing operator
    /// needs more lines (indented two spaces per open bracket); syntax errors are invalid.
    static func completeness(of code: String) -> (MachineEvent.Completeness, String) {
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count == 1, code.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(":") { return (.complete, "") }
        let parsed = Parser.parse(SourceFile(name: "<input>", text: code))
        if parsed.isIncomplete {
            let depth = Lexer.tokenize(SourceFile(name: "<input>", text: code)).unclosed.count
            return (.incomplete, String(repeating: "  ", count: max(depth, 1)))
        }
        return (parsed.diagnostics.isEmpty ? .complete : .invalid, "")
    }

    /// Reads request lines on a thread of their own: interrupts act at once, others queue; shutdown stops the
    /// running cell and ends the queue. At the end of input the queued requests are still answered — unless the
    /// process that started this one is gone (a kernel that was killed): then the running cell stops too.
    static func startReading(into inbox: MachineInbox, cancellation: CancellationFlag, output: MachineOutput) {
        let parent = getppid()
        let thread = Thread {
            let decoder = JSONDecoder()
            while let line = readLine(strippingNewline: true) {
                guard !line.allSatisfy(\.isWhitespace) else { continue }
                let request: MachineRequest
                do { request = try decoder.decode(MachineRequest.self, from: Data(line.utf8)) } catch {
                    output.emit(.protocolError(message: "cannot read the request \(line.prefix(200)): \(error)"))
                    continue
                }
                switch request {
                case .interrupt:
                    if inbox.interrupt() { cancellation.cancel() }
                case .shutdown:
                    cancellation.cancel()
                    inbox.close(discarding: true)
                    return
                case .execute, .complete, .inspect, .isComplete:
                    inbox.push(request)
                }
            }
            if getppid() != parent { cancellation.cancel() }
            inbox.close()
        }
        thread.name = "ptune-machine-input"
        thread.start()
    }
}
