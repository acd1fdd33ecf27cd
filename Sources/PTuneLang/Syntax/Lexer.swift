/// Turns a ``SourceFile`` into tokens, in one pass over its UTF-8 bytes.
///
/// Line breaks become ``TokenKind/newline`` tokens only where they can end a statement: not inside `(…)` or `[…]`,
/// and not after a token that cannot end an expression (a binary operator, `,`, `=`, `->`, `{`). Errors (an
/// unexpected character, an unterminated string) become diagnostics and lexing goes on, so the parser can report
/// every problem in one run.
public struct Lexer {
    private let file: SourceFile
    private let bytes: [UInt8]
    private var pos = 0
    private var tokens: [Token] = []
    private var diagnostics: [Diagnostic] = []
    /// The open `(`, `[` and `{` tokens, innermost last.
    private var open: [Token] = []
    private var sawLineBreak = true

    /// A lexer over `file`.
    public init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
    }

    /// The tokens (ending with ``TokenKind/eof``), the lexical errors, and the delimiters still open at the end.
    public static func tokenize(_ file: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic], unclosed: [Token]) {
        var lexer = Lexer(file: file)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics, lexer.open)
    }

    private mutating func run() {
        while true {
            skipSpaceAndComments()
            guard pos < bytes.count else { break }
            let b = bytes[pos]
            if b == 0x0A {
                pos += 1
                lineBreak(at: pos - 1)
                continue
            }
            lexToken(b)
        }
        if let last = tokens.last, last.kind != .newline { append(.newline, start: pos, end: pos, text: "") }
        append(.eof, start: pos, end: pos, text: "")
    }

    private mutating func lineBreak(at offset: Int) {
        defer { sawLineBreak = true }
        if let top = open.last, top.kind != .punctuation(.leftBrace) { return }
        guard let last = tokens.last, last.kind != .newline, !last.kind.continuesLine else { return }
        append(.newline, start: offset, end: offset + 1, text: "\n")
    }

    private mutating func skipSpaceAndComments() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0D, 0x0B, 0x0C: pos += 1
            case 0x23: // '#': comment to end of line
                while pos < bytes.count && bytes[pos] != 0x0A { pos += 1 }
            default: return
            }
        }
    }

    private mutating func append(_ kind: TokenKind, start: Int, end: Int, text: String, number: Double = 0) {
        let t = Token(kind: kind, span: SourceSpan(file: file, start: start, end: end), text: text, number: number,
                      startsLine: sawLineBreak)
        sawLineBreak = false
        if kind.isOpener {
            open.append(t)
        } else if let opener = kind.closes, let i = open.lastIndex(where: { $0.kind == .punctuation(opener) }) {
            open.removeSubrange(i...)
        }
        tokens.append(t)
    }

    private func peek(_ k: Int = 0) -> UInt8 { pos + k < bytes.count ? bytes[pos + k] : 0 }

    private static func isIdentStart(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func lexToken(_ b: UInt8) {
        let start = pos
        if Lexer.isIdentStart(b) { return lexIdentifier() }
        if Lexer.isDigit(b) { return lexNumber() }
        if b == 0x22 { return lexString() }
        // Punctuation and operators, longest match first.
        if let (p, length) = punctuation() {
            pos += length
            append(.punctuation(p), start: start, end: pos, text: p.rawValue)
            return
        }
        // Not a token: consume one whole UTF-8 character so the message can quote it.
        var end = pos + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 && end - pos < 4 { end += 1 }
        pos = end
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let span = SourceSpan(file: file, start: start, end: end)
        if b == 0x21 {
            diagnostics.append(Diagnostic(.unexpectedCharacter("!", hint: "use 'not' for negation and '!=' for inequality"), at: span))
        } else if b < 0x80 || String(validating: bytes[start..<end], as: UTF8.self) != nil {
            diagnostics.append(Diagnostic(.unexpectedCharacter(text, hint: nil), at: span))
        } else {
            diagnostics.append(Diagnostic(.invalidUTF8, at: span))
        }
        append(.invalid, start: start, end: end, text: text)
    }

    /// The longest punctuation or operator spelled at the current position, and its length in bytes.
    private func punctuation() -> (Punctuation, Int)? {
        var length = Swift.min(Punctuation.longestSpelling, bytes.count - pos)
        while length > 0 {
            if let p = Punctuation.bySpelling[Punctuation.pack(bytes, from: pos, count: length)] { return (p, length) }
            length -= 1
        }
        return nil
    }

    private mutating func lexIdentifier() {
        let start = pos
        while pos < bytes.count && (Lexer.isIdentStart(bytes[pos]) || Lexer.isDigit(bytes[pos])) { pos += 1 }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if let k = Keyword(rawValue: text) {
            recoverUnclosed(before: k, at: start)
            append(.keyword(k), start: start, end: pos, text: text)
        } else {
            append(.identifier, start: start, end: pos, text: text)
        }
    }

    /// A statement keyword at the start of a line inside an unclosed `(` or `[` means the delimiter was never
    /// closed: end the statement there so the parser reports the missing closer and the next statement parses.
    private mutating func recoverUnclosed(before k: Keyword, at offset: Int) {
        guard k.onlyStartsStatements, sawLineBreak, let top = open.last, top.kind != .punctuation(.leftBrace) else { return }
        while let t = open.last, t.kind != .punctuation(.leftBrace) { open.removeLast() }
        append(.newline, start: offset, end: offset, text: "")
        sawLineBreak = true
    }

    private mutating func lexNumber() {
        let start = pos
        var digits = ""
        func takeDigits() {
            while pos < bytes.count && (Lexer.isDigit(bytes[pos]) || bytes[pos] == 0x5F) {
                if bytes[pos] != 0x5F { digits.append(Character(UnicodeScalar(bytes[pos]))) }
                pos += 1
            }
        }
        takeDigits()
        if peek() == 0x2E && Lexer.isDigit(peek(1)) { // '.' followed by a digit (not '..')
            digits.append("."); pos += 1
            takeDigits()
        }
        if peek() == 0x65 || peek() == 0x45 { // e / E
            let save = pos, saveDigits = digits
            digits.append("e"); pos += 1
            if peek() == 0x2B || peek() == 0x2D { digits.append(Character(UnicodeScalar(peek()))); pos += 1 }
            if Lexer.isDigit(peek()) { takeDigits() } else { pos = save; digits = saveDigits }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        let span = SourceSpan(file: file, start: start, end: pos)
        if pos < bytes.count && Lexer.isIdentStart(bytes[pos]) {
            while pos < bytes.count && (Lexer.isIdentStart(bytes[pos]) || Lexer.isDigit(bytes[pos])) { pos += 1 }
            let bad = String(decoding: bytes[start..<pos], as: UTF8.self)
            diagnostics.append(Diagnostic(.badNumber(bad), at: SourceSpan(file: file, start: start, end: pos)))
        }
        guard let value = Double(digits), value.isFinite else {
            diagnostics.append(Diagnostic(.badNumber(text), at: span))
            append(.number, start: start, end: pos, text: text, number: 0)
            return
        }
        append(.number, start: start, end: pos, text: text, number: value)
    }

    private mutating func lexString() {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while pos < bytes.count {
            let b = bytes[pos]
            if b == 0x22 { break }
            if b == 0x0A { break }
            if b == 0x5C { // backslash
                let e = peek(1)
                switch e {
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                default:
                    let esc = SourceSpan(file: file, start: pos, end: Swift.min(pos + 2, bytes.count))
                    let shown = e == 0 || e == 0x0A ? "" : String(decoding: [e], as: UTF8.self)
                    diagnostics.append(Diagnostic(.badEscape(shown), at: esc))
                }
                pos += e == 0 || e == 0x0A ? 1 : 2
                continue
            }
            out.append(b)
            pos += 1
        }
        guard pos < bytes.count && bytes[pos] == 0x22 else {
            let span = SourceSpan(file: file, start: start, end: pos)
            diagnostics.append(Diagnostic(.unterminatedString, at: span))
            append(.string, start: start, end: pos, text: String(decoding: out, as: UTF8.self))
            return
        }
        pos += 1
        let span = SourceSpan(file: file, start: start, end: pos)
        if let text = String(validating: out, as: UTF8.self) {
            append(.string, start: start, end: pos, text: text)
        } else {
            diagnostics.append(Diagnostic(.invalidUTF8, at: span))
            append(.string, start: start, end: pos, text: String(decoding: out, as: UTF8.self))
        }
    }
}
