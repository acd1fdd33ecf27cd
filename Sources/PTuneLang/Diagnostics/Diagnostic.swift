/// How serious a diagnostic is.
public enum Severity: String, Sendable {
    /// The script cannot run (syntax or check error) or stopped (runtime error).
    case error
    /// Suspicious but not fatal.
    case warning
    /// Extra context attached to another diagnostic.
    case note
}

/// One located message: `seed.pt:17:16: error: cannot concat [virtual, embed] with [1, out]: 'embed' vs 'out'`,
/// rendered with the source line and a caret under the span.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    /// How serious it is.
    public var severity: Severity
    /// What went wrong, from the catalogue.
    public var message: Message
    /// Where (nil for a problem with no place in a source, such as a bad `--set`).
    public var span: SourceSpan?
    /// Further located context: "called from here", "'(' opened here".
    public var notes: [Diagnostic]

    /// An error (or another severity) with `message` at `span`.
    public init(_ message: Message, at span: SourceSpan?, severity: Severity = .error, notes: [Diagnostic] = []) {
        self.severity = severity
        self.message = message
        self.span = span
        self.notes = notes
    }

    /// The one-line form: `seed.pt:17:16: error: message`.
    public var headline: String {
        let place = span.map { "\($0): " } ?? ""
        return "\(place)\(severity.rawValue): \(message)"
    }

    /// The headline, then the source line and a caret (`^~~~`) under the span, then each note the same way.
    public var description: String { rendered() }

    /// The full rendering; `color` adds ANSI colours for a terminal.
    public func rendered(color: Bool = false) -> String {
        var lines: [String] = []
        let sev = severity.rawValue + ":"
        let colored: String
        if color {
            let code = severity == .error ? "31" : severity == .warning ? "35" : "36"
            colored = "\u{1B}[1;\(code)m\(sev)\u{1B}[0m \u{1B}[1m\(message)\u{1B}[0m"
        } else {
            colored = "\(sev) \(message)"
        }
        let place = span.map { "\($0): " } ?? ""
        lines.append(place + colored)
        if let span {
            let (line, fullColumn) = span.location
            let fullText = span.file.lineText(line)
            if !fullText.isEmpty || span.file.bytes.isEmpty == false {
                let (endLine, endColumn) = span.file.location(of: span.end)
                let fullWidth = endLine == line ? Swift.max(1, endColumn - fullColumn) : Swift.max(1, fullText.count - fullColumn + 1)
                let (text, column, width) = Diagnostic.window(of: fullText, column: fullColumn, width: fullWidth)
                lines.append(text)
                // Keep tabs so the caret lines up under tab-indented text.
                let prefix = text.prefix(column - 1).map { $0 == "\t" ? "\t" : " " }.joined()
                let marker = "^" + String(repeating: "~", count: Swift.max(0, width - 1))
                lines.append(prefix + (color ? "\u{1B}[1;32m\(marker)\u{1B}[0m" : marker))
            }
        }
        for note in notes { lines.append(note.rendered(color: color)) }
        return lines.joined(separator: "\n")
    }
}

/// Several diagnostics reported together (every syntax error of a script, every check error).
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    /// The diagnostics, in source order.
    public var items: [Diagnostic]

    /// A group of diagnostics.
    public init(_ items: [Diagnostic]) { self.items = items }

    /// Each diagnostic rendered, separated by a line break.
    public var description: String { items.map(\.description).joined(separator: "\n") }

    /// Whether any of them is an error.
    public var hasErrors: Bool { items.contains { $0.severity == .error } }
}
