import Foundation
import Testing
@testable import PTuneFuzz

/// Every input that once crashed a fuzz harness or stands for a hazard it guards against, every malformed file of the
/// bad-input corpus that belongs to a harness, and every committed seed go through the harness's code path again on
/// each test run (no fuzzer needed). A crash fails the suite as it failed under libFuzzer; an outcome other than the
/// expected one (a refused input now read, a different error) fails its test case.
@Suite struct FuzzRegressionTests {
    /// The repository's root (for the committed seeds and the bad-input corpus).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What a harness must make of an input.
    enum Expected: Equatable, CustomStringConvertible {
        /// Read, run or encoded to the end.
        case accepted
        /// Refused with an error whose first line contains the text (any error when empty).
        case rejected(containing: String)

        /// `accepted` or `rejected: TEXT`, as `expected.txt` writes it; nil for anything else.
        init?(_ text: String) {
            if text == "accepted" { self = .accepted; return }
            guard text.hasPrefix("rejected:") else { return nil }
            self = .rejected(containing: text.dropFirst("rejected:".count).trimmingCharacters(in: .whitespaces))
        }

        /// Whether `outcome` is this.
        func matches(_ outcome: FuzzOutcome) -> Bool {
            switch (self, outcome) {
            case (.accepted, .accepted): return true
            case let (.rejected(text), .rejected(message)): return text.isEmpty || message.contains(text)
            case (.accepted, .rejected), (.rejected, .accepted): return false
            }
        }

        var description: String {
            switch self {
            case .accepted: return "accepted"
            case .rejected(let text): return "rejected: " + (text.isEmpty ? "(any error)" : text)
            }
        }
    }

    /// One input with its expected outcome.
    struct Case {
        var name: String
        var bytes: [UInt8]
        var expected: Expected
    }

    /// The files of `folder`, sorted (none when it does not exist; README and expectation files skipped).
    static func inputs(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" && $0 != "expected.txt" }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    /// The names in `Tests/ptuneTests/BadInput` that begin with these belong to the harness. Every one is malformed,
    /// so the harness must refuse it. (Scripts go to the interpreter as script text: a leading even byte.)
    static func badInputPrefixes(_ target: FuzzTarget) -> [String] {
        switch target {
        case .parser: return ["syntax_", "check_"]
        case .interpreter: return ["run_"]
        case .safetensors: return ["safetensors_"]
        case .gguf: return ["gguf_"]
        case .jsonl: return ["jsonl_"]
        case .csv: return ["csv_"]
        case .tsv: return ["tsv_"]
        case .bpe, .wordpiece: return []
        }
    }

    /// The saved inputs of `target` (with `expected.txt`'s outcomes) and its bad-input files.
    static func cases(_ target: FuzzTarget) throws -> [Case] {
        var cases: [Case] = []
        if let base = Bundle.module.resourceURL?.appendingPathComponent("Regressions/\(target.rawValue)") {
            let files = inputs(in: base)
            var expected: [String: Expected] = [:]
            if !files.isEmpty {
                let manifest = try String(contentsOf: base.appendingPathComponent("expected.txt"), encoding: .utf8)
                for line in manifest.split(separator: "\n") where !line.hasPrefix("#") {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2, let e = Expected(parts[1]) else {
                        Issue.record("\(target.rawValue)/expected.txt: cannot read '\(line)'")
                        continue
                    }
                    expected[parts[0]] = e
                }
            }
            for url in files {
                guard let e = expected.removeValue(forKey: url.lastPathComponent) else {
                    Issue.record("Regressions/\(target.rawValue)/\(url.lastPathComponent) has no line in expected.txt")
                    continue
                }
                cases.append(Case(name: url.lastPathComponent, bytes: Array(try Data(contentsOf: url)), expected: e))
            }
            for name in expected.keys.sorted() { Issue.record("Regressions/\(target.rawValue)/expected.txt names a missing file '\(name)'") }
        }
        let prefixes = badInputPrefixes(target)
        for url in inputs(in: root.appendingPathComponent("Tests/ptuneTests/BadInput"))
        where prefixes.contains(where: url.lastPathComponent.hasPrefix) {
            let bytes = Array(try Data(contentsOf: url))
            cases.append(Case(name: "BadInput/" + url.lastPathComponent, bytes: target == .interpreter ? [0] + bytes : bytes,
                              expected: .rejected(containing: "")))
        }
        return cases
    }

    @Test(arguments: FuzzTarget.allCases)
    func regressionsKeepTheirOutcomes(_ target: FuzzTarget) throws {
        let cases = try FuzzRegressionTests.cases(target)
        #expect(cases.count >= 3, "only \(cases.count) regression inputs for \(target.rawValue)")
        for c in cases {
            let outcome = target.run(c.bytes)
            #expect(c.expected.matches(outcome), "\(target.rawValue) \(c.name): expected \(c.expected), got \(outcome)")
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsRunThroughTheirHarness(_ target: FuzzTarget) throws {
        let seeds = FuzzRegressionTests.inputs(in: FuzzRegressionTests.root.appendingPathComponent("fuzz/seeds/\(target.rawValue)"))
        #expect(!seeds.isEmpty, "no committed seeds for \(target)")
        for url in seeds { target.run(Array(try Data(contentsOf: url))) }
    }

    /// The generator turns any bytes into a program that ends, and the same bytes into the same program.
    @Test func generatedProgramsAreDeterministic() {
        for n in [0, 1, 7, 64, 300] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
            var a = ProgramGenerator(bytes), b = ProgramGenerator(bytes)
            let p = a.program()
            #expect(p == b.program())
            #expect(p.hasPrefix("seed "))
        }
    }

    /// The tokenizer harnesses' vocabularies build, and the BPE one round-trips text outside its merges.
    @Test func harnessVocabulariesWork() throws {
        let bpe = try #require(TokenizerHarness.bpeTokenizer)
        let text = "Café \u{1F600} the movie\n\t12"
        #expect(try bpe.decode(bpe.encode(text, addSpecialTokens: false)) == text)
        #expect(TokenizerHarness.wordPieceTokenizer != nil)
    }

    /// Outcomes say what happened: a clean input is accepted, a malformed one rejected with its error's first line.
    @Test func outcomesNameTheError() {
        #expect(FuzzTarget.parser.run(Array("let x = 1\nprint x\n".utf8)) == .accepted)
        #expect(FuzzTarget.parser.run(Array("let = 1".utf8)) == .rejected("fuzz.pt:1:5: error: expected a name after 'let', found '='"))
        #expect(FuzzTarget.csv.run(Array("a,b\n1,2\n".utf8)) == .accepted)
        guard case .rejected(let message) = FuzzTarget.csv.run(Array("a,b\n1\n".utf8)) else {
            Issue.record("a ragged CSV was accepted")
            return
        }
        #expect(message.contains("row 2 has 1 fields") && !message.contains("\n"))
    }
}
