import PTuneCore

/// What parsing a source produced: the statements it could read, every syntax error, and whether the input merely
/// stopped early (an open `{`, `(` or `[`, or a trailing operator) — the REPL's cue for a continuation prompt.
public struct ParseResult: Sendable {
    /// The statements parsed (those with errors are left out).
    public var statements: [Stmt]
    /// Every lexical and syntax error, in source order.
    public var diagnostics: [Diagnostic]
    /// Whether the input ended inside an unfinished statement; more lines could complete it.
    public var isIncomplete: Bool
}

/// Why a source could not be parsed: it is unfinished (more input could complete it) or it has errors.
public enum ParseFailure: Error, Sendable {
    /// The input ended inside an open `{`, `(` or `[` or after an operator: show a continuation prompt.
    case incomplete
    /// Syntax errors (every one found in the source).
    case errors(Diagnostics)
}

/// A recursive-descent parser for the grammar in `grammar/ptune.ebnf`.
///
/// Each parse method opens with the rule it implements. Binary operators are parsed by one loop driven by
/// ``Precedence``. After a syntax error the parser records it, skips to the next statement, and goes on, so one run
/// reports every error.
public struct Parser {
    var tokens: [Token]
    var current = 0
    var diagnostics: [Diagnostic]
    let file: SourceFile
    /// How deeply expressions and blocks nest right now (bounded so hostile input cannot overflow the stack).
    var depth = 0
    /// The stack of the thread parsing: nesting also stops where it runs out, whatever ``maxDepth`` allows.
    let stack = StackGuard.current()
    static let maxDepth = 200

    /// Internal: unwinds one statement after a syntax error.
    struct Failure: Error {
        let diagnostic: Diagnostic
        /// Whether the lexer already reported the problem (an invalid character): recover without a second error.
        var alreadyReported = false
    }

    init(file: SourceFile) {
        let lexed = Lexer.tokenize(file)
        self.file = file
        self.tokens = lexed.tokens
        self.diagnostics = lexed.diagnostics
        self.unclosed = lexed.unclosed
    }

    var unclosed: [Token]

    /// The most syntax errors one parse reports; the rest are counted in a last diagnostic.
    public static let errorLimit = 20

    /// Parses a whole source, reporting every error (up to ``errorLimit``) and whether the input is merely unfinished.
    public static func parse(_ file: SourceFile) -> ParseResult {
        var p = Parser(file: file)
        let statements = p.parseProgram()
        p.diagnostics.sort { $0.span?.start ?? 0 < $1.span?.start ?? 0 }
        if p.diagnostics.count > errorLimit {
            // A binary or badly broken file would bury the first (useful) errors under thousands of others.
            let omitted = p.diagnostics.count - errorLimit
            p.diagnostics.removeLast(omitted)
            p.diagnostics.append(Diagnostic(.tooManyErrors(omitted: omitted), at: nil))
        }
        return ParseResult(statements: statements, diagnostics: p.diagnostics, isIncomplete: p.isIncomplete())
    }

    /// Parses a whole source, or throws ``ParseFailure/incomplete`` or every syntax error.
    public static func parseProgram(_ file: SourceFile) throws(ParseFailure) -> [Stmt] {
        let r = parse(file)
        if r.isIncomplete { throw .incomplete }
        if !r.diagnostics.isEmpty { throw .errors(Diagnostics(r.diagnostics)) }
        return r.statements
    }

    /// The input is unfinished when the first error sits at its very end and either a delimiter is still open or
    /// the last token cannot end a statement.
    private func isIncomplete() -> Bool {
        guard let first = diagnostics.first, let span = first.span else { return false }
        var end = file.bytes.count
        while end > 0, [0x20, 0x09, 0x0A, 0x0D].contains(file.bytes[end - 1]) { end -= 1 }
        guard span.start >= end else { return false }
        if diagnostics.contains(where: { $0.message.isLexical }) { return false }
        if !unclosed.isEmpty { return true }
        let significant = tokens.last { $0.kind != .newline && $0.kind != .eof }
        guard let last = significant else { return false }
        return last.kind.continuesLine || last.kind == .keyword(.else)
    }

    // MARK: - Token helpers

    var peek: Token { tokens[current] }
    func peek(_ k: Int) -> Token { tokens[Swift.min(current + k, tokens.count - 1)] }
    var previous: Token { tokens[Swift.max(current - 1, 0)] }
    var atEnd: Bool { peek.kind == .eof }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[current]
        if current < tokens.count - 1 { current += 1 }
        return t
    }

    func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    func check(_ p: Punctuation) -> Bool { peek.kind == .punctuation(p) }

    mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    mutating func match(_ p: Punctuation) -> Bool { match(.punctuation(p)) }

    /// Consumes a token of `kind`, or fails with `message` at the token found instead.
    @discardableResult
    mutating func consume(_ kind: TokenKind, _ message: Message) throws -> Token {
        guard check(kind) else { throw fail(message) }
        return advance()
    }

    /// Consumes the punctuation `p`, or fails with `message` at the token found instead.
    @discardableResult
    mutating func consume(_ p: Punctuation, _ message: Message) throws -> Token {
        try consume(.punctuation(p), message)
    }

    /// A failure at the current token (silent at an invalid character, which the lexer reported).
    func fail(_ message: Message) -> Failure {
        Failure(diagnostic: Diagnostic(message, at: peek.span), alreadyReported: peek.kind == .invalid)
    }

    /// What the current token is, for "found …" in messages.
    var found: String { peek.quoted }

    /// A span from `start` up to the end of the last consumed token.
    func span(from start: SourceSpan) -> SourceSpan { start.through(previous.span) }

    /// Counts one level of nesting, failing past ``maxDepth``.
    mutating func enter() throws {
        depth += 1
        if depth > Parser.maxDepth { throw fail(.nestedTooDeeply(Parser.maxDepth)) }
        if !stack.hasRoom() { throw fail(.nestedTooDeeply(depth - 1)) }
    }

    mutating func skipNewlines() {
        while check(.newline) || check(.semicolon) { advance() }
    }

    // MARK: - Programs, blocks, recovery

    // program = { NEWLINE } [ statement { terminator { terminator } statement } ] { terminator } EOF ;
    mutating func parseProgram() -> [Stmt] {
        var statements: [Stmt] = []
        skipNewlines()
        while !atEnd {
            if check(.rightBrace) {
                diagnostics.append(Diagnostic(.unmatchedClosing("}"), at: peek.span))
                advance()
                skipNewlines()
                continue
            }
            if let s = parseStatementRecovering() { statements.append(s) }
            skipNewlines()
        }
        return statements
    }

    // block = "{" { terminator } [ statement { terminator { terminator } statement } ] { terminator } "}" ;
    mutating func parseBlock(after what: String) throws -> [Stmt] {
        let open = try consume(.leftBrace, .expectedToken("'{'", context: "after \(what)", found: found))
        try enter()
        defer { depth -= 1 }
        var statements: [Stmt] = []
        skipNewlines()
        while !check(.rightBrace) && !atEnd {
            if let s = parseStatementRecovering() { statements.append(s) }
            skipNewlines()
        }
        try consume(.rightBrace, .expectedClosing("}", opener: "{", at: open.span.lineColumn))
        return statements
    }

    /// Parses one statement and its terminator; on a syntax error records it, skips to the next statement, and
    /// returns nil.
    mutating func parseStatementRecovering() -> Stmt? {
        let savedDepth = depth
        do {
            let s = try parseStatement()
            try expectTerminator()
            return s
        } catch {
            depth = savedDepth
            if !((error as? Failure)?.alreadyReported ?? false) { diagnostics.append(error.diagnostic) }
            synchronize()
            return nil
        }
    }

    /// After a statement: a line break, `;`, or (left for the block) `}` or the end.
    // terminator = NEWLINE | ";" ;
    mutating func expectTerminator() throws {
        if check(.newline) || check(.semicolon) {
            advance()
        } else if !peek.kind.endsStatement {
            throw fail(.expectedStatementEnd(found: found))
        }
    }

    /// Skips to the start of the next statement: past the next line break or `;` outside nested braces, or up to a
    /// `}` that closes the enclosing block.
    mutating func synchronize() {
        var braces = 0
        while !atEnd {
            if check(.newline) || check(.semicolon) {
                advance()
                if braces == 0 { return }
            } else if check(.leftBrace) {
                braces += 1
                advance()
            } else if check(.rightBrace) {
                if braces == 0 { return }
                braces -= 1
                advance()
            } else {
                advance()
            }
        }
    }
}

extension Error {
    /// A thrown parse failure as a diagnostic (every error the parser throws is one).
    fileprivate var diagnostic: Diagnostic {
        if let f = self as? Parser.Failure { return f.diagnostic }
        return Diagnostic(.internalError(String(describing: self)), at: nil)
    }
}
