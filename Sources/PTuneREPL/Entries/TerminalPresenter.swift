import PTuneLang
import PTuneRun

/// Shows entries' results on a console, as the terminal REPL does: values and answers on its output, errors (with
/// caret lines, coloured when the console is) and notes on its messages; a progress bar left on screen gets its
/// newline when an entry ends.
public final class TerminalPresenter: EntryPresenter {
    let console: Console
    let reporter: TrainingReporter?

    /// A presenter writing to `console`; `reporter` draws training progress.
    public init(console: Console, reporter: TrainingReporter? = nil) {
        self.console = console
        self.reporter = reporter
    }

    public func present(_ output: EntryOutput) {
        switch output {
        case .value(let v): console.out(v.debugText + "\n")
        case .variables(let rows): console.out(VariableRow.text(rows) + "\n")
        case .text(let text): console.out(text + "\n")
        case .note(let text): console.err(text + "\n")
        case .failure(let failure, let file): console.err(failure.rendered(color: console.color, in: file) + "\n")
        case .commandError(let text): console.err(text + "\n")
        }
    }

    public func entryWillRun() {}

    public func entryDidEnd() { reporter?.finishLine() }

    public func sessionDidReset() { reporter?.clear() }
}
