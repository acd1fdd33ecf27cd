import Foundation
import Testing
@testable import PTuneFuzz

/// Every input that ever crashed a fuzz harness, and every committed seed, goes through the harness's code path
/// again on each test run (no fuzzer needed): a regression traps here as it trapped under libFuzzer.
@Suite struct FuzzRegressionTests {
    /// The repository's root (for the committed seeds).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The files of `folder`, sorted (none when it does not exist; README files skipped).
    static func inputs(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { folder.appendingPathComponent($0) }
    }

    static func regressions(_ target: FuzzTarget) -> [URL] {
        guard let base = Bundle.module.resourceURL?.appendingPathComponent("Regressions") else { return [] }
        return inputs(in: base.appendingPathComponent(target.rawValue))
    }

    @Test(arguments: FuzzTarget.allCases)
    func savedCrashesNoLongerCrash(_ target: FuzzTarget) throws {
        for url in FuzzRegressionTests.regressions(target) {
            target.run(Array(try Data(contentsOf: url)))
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
}
