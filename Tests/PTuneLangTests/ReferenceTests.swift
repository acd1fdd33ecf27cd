import Foundation
import Testing
@testable import PTuneLang

/// The reference lists every builtin, and every example script checks clean. (What the documentation's blocks print
/// is checked by running them with the `ptune` binary: Tests/ptuneTests/DocumentationTests.swift.)
@Suite struct ReferenceTests {
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
