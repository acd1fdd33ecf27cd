import PTuneLang

/// One thing an entry produced, for a front end to show: the terminal REPL prints it, the machine mode sends it as
/// a structured message (a MIME bundle, a located diagnostic).
public enum EntryOutput {
    /// The value of a bare expression statement (not `none`).
    case value(Value)
    /// The names in the session (`:vars`).
    case variables([VariableRow])
    /// Text the user asked for: `:help`, `:type`, a confirmation (`saved 3 statements to r.pt`). No final newline.
    case text(String)
    /// A side message: `time: 0.012 s`. No final newline.
    case note(String)
    /// Code that failed: syntax or check errors (nothing ran), a runtime error or a stop by Ctrl-C (what ran
    /// before it is kept). `file` is the source that ran, for locating "unexpected end of input".
    case failure(RunFailure, in: SourceFile?)
    /// A `:` command that could not be carried out (unknown command, missing argument, unreadable file). No final
    /// newline.
    case commandError(String)
}

/// Shows what entries produce, and hears when they start and end and when the session is emptied.
public protocol EntryPresenter: AnyObject {
    /// Shows one output.
    func present(_ output: EntryOutput)
    /// A piece of code is about to run.
    func entryWillRun()
    /// The code ended (normally, with an error, or stopped): a progress display left open is closed.
    func entryDidEnd()
    /// `:reset` emptied the session.
    func sessionDidReset()
}
