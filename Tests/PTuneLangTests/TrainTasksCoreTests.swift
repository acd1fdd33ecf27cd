import Foundation
import Testing
import PTuneCore
import PTuneNN
@testable import PTuneLang

/// A `train` block with several tasks takes the step PTuneNN's multi-task p-tuning takes: the same frozen model and
/// encoders, one `PromptTuner` step on one `PromptBatch` mixing the tasks (each example's virtual tokens from its
/// task's encoder, one forward pass), the mean cross-entropy over all rows, SGD — the same loss and the same weights
/// after, to float64 rounding.
@Suite struct TrainTasksCoreTests {
    static let declarations = """
        seed 1
        dtype float64
        model g = gpt(40, 8, 1, 2, 16) frozen
        let ids = randint(0, 40, [6, 4])
        let lab = randint(0, 2, [6])
        let names = ["x", "y", "x", "x", "y", "x"]
        data d = dataset(ids: ids, label: lab, task: names)
        fn logits(e, i) = g.forward(i, encoder: e)[:, -1, 0:2]
        seed 2
        encoder a = embedding(2, g)
        encoder b = mlp(3, 8, hidden: 5)
        let tasks = {x: a, y: b}

        """
    static let block = """
        let run = train tasks on d {
          task: batch.task
          loss: cross_entropy(logits(tasks[task], batch.ids), batch.label)
          optimizer: sgd(lr: 0.5)
          batch: 6
          steps: 1
          shuffle: false
        }

        """

    @Test func oneMixedStepIsTheCoresMultiTaskStep() throws {
        let session = Session(output: .discard)
        try session.run(SourceFile(name: "decl.pt", text: Self.declarations))
        let scope = session.scope()
        guard case let .model(g)? = scope.value(of: "g"), let model = g.frozenModel,
              case let .encoder(a)? = scope.value(of: "a"), case let .encoder(b)? = scope.value(of: "b"),
              case let .tensor(ids)? = scope.value(of: "ids"), case let .tensor(labels)? = scope.value(of: "lab") else {
            Issue.record("the script's values are missing")
            return
        }
        // Copies of the encoders as they start, for the core.
        let ca = try Checkpoint(encoder: a.encoder, task: "x").makeEncoder(for: "x")
        let cb = try Checkpoint(encoder: b.encoder, task: "y").makeEncoder(for: "y")
        try session.run(SourceFile(name: "block.pt", text: Self.block))
        guard case let .record(run)? = session.scope().value(of: "run"),
              let i = run.names.firstIndex(of: "loss"), case let .list(losses) = run.values[i],
              case let .number(languageLoss)? = losses.items.first else {
            Issue.record("no history")
            return
        }

        let prompted = try PromptedModel(model: model, encoders: [("x", ca), ("y", cb)])
        let tuner = try PromptTuner(model: prompted, optimizer: SGD(learningRate: 0.5))
        let tasks = ["x", "y", "x", "x", "y", "x"]
        let rows = ids.doubles.map { Int($0) }
        let examples = try tasks.enumerated().map { r, task in
            try PromptExample.prepending(task == "x" ? 2 : 3, to: Array(rows[(r * 4)..<(r * 4 + 4)]), task: task)
        }
        let batch = try PromptBatch(examples)
        #expect(batch.tasks == ["x", "y"] && batch.hasPadding)
        let result = try tuner.step(batch) { out in
            // Each row's logits of classes 0 and 1 at its last real token.
            let picked = try (0..<batch.batchSize).map { r -> Tensor in
                guard let p = batch.realPositions[r].last else { throw NNError.invalidBatch("no real token") }
                return try out.output.narrowed(axis: 0, start: r, length: 1).narrowed(axis: 1, start: p, length: 1)
                    .narrowed(axis: 2, start: 0, length: 2).reshaped([1, 2])
            }
            return try Loss.crossEntropy(try Tensor.concat(picked, axis: 0), labels)
        }
        #expect(abs(result.loss - languageLoss) < 1e-12, "core \(result.loss), language \(languageLoss)")
        func gap(_ x: any PromptEncoder, _ y: any PromptEncoder) throws -> Double {
            try zip(x.parameters, y.parameters).map { p, q in
                zip(p.value.doubles, q.value.doubles).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        }
        #expect(try gap(ca, a.encoder) < 1e-12)
        #expect(try gap(cb, b.encoder) < 1e-12)
        // The step moved the encoders (the comparison above can fail).
        try session.run(SourceFile(name: "again.pt", text: "seed 2\nencoder a0 = embedding(2, g)\n"))
        guard case let .encoder(a0)? = session.scope().value(of: "a0") else { Issue.record("no a0"); return }
        #expect(try gap(a0.encoder, a.encoder) > 1e-6)
    }
}
