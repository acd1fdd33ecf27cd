import Foundation
import PTuneLang
import PTuneREPL
import PTuneRun

/// Turns the parsed command line into a running ptune: the console, Ctrl-C handling, progress reporting, and the
/// script runner or the REPL over them.
struct Launcher {
    let settings: RunSettings
    let console: Console
    let cancellation = CancellationFlag()
    let interrupts: InterruptMonitor
    let reporter: TrainingReporter
    /// What a recorded script run prints on standard output (nil: the run is not recorded).
    let printed: OutputCapture?

    /// A launcher for the settings `options` describe, recording a script run in `record` (a folder) if given.
    init(options: CommonOptions, record: String? = nil) {
        settings = options.settings(record: record)
        if let folder = settings.outputDirectory {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let capture = settings.recordDirectory == nil ? nil : OutputCapture()
        let standard = Console.standard(color: settings.color)
        let console = capture.map { standard.copyingOutput(to: $0) } ?? standard
        self.console = console
        printed = capture
        let flag = cancellation
        interrupts = InterruptMonitor(onInterrupt: { flag.cancel() })
        reporter = TrainingReporter(style: settings.progress, bar: { console.err($0) }, log: { console.out($0 + "\n") },
                                    width: { Console.terminalWidth() })
    }

    /// Runs scripts and checks.
    var runner: ScriptRunner {
        ScriptRunner(console: console, settings: settings, reporter: reporter, cancellation: cancellation, printed: printed)
    }

    /// Runs `code` (`-e`), or the script at `file`, or standard input for `-` (or no file).
    func run(file: String?, code: String?) -> ExitStatus {
        if let code { return runner.runSource(code, name: "<-e>") }
        guard let file, file != "-" else { return runner.runSource(Launcher.standardInput(), name: "<stdin>") }
        return runner.runFile(file)
    }

    /// The REPL: readline on a terminal, plain lines otherwise.
    func repl() -> ExitStatus {
        let session = Session.printing(to: console, options: settings.sessionOptions, quiet: settings.quiet,
                                       cancellation: cancellation)
        let reporter = self.reporter
        session.onTrainProgress = { reporter.report($0) }
        let interactive = isatty(STDIN_FILENO) == 1
        let reader: LineReader = interactive
            ? ReadlineReader(completer: Completer(source: session), history: HistoryStore.fromEnvironment(), interrupts: interrupts)
            : PlainLineReader.standardInput()
        let repl = REPL(session: session, reader: reader, console: console,
                        options: REPL.Options(banner: interactive && !settings.quiet, version: PTuneVersion.current,
                                              failureSetsStatus: !interactive),
                        reporter: reporter, interrupts: interrupts)
        return repl.run()
    }

    /// Everything on standard input.
    static func standardInput() -> String {
        var text = ""
        while let line = readLine(strippingNewline: false) { text += line }
        return text
    }
}
