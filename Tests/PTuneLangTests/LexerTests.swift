import Testing
@testable import PTuneLang

/// The lexer reads punctuation, line continuation and nesting from the token table.
@Suite struct LexerTests {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(SourceFile(name: "t.pt", text: text)).tokens.map(\.kind)
    }

    @Test func everyPunctuationLexesAsItself() {
        for p in Punctuation.allCases {
            #expect(kinds("a \(p.rawValue) b") == [.identifier, .punctuation(p), .identifier, .newline, .eof], "\(p.rawValue)")
        }
    }

    @Test func theLongestSpellingWins() {
        #expect(kinds("a..<b") == [.identifier, .punctuation(.dotDotLess), .identifier, .newline, .eof])
        #expect(kinds("a**=b") == [.identifier, .punctuation(.starStar), .punctuation(.assign), .identifier, .newline, .eof])
        #expect(kinds("1..2") == [.number, .punctuation(.dotDot), .number, .newline, .eof])
    }

    @Test func aLineBreakAfterAContinuingTokenDoesNotEndTheStatement() {
        for p in Punctuation.allCases where !p.row.isOpener {
            let k = kinds("a \(p.rawValue)\nb")
            let breaks = k.filter { $0 == .newline }.count
            #expect(breaks == (p.row.continuesLine ? 1 : 2), "\(p.rawValue): \(k)")
        }
        for word in Keyword.allCases {
            let breaks = kinds("a \(word.rawValue)\nb").filter { $0 == .newline }.count
            #expect(breaks == (word.continuesLine ? 1 : 2), "\(word.rawValue)")
        }
    }

    @Test func lineBreaksInsideParenthesesAndBracketsAreIgnored() {
        #expect(kinds("f(a,\nb)\n[1\n]") == [.identifier, .punctuation(.leftParen), .identifier, .punctuation(.comma), .identifier,
                                           .punctuation(.rightParen), .newline, .punctuation(.leftBracket), .number,
                                           .punctuation(.rightBracket), .newline, .eof])
        let unclosed = Lexer.tokenize(SourceFile(name: "t.pt", text: "f(a, [b\n")).unclosed
        #expect(unclosed.map(\.kind) == [.punctuation(.leftParen), .punctuation(.leftBracket)])
    }

    @Test func aStatementKeywordAtTheStartOfALineClosesAForgottenDelimiter() {
        let k = kinds("let x = f(1\nlet y = 2")
        #expect(k.filter { $0 == .newline }.count == 2)
    }
}
