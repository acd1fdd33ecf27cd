import ArgumentParser
import Foundation
import PTuneLang
import PTuneREPL

/// Turns the parsed command line into a running ptune: the console, Ctrl-C handling, progress reporting, and a
/// language session per run.
struct Launcher {
    let settings: RunSettings
    let sessionOptions: SessionOptions
    let console: Console
    let cancellation = CancellationFlag()
    let interrupts: InterruptMonitor
    let reporter: TrainingReporter

    /// Settings from `options`; a `--set` value the language cannot read is a usage error (status 2).
    init(options: CommonOptions) throws {
        settings = options.settings
        let console = Console.standard(color: settings.color)
        self.console = console
        switch LangBackend.options(from: settings) {
        case .success(let o): sessionOptions = o
        case .failure(let e):
            console.err(e.text + "\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let flag = cancellation
        interrupts = InterruptMonitor(onInterrupt: { flag.cancel() })
        reporter = TrainingReporter(style: settings.progress, bar: { console.err($0) }, log: { console.out($0 + "\n") },
                                    width: { Console.terminalWidth() })
    }

    /// A fresh language session for one run.
    func makeBackend() -> Backend {
        LangBackend(options: sessionOptions, console: console, quiet: settings.quiet, cancellation: cancellation)
    }

    /// Runs scripts and checks.
    func runner() -> ScriptRunner {
        ScriptRunner(makeBackend: makeBackend, console: console, settings: settings, reporter: reporter,
                     version: PTuneVersion.current)
    }

    /// The REPL: readline on a terminal, plain lines otherwise.
    func repl() -> ExitStatus {
        let backend = makeBackend()
        let reporter = self.reporter
        backend.onTrainingStep = { reporter.report($0) }
        let interactive = isatty(STDIN_FILENO) == 1
        let reader: LineReader = interactive
            ? ReadlineReader(completer: Completer(source: backend), history: HistoryStore.fromEnvironment(), interrupts: interrupts)
            : PlainLineReader.standardInput()
        let repl = REPL(backend: backend, reader: reader, console: console,
                        options: REPL.Options(banner: interactive && !settings.quiet, version: PTuneVersion.current),
                        reporter: reporter, interrupts: interrupts)
        return ExitStatus(rawValue: repl.run()) ?? .success
    }
}
