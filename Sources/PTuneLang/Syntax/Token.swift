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
    /// End of a line (only where it can end a statement).
    case newline
    /// End of the input.
    case eof
    /// `(` `)` `[` `]` `{` `}`
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    /// `,` `:` `;` `.`
    case comma, colon, semicolon, dot
    /// `=` `+=` `-=` `*=` `/=`
    case assign, plusAssign, minusAssign, starAssign, slashAssign
    /// `+` `-` `*` `/` `%` `@` `**`
    case plus, minus, star, slash, percent, at, starStar
    /// `==` `!=` `<` `<=` `>` `>=`
    case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
    /// `..` `..<` `->`
    case dotDot, dotDotLess, arrow
    /// A byte sequence that is not a token (reported by the lexer).
    case invalid

    /// How the token is quoted in diagnostics: `')'`, `end of line`, `name 'x'`.
    public var quoted: String {
        switch self {
        case .identifier: return "a name"
        case .number: return "a number"
        case .string: return "a string"
        case let .keyword(k): return "'\(k.rawValue)'"
        case .newline: return "end of line"
        case .eof: return "end of input"
        case .invalid: return "an invalid character"
        case .leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace, .rightBrace, .comma, .colon,
             .semicolon, .dot, .assign, .plusAssign, .minusAssign, .starAssign, .slashAssign, .plus, .minus, .star,
             .slash, .percent, .at, .starStar, .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual,
             .dotDot, .dotDotLess, .arrow:
            return "'\(spelling)'"
        }
    }

    /// The fixed spelling of punctuation and operators (empty for tokens with variable text).
    public var spelling: String {
        switch self {
        case .identifier, .number, .string, .newline, .eof, .invalid: return ""
        case let .keyword(k): return k.rawValue
        case .leftParen: return "("
        case .rightParen: return ")"
        case .leftBracket: return "["
        case .rightBracket: return "]"
        case .leftBrace: return "{"
        case .rightBrace: return "}"
        case .comma: return ","
        case .colon: return ":"
        case .semicolon: return ";"
        case .dot: return "."
        case .assign: return "="
        case .plusAssign: return "+="
        case .minusAssign: return "-="
        case .starAssign: return "*="
        case .slashAssign: return "/="
        case .plus: return "+"
        case .minus: return "-"
        case .star: return "*"
        case .slash: return "/"
        case .percent: return "%"
        case .at: return "@"
        case .starStar: return "**"
        case .equalEqual: return "=="
        case .bangEqual: return "!="
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        case .dotDot: return ".."
        case .dotDotLess: return "..<"
        case .arrow: return "->"
        }
    }
}

/// The reserved words of ptune. Contextual words (`model`, `encoder`, `data`, `train`, `on`, `save`, `to`, `load`,
/// `from`, `every`) are identifiers that the parser recognises where a rule names them.
public enum Keyword: String, Sendable, CaseIterable, Hashable {
    case `let`, fn, `if`, `else`, `for`, `in`, `while`, `return`, `break`, `continue`
    case `true`, `false`, none, and, or, not
    case print, assert, `import`, seed, dtype, dim, param, frozen
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

    /// How the token is quoted in diagnostics: `name 'embd'`, `')'`, `end of input`.
    public var quoted: String {
        switch kind {
        case .identifier: return "'\(text)'"
        case .number: return "number '\(text)'"
        case .string: return "string \"\(text)\""
        case .keyword, .newline, .eof, .invalid, .leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace,
             .rightBrace, .comma, .colon, .semicolon, .dot, .assign, .plusAssign, .minusAssign, .starAssign,
             .slashAssign, .plus, .minus, .star, .slash, .percent, .at, .starStar, .equalEqual, .bangEqual, .less,
             .lessEqual, .greater, .greaterEqual, .dotDot, .dotDotLess, .arrow:
            return kind.quoted
        }
    }

    /// Whether this is the identifier `word` (a contextual keyword).
    public func isWord(_ word: String) -> Bool { kind == .identifier && text == word }
}
