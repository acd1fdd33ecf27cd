/// The kinds of token the lexer produces.
public enum TokenKind: Sendable, Equatable, Hashable {
    /// A name: `embed`, `randn`, `batch`.
    case identifier
    /// A number literal (its value is in ``Token/number``).
    case number
    /// A string literal (its decoded text is in ``Token/text``).
    case string
    /// A reserved word.
    case keyword(Keyword)
    /// Punctuation or an operator.
    case punctuation(Punctuation)
    /// End of a line (only where it can end a statement).
    case newline
    /// End of the input.
    case eof
    /// A byte sequence that is not a token (reported by the lexer).
    case invalid

    /// How the token is quoted in diagnostics: `')'`, `end of line`, `a name`.
    public var quoted: String {
        switch self {
        case .identifier: return "a name"
        case .number: return "a number"
        case .string: return "a string"
        case let .keyword(k): return "'\(k.rawValue)'"
        case let .punctuation(p): return "'\(p.rawValue)'"
        case .newline: return "end of line"
        case .eof: return "end of input"
        case .invalid: return "an invalid character"
        }
    }

    /// The fixed spelling of keywords, punctuation and operators (empty for tokens with variable text).
    public var spelling: String {
        switch self {
        case let .keyword(k): return k.rawValue
        case let .punctuation(p): return p.rawValue
        case .identifier, .number, .string, .newline, .eof, .invalid: return ""
        }
    }

    /// Whether a line break right after this token leaves the statement open (after an operator, `,`, `=`, `->`,
    /// an opening delimiter, `and`, `or`, `not`), so no newline token is produced there.
    public var continuesLine: Bool {
        switch self {
        case let .punctuation(p): return p.row.continuesLine
        case let .keyword(k): return k.continuesLine
        case .identifier, .number, .string, .newline, .eof, .invalid: return false
        }
    }

    /// Whether the token ends the statement before it: a line break, `;`, a block's `}`, or the end of the input.
    public var endsStatement: Bool {
        switch self {
        case let .punctuation(p): return p.row.endsStatement
        case .newline, .eof: return true
        case .identifier, .number, .string, .keyword, .invalid: return false
        }
    }

    /// Whether the token opens a nested part (`(`, `[`, `{`) that a closing token must end.
    public var isOpener: Bool {
        if case let .punctuation(p) = self { return p.row.isOpener }
        return false
    }

    /// For a closing delimiter, the opener it closes.
    public var closes: Punctuation? {
        if case let .punctuation(p) = self { return p.row.closes }
        return nil
    }

    /// The assignment this token makes between a target and a value (`=`, `+=`, …), or nil.
    public var assignment: AssignOp? {
        if case let .punctuation(p) = self { return p.row.assignment }
        return nil
    }

    /// Whether the token can be a NAME: an identifier, or a keyword after `.` and before `:` in an argument.
    public var isName: Bool {
        switch self {
        case .identifier, .keyword: return true
        case .number, .string, .punctuation, .newline, .eof, .invalid: return false
        }
    }
}

/// Punctuation and operators, spelled by their raw values. The lexer matches the longest spelling; ``row`` says
/// how each one behaves, and binary operators also have a row in ``Precedence``.
public enum Punctuation: String, Sendable, CaseIterable, Hashable {
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]", leftBrace = "{", rightBrace = "}"
    case comma = ",", colon = ":", semicolon = ";", dot = "."
    case assign = "=", plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%", at = "@", starStar = "**"
    case equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case dotDot = "..", dotDotLess = "..<", arrow = "->"

    /// How one punctuation token behaves in the lexer and the parser.
    public struct Row: Sendable {
        /// A line break after it does not end the statement.
        public var continuesLine = false
        /// It ends the statement before it.
        public var endsStatement = false
        /// It opens a nested part.
        public var isOpener = false
        /// The opener it closes, for a closing delimiter.
        public var closes: Punctuation?
        /// The assignment it makes, for `=` and the compound assignments.
        public var assignment: AssignOp?
    }

    /// The token table: one row per token. Adding an operator is a case above, its row here and, for a binary
    /// operator, its row in ``Precedence``.
    public var row: Row {
        switch self {
        case .leftParen, .leftBracket, .leftBrace: return Row(continuesLine: true, isOpener: true)
        case .rightParen: return Row(closes: .leftParen)
        case .rightBracket: return Row(closes: .leftBracket)
        case .rightBrace: return Row(endsStatement: true, closes: .leftBrace)
        case .semicolon: return Row(endsStatement: true)
        case .comma, .colon, .dot, .arrow: return Row(continuesLine: true)
        case .assign: return Row(continuesLine: true, assignment: .assign)
        case .plusAssign: return Row(continuesLine: true, assignment: .add)
        case .minusAssign: return Row(continuesLine: true, assignment: .subtract)
        case .starAssign: return Row(continuesLine: true, assignment: .multiply)
        case .slashAssign: return Row(continuesLine: true, assignment: .divide)
        case .plus, .minus, .star, .slash, .percent, .at, .starStar, .equalEqual, .bangEqual, .less, .lessEqual,
             .greater, .greaterEqual, .dotDot, .dotDotLess:
            return Row(continuesLine: true)
        }
    }

    /// Every spelling, packed into an integer (one byte each), for the lexer's longest match.
    static let bySpelling: [UInt32: Punctuation] = {
        var table = [UInt32: Punctuation](minimumCapacity: allCases.count)
        for p in allCases {
            let bytes = Array(p.rawValue.utf8)
            table[pack(bytes, from: 0, count: bytes.count)] = p
        }
        return table
    }()

    /// The longest spelling, in bytes (at most four, which ``pack(_:from:count:)`` holds).
    static let longestSpelling = allCases.map { $0.rawValue.utf8.count }.max() ?? 1

    /// `count` (at most four) bytes from `start` as one integer, the first byte lowest.
    @inline(__always)
    static func pack(_ bytes: [UInt8], from start: Int, count: Int) -> UInt32 {
        var key: UInt32 = 0
        for i in 0..<count { key |= UInt32(bytes[start + i]) << (8 * UInt32(i)) }
        return key
    }
}

/// The reserved words of ptune. Contextual words (``ContextualWord``) are identifiers that the parser recognises
/// where a rule names them.
public enum Keyword: String, Sendable, CaseIterable, Hashable {
    case `let`, fn, `if`, `else`, `for`, `in`, `while`, `return`, `break`, `continue`
    case `true`, `false`, none, and, or, not
    case print, assert, `import`, seed, dtype, dim, param, frozen

    /// Whether the word appears only at the start of a statement, so that at the start of a line inside an unclosed
    /// `(` or `[` it shows the delimiter was never closed (`frozen` also ends `model m = … frozen`).
    public var onlyStartsStatements: Bool {
        switch self {
        case .let, .fn, .if, .for, .while, .print, .assert, .import, .seed, .dtype, .dim, .param, .return, .break,
             .continue:
            return true
        case .frozen, .else, .in, .true, .false, .none, .and, .or, .not:
            return false
        }
    }

    /// Whether a line break right after it leaves the statement open (the word operators).
    public var continuesLine: Bool { self == .and || self == .or || self == .not }
}

/// Words that are keywords only where a grammar rule names them, and ordinary names elsewhere (so `data train = …`
/// and `train.x` both work).
public enum ContextualWord: String, Sendable, CaseIterable {
    case model, encoder, data, train, on, save, to, load, from, every, exists

    /// Whether a statement can start with it (`model m = …`, `train pe on d { … }`, `save x to "f"`).
    public var startsStatement: Bool {
        switch self {
        case .model, .encoder, .data, .train, .save, .load: return true
        case .on, .to, .from, .every, .exists: return false
        }
    }
}

/// One token: its kind, where it is, and its decoded value.
public struct Token: Sendable {
    /// What kind of token it is.
    public let kind: TokenKind
    /// Where it is in the source.
    public let span: SourceSpan
    /// The identifier's name, or a string literal's decoded text, or the source text for other tokens.
    public let text: String
    /// A number literal's value (0 otherwise).
    public let number: Double
    /// Whether a line break came right before this token (used for contextual words and error recovery).
    public let startsLine: Bool

    /// A token of `kind` covering `span`.
    public init(kind: TokenKind, span: SourceSpan, text: String, number: Double = 0, startsLine: Bool = false) {
        self.kind = kind
        self.span = span
        self.text = text
        self.number = number
        self.startsLine = startsLine
    }

    /// How the token is quoted in diagnostics: `'embd'`, `number '3'`, `')'`, `end of input`.
    public var quoted: String {
        switch kind {
        case .identifier: return "'\(text)'"
        case .number: return "number '\(text)'"
        case .string: return "string \"\(text)\""
        case .keyword, .punctuation, .newline, .eof, .invalid: return kind.quoted
        }
    }

    /// Whether this is the contextual word `word`.
    public func isWord(_ word: ContextualWord) -> Bool { kind == .identifier && text == word.rawValue }

    /// Whether this is the punctuation or operator `p`.
    public func isPunctuation(_ p: Punctuation) -> Bool { kind == .punctuation(p) }
}
