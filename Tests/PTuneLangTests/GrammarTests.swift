import Foundation
import Testing

/// `grammar/ptune.ebnf` and the parser say the same thing: every rule the parser quotes in a comment (each parse
/// method opens with its rule) is in the grammar word for word, and every rule of the grammar is quoted by the
/// parser.
@Suite struct GrammarTests {
    /// Rules as `name → text`, whitespace collapsed.
    typealias Rules = [String: String]

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    /// The name a rule's first line defines (`statement = …` → `statement`), or nil.
    static func ruleName(_ line: String) -> String? {
        guard let eq = line.range(of: " = ") else { return nil }
        let name = line[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
        guard let first = name.first, first.isLetter, name.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return name
    }

    /// The rules of the grammar file, its `(* … *)` comments removed.
    static func grammarRules() throws -> Rules {
        var text = try String(contentsOf: GoldenRunner.repositoryRoot.appendingPathComponent("grammar/ptune.ebnf"), encoding: .utf8)
        while let open = text.range(of: "(*"), let close = text.range(of: "*)", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return rules(in: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    /// The rules quoted in `//` comments of the parser's files.
    static func parserRules() throws -> Rules {
        let folder = GoldenRunner.repositoryRoot.appendingPathComponent("Sources/PTuneLang/Syntax")
        var lines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasPrefix("Parser") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let t = line.trimmingCharacters(in: .whitespaces)
                lines.append(t.hasPrefix("// ") ? String(t.dropFirst(3)) : "")
            }
        }
        return rules(in: lines)
    }

    /// Rules in lines: one starts with `name = ` and runs to the line ending in `;`.
    static func rules(in lines: [String]) -> Rules {
        var out: Rules = [:]
        var current: (name: String, text: String)?
        for line in lines {
            if current == nil, let name = ruleName(line) { current = (name, "") }
            guard var c = current else { continue }
            c.text += " " + line
            current = c
            if line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                out[c.name] = collapse(c.text)
                current = nil
            }
        }
        return out
    }

    @Test func everyParserRuleIsInTheGrammar() throws {
        let grammar = try Self.grammarRules(), parser = try Self.parserRules()
        #expect(grammar.count >= 40 && parser.count >= 40)
        for (name, text) in parser.sorted(by: { $0.key < $1.key }) {
            #expect(grammar[name] == text, "the parser's '\(name)' differs from the grammar:\n  parser:  \(text)\n  grammar: \(grammar[name] ?? "(missing)")")
        }
    }

    @Test func everyGrammarRuleIsImplemented() throws {
        let grammar = try Self.grammarRules(), parser = try Self.parserRules()
        let missing = Set(grammar.keys).subtracting(parser.keys)
        #expect(missing.isEmpty, "grammar rules no parse method quotes: \(missing.sorted())")
    }
}
