import Foundation
import PTuneCore
import Testing
@testable import PTuneLang

/// The highlighters know the language the lexer knows: the Pygments lexer's word and operator lists and the
/// TextMate grammar's are the token table's (`Keyword`, `ContextualWord`, `Punctuation`), the grammar file's
/// (`grammar/ptune.ebnf`) and the builtin registry's. Adding a keyword, an operator or a builtin without teaching the
/// highlighters fails here.
@Suite struct HighlighterTests {
    static let root = GoldenRunner.repositoryRoot

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static var keywords: Set<String> { Set(Keyword.allCases.map(\.rawValue)) }
    static var contextualWords: Set<String> { Set(ContextualWord.allCases.map(\.rawValue)) }
    static var punctuation: Set<String> { Set(Punctuation.allCases.map(\.rawValue)) }
    static var builtins: Set<String> { Set(BuiltinRegistry.standard.globalNames) }

    /// The quoted strings of the Python tuple `NAME = (…)` (or of several joined with `+`).
    static func pythonTuple(_ name: String, in text: String) -> Set<String> {
        guard let start = text.range(of: "\n\(name) = ") else { return [] }
        let rest = text[start.upperBound...]
        let line = rest.prefix { $0 != "\n" }
        if !line.hasPrefix("(") {
            // NAME = A + B + …: the union of those tuples.
            return line.split(separator: "+").reduce(into: Set<String>()) { $0.formUnion(pythonTuple(String($1.trimmingCharacters(in: .whitespaces)), in: text)) }
        }
        guard let close = rest.range(of: ")\n") else { return [] }
        return quoted(String(rest[..<close.lowerBound]))
    }

    static func quoted(_ text: String) -> Set<String> {
        var out: Set<String> = []
        var current: String?
        for c in text {
            if c == "\"" {
                if let word = current { out.insert(word); current = nil } else { current = "" }
            } else if current != nil {
                current?.append(c)
            }
        }
        return out
    }

    @Test func pygmentsListsAreTheTokenTable() throws {
        let text = try HighlighterTests.read("editors/pygments/ptune_lexer.py")
        #expect(HighlighterTests.pythonTuple("KEYWORDS", in: text) == HighlighterTests.keywords)
        #expect(HighlighterTests.pythonTuple("CONTEXTUAL_WORDS", in: text) == HighlighterTests.contextualWords)
        #expect(HighlighterTests.pythonTuple("OPERATORS", in: text).union(HighlighterTests.pythonTuple("PUNCTUATION", in: text))
                == HighlighterTests.punctuation)
        #expect(HighlighterTests.pythonTuple("BUILTINS", in: text) == HighlighterTests.builtins)
    }

    /// The words of `\b(?:a|b|c)\b`-style alternations in a regex.
    static func alternation(_ regex: String) -> Set<String> {
        guard let open = regex.range(of: "(?:"), let close = regex[open.upperBound...].firstIndex(of: ")") else { return [] }
        return Set(regex[open.upperBound..<close].split(separator: "|").map(String.init))
    }

    @Test func textMateGrammarIsTheTokenTable() throws {
        let grammar = try JSONValue.parse(HighlighterTests.read("grammar/ptune.tmLanguage.json"))
        let repository = try #require(grammar["repository"])
        #expect(grammar["scopeName"]?.stringValue == "source.ptune")
        // Reserved words.
        var words: Set<String> = []
        for p in repository["keyword"]?["patterns"]?.arrayValue ?? [] {
            words.formUnion(HighlighterTests.alternation(p["match"]?.stringValue ?? ""))
        }
        #expect(words == HighlighterTests.keywords)
        // Contextual words: each is highlighted by one of the statement patterns.
        let statements = (repository["statement"]?["patterns"]?.arrayValue ?? []).compactMap { $0["match"]?.stringValue }.joined(separator: " ")
        let statementWords = Set(statements.split(whereSeparator: { !$0.isLetter }).map(String.init))
        for w in HighlighterTests.contextualWords {
            #expect(statementWords.contains(w), "the TextMate grammar does not highlight '\(w)'")
        }
        // Operators and punctuation.
        let ops = try #require(repository["operator"]?["match"]?.stringValue)
        let operators = Set(ops.split(separator: "|").map { $0.replacingOccurrences(of: "\\", with: "") })
        let brackets = ["(", ")", "[", "]", "{", "}"], separators = [",", ":", ";", "."]
        #expect(operators.union(brackets).union(separators) == HighlighterTests.punctuation)
        let punctuation = (repository["punctuation"]?["patterns"]?.arrayValue ?? []).compactMap { $0["match"]?.stringValue }
        #expect(punctuation == ["[()\\[\\]{}]", "[,:;.]"])
        // Builtins.
        #expect(HighlighterTests.alternation(repository["builtin"]?["match"]?.stringValue ?? "") == HighlighterTests.builtins)
    }

    @Test func grammarFileNamesTheSameWordsAndOperators() throws {
        let ebnf = try HighlighterTests.read("grammar/ptune.ebnf")
        func wordsAfter(_ marker: String, upTo end: String) -> Set<String> {
            guard let s = ebnf.range(of: marker), let e = ebnf[s.upperBound...].range(of: end) else { return [] }
            return Set(ebnf[s.upperBound..<e.lowerBound].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
        #expect(wordsAfter("Keywords are reserved:", upTo: ".\n") == HighlighterTests.keywords)
        #expect(wordsAfter("names elsewhere:", upTo: " (so") == HighlighterTests.contextualWords)
        // Operators: the quoted terminals of the rules, and the precedence table's.
        var rules = ebnf
        while let open = rules.range(of: "(*"), let close = rules.range(of: "*)", range: open.upperBound..<rules.endIndex) {
            rules.removeSubrange(open.lowerBound..<close.upperBound)
        }
        var operators = HighlighterTests.quoted(rules).filter { !($0.first?.isLetter ?? true) }
        for line in ebnf.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("level ") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            operators.formUnion(parts.dropFirst(2).prefix { !($0.first?.isLetter ?? true) && $0 != "(prefix)" }.map(String.init))
        }
        #expect(operators == HighlighterTests.punctuation)
    }
}
