/// What one attempt to read a line produced.
public enum LineInput: Equatable, Sendable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C while the line was being edited: the line is abandoned.
    case interrupted
    /// Ctrl-D on an empty line, or the end of piped input.
    case endOfInput
}

/// A source of input lines for the REPL: readline on a terminal, `PlainLineReader` for pipes and tests.
public protocol LineReader: AnyObject {
    /// Shows `prompt` (where that makes sense) and reads one line.
    func readLine(prompt: String) -> LineInput
    /// Records a line the user entered, for recall with the arrow keys.
    func remember(_ line: String)
}

extension LineReader {
    /// Readers without history ignore remembered lines.
    public func remember(_ line: String) {}
}
