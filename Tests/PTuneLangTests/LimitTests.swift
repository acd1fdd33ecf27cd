import Foundation
import PTuneNN
import Testing
@testable import PTuneLang

/// Every limit is a located error with its value in the message, and the session stays usable after it.
@Suite struct LimitTests {
    func failure(_ code: String, _ limits: Limits) -> String {
        let s = Session(options: SessionOptions(limits: limits), output: .discard)
        do {
            try s.run(SourceFile(name: "t.pt", text: code))
        } catch {
            #expect((try? s.run(SourceFile(name: "after.pt", text: "1 + 1")).first?.description) == "2")
            return error.diagnostics.first?.headline ?? "\(error)"
        }
        return "no error"
    }

    @Test func tensorBytesAreCheckedBeforeAllocating() {
        let limits = Limits(maxTensorBytes: 1 << 20)
        #expect(failure("let n = 300000\nlet t = zeros(n)", limits) == "t.pt:2:9: error: tensor of 1200000 bytes exceeds the limit of 1048576 bytes per tensor")
        // float64 takes twice the bytes of float32 for the same elements.
        #expect(failure("dtype float64\nlet n = 200000\nlet t = zeros(n)", limits).contains("1600000 bytes exceeds"))
        #expect(failure("let n = 200000\nlet t = zeros(n)", limits) == "no error")
    }

    @Test func elementsAndTotalMemory() {
        #expect(failure("let t = zeros(2000, 2000)", Limits(maxTensorElements: 1 << 20))
            .contains("tensor of 4000000 elements exceeds the limit of 1048576 elements"))
        #expect(failure("let keep = []\nfor i in 1..10 { keep = append(keep, zeros(1000000)) }", Limits(maxMemoryBytes: 16 << 20))
            .contains("the memory limit is 16777216 bytes"))
    }

    @Test func recursionDepthIsConfigurable() {
        let code = "fn down(n) = if_zero(n)\nfn if_zero(n) = down(n - 1)\nprint down(10)"
        #expect(failure(code, Limits(maxCallDepth: 30)).contains("function calls nested too deeply (more than 30)"))
        let count = "fn count(n) {\n  if n == 0 { return 0 }\n  return 1 + count(n - 1)\n}\nprint count(50)"
        #expect(failure(count, Limits(maxCallDepth: 100)) == "no error")
        #expect(failure(count, Limits(maxCallDepth: 40)).hasPrefix("t.pt:3:14: error: function calls nested too deeply"))
    }

    @Test func stepLimitStopsLoopsAndTraining() {
        #expect(failure("let i = 0\nwhile true { i += 1 }", Limits(maxSteps: 1000)) == "t.pt:2:1: error: stopped: the step limit of 1000 was reached")
        let train = "param w = zeros(2)\ndata d = dataset(x: ones(8, 2))\ntrain w on d {\n loss: sum(batch.x * w)\n optimizer: sgd(lr: 0.1)\n batch: 1\n steps: 100\n}"
        #expect(failure(train, Limits(maxSteps: 10)) == "t.pt:3:1: error: stopped: the step limit of 10 was reached in training 'w' at step 10 of 100; the parameters keep their trained values")
    }

    @Test func timeoutIsAnErrorAtTheRunningStatement() {
        let message = failure("let i = 0\nprint i\nwhile true { i += 1 }", Limits(timeout: 0.2))
        #expect(message.hasPrefix("t.pt:3:1: error: stopped: the time limit of 0.2 s was reached"), "\(message)")
    }

    /// A loss that turns NaN stops training at that step with the last finite loss; the parameters keep the values
    /// of the last finite step, and the session goes on.
    @Test func nanLossStopsTrainingNamingTheStep() throws {
        let s = Session(output: .discard)
        let code = "param w = zeros(1)\ndata d = dataset(x: ones(4, 1))\ntrain w on d {\n  loss: log(1 - sum(w))\n  optimizer: sgd(lr: 0.3)\n  batch: 4\n  steps: 10\n}"
        do {
            try s.run(SourceFile(name: "t.pt", text: code))
            Issue.record("the NaN loss should stop training")
        } catch {
            #expect(error.diagnostics.first?.headline == "t.pt:3:1: error: loss is nan at step 4; the last finite loss was -1.3040564060211182")
        }
        let w = try s.run(SourceFile(name: "after.pt", text: "item(w[0])")).first?.description ?? ""
        #expect(Double(w).map { $0.isFinite && $0 > 1 } == true, "w = \(w)")
    }

    /// With checkpoints every step, a NaN at step 3 leaves the checkpoint of step 2 complete and loadable, with
    /// finite weights.
    @Test func nanLossLeavesTheLastCheckpointIntact() throws {
        let folder = NSTemporaryDirectory() + "ptune-nan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let s = Session(options: SessionOptions(fileAccess: FileAccess(only: [folder])), output: .discard)
        let code = """
        seed 3
        data d = dataset(x: ones(4, 2))
        encoder pe = mlp(2, 2, hidden: 4)
        train pe on d {
          loss: log(3 - sum(pe()))
          optimizer: sgd(lr: 0.5)
          batch: 4
          steps: 200
          checkpoint: "ckpt.safetensors" every 1 steps
        }
        """
        do {
            try s.run(SourceFile(name: "t.pt", text: code, directory: folder))
            Issue.record("the NaN loss should stop training")
        } catch {
            #expect(error.diagnostics.first?.headline.hasPrefix("t.pt:4:1: error: loss is nan at step 3; the last finite loss was") == true)
        }
        let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: folder + "/ckpt.safetensors"))
        #expect(checkpoint.step == 2)
        for (_, state) in checkpoint.tasks {
            for (_, w) in state.weights { #expect(try w.doubles.allSatisfy(\.isFinite)) }
        }
        let loaded = try s.run(SourceFile(name: "after.pt", text: "encoder fresh = mlp(2, 2, hidden: 4)\nload fresh from \"ckpt.safetensors\"\nitem(sum(fresh()))", directory: folder))
        #expect(Double(loaded.first?.description ?? "").map(\.isFinite) == true, "\(loaded)")
    }
}
