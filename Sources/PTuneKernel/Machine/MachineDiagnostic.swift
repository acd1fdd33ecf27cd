import PTuneLang

/// A diagnostic as the machine mode reports it: the message and where it is, lines and columns 1-based (columns
/// count characters), the end just past the span. A cell's diagnostics carry the cell's own line numbers.
public struct MachineDiagnostic: Codable, Equatable, Sendable {
    /// `error`, `warning` or `note`.
    public var severity: String
    /// The message, without place or severity: `cannot find 'nosuch' in scope`.
    public var message: String
    /// The source it is in (`<cell:3>`), if it has a place.
    public var source: String?
    /// The first line and column of the span.
    public var line: Int?
    /// The column of the first character.
    public var column: Int?
    /// The line of the span's end.
    public var endLine: Int?
    /// The column just past the span's last character.
    public var endColumn: Int?
    /// Further located context ("'(' opened here").
    public var notes: [MachineDiagnostic]

    /// The machine form of `d`.
    public init(_ d: Diagnostic) {
        severity = d.severity.rawValue
        message = "\(d.message)"
        notes = d.notes.map(MachineDiagnostic.init)
        guard let span = d.span else { return }
        source = span.file.name
        (line, column) = span.location
        let end = span.file.location(of: span.end)
        (endLine, endColumn) = (end.line, end.column)
    }

    private enum CodingKeys: String, CodingKey {
        case severity, message, source, line, column, notes
        case endLine = "end_line"
        case endColumn = "end_column"
    }
}

/// Why a cell failed, as the machine mode reports it.
public struct MachineError: Codable, Equatable, Sendable {
    /// What kind of failure it was.
    public enum Kind: String, Codable, Sendable {
        /// Syntax errors: nothing ran.
        case syntax
        /// Check errors (names, kinds, shapes): nothing ran.
        case check
        /// A runtime error: the statements before it ran.
        case runtime
        /// An interrupt stopped it at a step boundary; what ran (and what was trained) is kept.
        case interrupted
        /// A `:` command that could not be carried out.
        case command

        /// The exception name Jupyter shows.
        public var exceptionName: String {
            switch self {
            case .syntax: return "SyntaxError"
            case .check: return "CheckError"
            case .runtime: return "RuntimeError"
            case .interrupted: return "Interrupted"
            case .command: return "CommandError"
            }
        }
    }

    /// The kind.
    public var kind: Kind
    /// The first message in one line, with its place: `<cell:2>:1:9: error: cannot matmul …`.
    public var summary: String
    /// Every diagnostic with its place.
    public var diagnostics: [MachineDiagnostic]
    /// The whole report as the terminal shows it: each diagnostic, its source line and a caret.
    public var text: String
    /// The same with ANSI colours.
    public var ansi: String

    /// A failure report.
    public init(kind: Kind, summary: String, diagnostics: [MachineDiagnostic], text: String, ansi: String) {
        self.kind = kind
        self.summary = summary
        self.diagnostics = diagnostics
        self.text = text
        self.ansi = ansi
    }
}
