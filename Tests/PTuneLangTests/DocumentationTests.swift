import Foundation
import Testing
@testable import PTuneLang

/// Every ```ptune block of the documentation runs, in order (the tutorial's in one session, since its steps build
/// on each other; the reference's each on its own); blocks with `# =>` lines print exactly that, and blocks with
/// `# expect error:` lines fail exactly so.
@Suite struct DocumentationTests {
    static let documents = ["docs/language.md", "docs/tutorial.md", "docs/jupyter.md"]

    @Test(arguments: documents)
    func examplesRun(_ document: String) throws {
        let url = GoldenRunner.repositoryRoot.appendingPathComponent(document)
        let text = try String(contentsOf: url, encoding: .utf8)
        let blocks = GoldenRunner.ptuneBlocks(inMarkdown: text, name: (document as NSString).lastPathComponent)
        #expect(!blocks.isEmpty)
        let shared = document.hasSuffix("tutorial.md")
        for (name, expected, got) in GoldenRunner.run(blocks: blocks, directory: url.deletingLastPathComponent().path, shared: shared) {
            if !expected.output.isEmpty { #expect(got.output == expected.output, "output of the block at \(name)") }
            #expect(GoldenRunner.matches(got.errors, expected.errors), "errors of the block at \(name): \(got.errors)")
        }
    }

    @Test func everyBuiltinIsListedInTheReference() throws {
        let text = try String(contentsOf: GoldenRunner.repositoryRoot.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let words = Set(text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init))
        for b in BuiltinRegistry.standard.all { #expect(words.contains(b.name), "docs/language.md does not mention '\(b.name)'") }
    }

    @Test func everyExampleChecksClean() throws {
        let dir = GoldenRunner.repositoryRoot.appendingPathComponent("examples").path
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".pt") }.sorted()
        #expect(names.count >= 2)
        for name in names {
            let session = Session(output: .discard)
            do {
                try session.check(try session.load(dir + "/" + name), reportUnusedOverrides: true)
            } catch {
                Issue.record("examples/\(name) does not check: \(error)")
            }
        }
    }
}
