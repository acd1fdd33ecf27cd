import Foundation
import Testing
@testable import PTuneLang

/// The recipes of the method comparison (examples/methods/, docs/methods.md) check clean, and each runs to its test
/// accuracy with tiny settings when the models and the review split are fetched (the measured runs take an hour).
@Suite struct MethodRecipesTests {
    static let folder = GoldenRunner.repositoryRoot.appendingPathComponent("examples/methods").path

    /// The recipes, without the files they share.
    static func recipes(_ prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".pt") && !$0.hasSuffix("-common.pt") }.sorted()
    }

    /// Runs `file` with `overrides`; returns its printed lines, its `log_metric` results and its errors.
    static func run(_ file: String, _ overrides: [String]) throws -> (out: [String], results: [String: Double], errors: [String]) {
        var out: [String] = [], results: [String: Double] = [:], errors: [String] = []
        var options = SessionOptions(overrides: try overrides.map { try Override(parsing: $0) })
        options.fileAccess.allow(GoldenRunner.repositoryRoot.path)
        let session = Session(options: options, output: OutputSink(write: { out.append($0) }, note: { _ in }, log: { _ in }))
        session.onMetric = { results[$0] = $1 }
        do { _ = try session.runFile(folder + "/" + file) } catch { errors = error.diagnostics.map(\.headline) }
        return (out, results, errors)
    }

    @Test func everyRecipeChecksClean() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: MethodRecipesTests.folder).filter { $0.hasSuffix(".pt") }
        #expect(names.count == 15)
        for name in names {
            let session = Session(output: .discard)
            do {
                try session.check(try session.load(MethodRecipesTests.folder + "/" + name), reportUnusedOverrides: true)
            } catch {
                Issue.record("examples/methods/\(name) does not check: \(error)")
            }
        }
    }

    @Test(.enabled(if: FetchedFiles.smollm2Present && FetchedFiles.reviewsPresent, "\(FetchedFiles.skipMessage)"))
    func smollm2RecipesRunWithTinySettings() throws {
        let names = try MethodRecipesTests.recipes("smollm2-")
        #expect(names.count == 9)
        for name in names {
            let r = try MethodRecipesTests.run(name, ["train_n=4", "test_n=4", "batch_size=2", "steps=2"])
            #expect(r.errors.isEmpty, "\(name): \(r.errors)")
            #expect(r.out.contains { $0.hasPrefix("test accuracy: ") }, "\(name): \(r.out)")
            let accuracy = r.results["test_accuracy"]
            #expect(accuracy.map { (0...1).contains($0) } == true, "\(name): \(r.results)")
        }
    }

    @Test(.enabled(if: FetchedFiles.minilmPresent && FetchedFiles.reviewsPresent, "\(FetchedFiles.minilmSkipMessage)"))
    func miniLMRecipesRunWithTinySettings() throws {
        let names = try MethodRecipesTests.recipes("minilm-")
        #expect(names.count == 3)
        for name in names {
            var overrides = ["train_n=8", "test_n=4", "batch_size=4"]
            switch name {
            case "minilm-linear-probe.pt": overrides.append("probe_epochs=1")
            case "minilm-ptuning-v2.pt": overrides += ["deep_epochs=1", "valid_n=4", "eval_every=1"]
            default: overrides.append("epochs=1")
            }
            let r = try MethodRecipesTests.run(name, overrides)
            #expect(r.errors.isEmpty, "\(name): \(r.errors)")
            #expect(r.out.contains { $0.hasPrefix("test accuracy: ") }, "\(name): \(r.out)")
            #expect(r.results["test_accuracy"].map { (0...1).contains($0) } == true, "\(name): \(r.results)")
        }
    }
}
