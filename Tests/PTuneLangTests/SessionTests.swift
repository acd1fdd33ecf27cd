import Foundation
import Testing
@testable import PTuneLang

/// The API the REPL and the CLI build on: persistent sessions, values of bare expressions, introspection, hooks,
/// cancellation, overrides and file access.
@Suite struct SessionTests {
    final class Capture: @unchecked Sendable {
        var lines: [String] = []
        var notes: [String] = []
        var sink: OutputSink { OutputSink(write: { self.lines.append($0) }, note: { self.notes.append($0) }) }
    }

    func entry(_ text: String) -> SourceFile { SourceFile(name: "<repl>", text: text) }

    @Test func entriesShareStateAndBareExpressionsReturnValues() throws {
        let out = Capture()
        let s = Session(output: out.sink)
        try s.run(entry("dim embed = 4\nlet w = zeros(2, embed)"))
        let values = try s.run(entry("w.shape\nembed * 2"))
        #expect(values.map(\.description) == ["[2, 4]", "8"])
        #expect(try s.type(of: "w").description == "tensor [2, embed] float32")
        #expect(try s.type(of: "concat(w, w)").description == "tensor [4, embed] float32")
    }

    @Test func aFailedEntryKeepsEarlierStateAndForgetsItsOwnNames() throws {
        let s = Session(output: .discard)
        try s.run(entry("let a = 1"))
        #expect(throws: RunFailure.self) { try s.run(entry("let b = 2\nlet c = 1 / 0")) }
        #expect(try s.run(entry("a + b")).first?.description == "3") // b's statement ran before the error
        do {
            try s.run(entry("c"))
            Issue.record("c should be unknown")
        } catch {
            #expect(error.diagnostics.first?.message == .unknownName("c", suggestion: nil) || error.diagnostics.first?.headline.contains("'c'") == true)
        }
    }

    @Test func failuresSayWhatKindTheyAre() {
        let s = Session(output: .discard)
        #expect(throws: RunFailure.self) { try s.run(entry("let x = (1")) }
        do { try s.run(entry("let x = (")) } catch { if case .incomplete = error {} else { Issue.record("not incomplete: \(error)") } }
        do { try s.run(entry("let x = )")) } catch { if case .syntax = error {} else { Issue.record("not a syntax error: \(error)") } }
        do { try s.run(entry("let x = nope")) } catch { if case .check = error {} else { Issue.record("not a check error: \(error)") } }
        do { try s.run(entry("assert false")) } catch { if case .runtime = error {} else { Issue.record("not a runtime error: \(error)") } }
    }

    @Test func bindingsListKindsShapesAndParameterCounts() throws {
        let s = Session(output: .discard)
        try s.run(entry("dtype float64\ndim n = 3\nparam p = zeros(n, 2)\nfrozen f = ones(2)\nfn g(x) = x"))
        let b = s.bindings()
        #expect(b.map(\.name) == ["n", "p", "f", "g"])
        #expect(b.map(\.kind) == [.dim, .param, .frozen, .function])
        #expect(b[1].shape == [3, 2] && b[1].parameterCount == 6 && b[1].isTrainable)
        #expect(b[2].dtype == "float64" && !b[2].isTrainable)
    }

    @Test func completionHelpersKnowMembersAndArguments() throws {
        let s = Session(output: .discard)
        try s.run(entry("data d = dataset(x: ones(4, 2), y: zeros(4))\nlet opt = sgd(lr: 0.1)\nlet x = ones(3)"))
        #expect(s.members(of: "d").starts(with: ["x", "y", "count", "columns"]))
        #expect(s.members(of: "opt").contains("step") && s.members(of: "opt").contains("lr"))
        #expect(s.members(of: "x").contains("shape") && s.members(of: "x").contains("sum"))
        #expect(s.members(of: "x + 1").contains("mean"))
        #expect(s.parameterNames(ofCallee: "sgd") == ["params", "lr", "momentum", "nesterov", "weight_decay"])
        #expect(s.parameterNames(ofCallee: "train").contains("optimizer"))
        #expect(s.completionNames.contains("opt") && s.completionNames.contains("randn") && s.completionNames.contains("let"))
    }

    @Test func everyBuiltinDocumentsItself() {
        for b in BuiltinRegistry.standard.all {
            #expect(!b.summary.isEmpty && !b.example.isEmpty, "\(b.name)")
        }
    }

    @Test func trainingReportsProgressAndCanBeCancelled() throws {
        let flag = CancellationFlag()
        let s = Session(output: .discard, cancellation: flag)
        var steps: [Int] = []
        s.onTrainProgress = { p in
            steps.append(p.step)
            if p.step == 5 { flag.cancel() }
        }
        try s.run(entry("param w = zeros(2)\ndata d = dataset(x: ones(40, 2))"))
        do {
            try s.run(entry("train w on d { loss: sum(square(batch.x @ w - 1))\n optimizer: sgd(lr: 0.01)\n batch: 1\n epochs: 2 }"))
            Issue.record("training should have been interrupted")
        } catch {
            #expect(error.diagnostics.first?.headline.contains("stopped at step 5 of 80") == true)
        }
        #expect(steps == [1, 2, 3, 4, 5])
        // The trained values are kept and the session goes on.
        flag.reset()
        #expect(try s.run(entry("item(w[0]) > 0")).first?.description == "true")
    }

    @Test func loopsStopWhenCancelled() {
        let flag = CancellationFlag()
        flag.cancel()
        let s = Session(output: .discard, cancellation: flag)
        do {
            try s.run(entry("while true { }"))
            Issue.record("should stop")
        } catch { #expect(error.diagnostics.first?.message == .interrupted("stopped by the user")) }
    }

    @Test func timeoutStopsLongRuns() {
        let s = Session(options: SessionOptions(limits: Limits(timeout: 0.2)), output: .discard)
        do {
            try s.run(entry("let i = 0\nwhile true { i += 1 }"))
            Issue.record("should time out")
        } catch { #expect(error.diagnostics.first?.headline.contains("time limit") == true) }
    }

    @Test func seedOverrideWinsAndDefaultSeedIsAnnounced() throws {
        let out = Capture()
        let a = Session(options: SessionOptions(seedOverride: 9), output: out.sink)
        let b = Session(output: .discard)
        let x = try a.run(entry("seed 1\nitem(randn(1)[0])")).first?.description
        let y = try b.run(entry("seed 9\nitem(randn(1)[0])")).first?.description
        #expect(x == y)
        #expect(out.notes.isEmpty)
        let c = Capture()
        _ = try Session(output: c.sink).run(entry("randn(2)\nrandn(2)"))
        #expect(c.notes == ["note: no 'seed' statement: using the default seed 0"])
    }

    @Test func overridesReplaceDimsAndLiteralLets() throws {
        let overrides = [try Override(parsing: "embed=8"), try Override(parsing: "lr=0.5"), try Override(parsing: "name=run7")]
        let s = Session(options: SessionOptions(overrides: overrides), output: .discard)
        let v = try s.run(entry("dim embed = 4\nlet lr = 0.01\nlet name = \"base\"\nlet derived = lr * 2\nembed\nlr\nname\nderived"))
        #expect(v.map(\.description) == ["8", "0.5", "run7", "1"])
        #expect(throws: Diagnostic.self) { try Override(parsing: "no equals sign") }
        let unused = Session(options: SessionOptions(overrides: [try Override(parsing: "nothing=1")]), output: .discard)
        do {
            try unused.run(entry("let x = 1"), reportUnusedOverrides: true)
            Issue.record("an unused override is an error in a script")
        } catch { #expect(error.diagnostics.first?.headline.contains("'nothing'") == true) }
    }

    /// An override keeps the kind of the literal it replaces, checked before anything runs (`ptune check` too).
    @Test func overridesOfAnotherKindAreCheckErrors() throws {
        for (given, got) in [("lr=abc", "a string"), ("lr=true", "a bool"), ("name=3", "a number"), ("lr=[1, 2]", "a list")] {
            let s = Session(options: SessionOptions(overrides: [try Override(parsing: given)]), output: .discard)
            do {
                try s.check(entry("let lr = 0.01\nlet name = \"base\"\nprint lr, name"))
                Issue.record("--set \(given) was accepted")
            } catch {
                guard case .check = error else { Issue.record("--set \(given): \(error)"); continue }
                let want = given.hasPrefix("lr") ? "a number" : "a string"
                #expect(error.diagnostics.first?.headline == "<repl>:\(given.hasPrefix("lr") ? 1 : 2):\(given.hasPrefix("lr") ? 10 : 12): error: --set: \(given): '\(given.prefix { $0 != "=" })' is \(want) here, so its value must be one too, not \(got)")
            }
        }
        // The same kind is fine: a bare word is a string.
        let ok = Session(options: SessionOptions(overrides: [try Override(parsing: "name=run7"), try Override(parsing: "lr=1e-3")]), output: .discard)
        try ok.check(entry("let lr = 0.01\nlet name = \"base\""))
    }

    @Test func transcriptKeepsEntriesThatRan() throws {
        let s = Session(output: .discard)
        try s.run(entry("let a = 1"))
        _ = try? s.run(entry("let b = nope"))
        try s.run(entry("print a"))
        #expect(s.transcript == ["let a = 1", "print a"])
        s.reset()
        #expect(s.transcript.isEmpty && s.bindings().isEmpty)
    }
}
