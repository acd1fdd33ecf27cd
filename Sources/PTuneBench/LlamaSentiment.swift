import Foundation
import PTuneCore
import PTuneModels
import PTuneNN

/// The sentiment recipe of the PEFT anchor, driven from Swift (`ptune-bench llm-sentiment`): zero-shot accuracy of
/// `Review: {text}\nSentiment:` on the test split, then p-tuning with 10 prepended virtual tokens (MLP encoder 256,
/// AdamW 3e-3, batch 8, 2 epochs, two-way label-word loss), validation every 50 steps, test after each epoch and
/// with the best-validation encoder.
enum LlamaSentiment {
    struct Example { let tokens: [Int]; let label: Int }

    /// Prints a line at once (stdout is block-buffered when redirected; progress should show as it happens).
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    static func load(_ split: String, _ tokenizer: ByteLevelBPE) throws -> [Example] {
        let text = try String(contentsOfFile: LlamaBench.home + "/data/reviews/\(split).jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let t = o["text"] as? String, let y = o["label"] as? Int else { return nil }
            return Example(tokens: tokenizer.encode("Review: \(t)\nSentiment:"), label: y)
        }
    }

    /// Accuracy of argmax over the two label logits, batches of `batch` sorted by length.
    static func accuracy(_ model: DecoderModel, _ virtual: Tensor, _ data: [Example], batch: Int = 32) throws -> Double {
        let order = data.indices.sorted { data[$0].tokens.count < data[$1].tokens.count }
        var correct = 0
        try Tensor.withoutRecording {
            for start in stride(from: 0, to: order.count, by: batch) {
                let idx = Array(order[start..<Swift.min(start + batch, order.count)])
                let lg = try model.labelLogits(virtualTokens: virtual, sequences: idx.map { data[$0].tokens },
                                               labelTokens: LlamaStepBench.labelTokens).doubles
                for (k, i) in idx.enumerated() where (lg[2 * k + 1] > lg[2 * k] ? 1 : 0) == data[i].label { correct += 1 }
            }
        }
        return Double(correct) / Double(data.count)
    }

    static func run(epochs: Int = 2, evalEvery: Int = 50) throws {
        let t0 = Clock.now()
        let file = try GGUFFile(path: LlamaBench.modelPath)
        let model = try DecoderModel(gguf: file)
        let tokenizer = try ByteLevelBPE(gguf: file)
        let train = try load("train", tokenizer), valid = try load("valid", tokenizer), test = try load("test", tokenizer)
        let none = try Tensor.zeros([0, model.config.hiddenSize])
        var t = Clock.now()
        let zero = try accuracy(model, none, test)
        say("zero-shot test \(fmt(zero, 4)) (\(fmt(Clock.now() - t, 1)) s, \(test.count) sentences)")
        let encoder = try LlamaStepBench.Encoder(tokens: 10, dim: model.config.hiddenSize, hidden: 256, seed: 0)
        var g = Generator(seed: 0)
        var step = 0, stepTimes: [Double] = [], best = (acc: -1.0, step: 0, params: [String: Tensor]())
        func validate() throws {
            t = Clock.now()
            let v = try Tensor.withoutRecording { try accuracy(model, encoder.encode().detached(), valid) }
            say("step \(step): valid \(fmt(v, 4)) (\(fmt(Clock.now() - t, 1)) s) | wall \(fmt(Clock.now() - t0, 0)) s")
            if v > best.acc { best = (v, step, encoder.encoder.parameters.stateDict()) }
        }
        try validate()
        for epoch in 0..<epochs {
            let perm = try Tensor.rand([train.count], using: &g).doubles.enumerated().sorted { $0.element < $1.element }.map(\.offset)
            var losses: [Double] = []
            for b in stride(from: 0, to: perm.count, by: 8) {
                let idx = Array(perm[b..<Swift.min(b + 8, perm.count)])
                let s0 = Clock.now()
                losses.append(try LlamaStepBench.step(model, encoder, idx.map { train[$0].tokens }, labels: idx.map { train[$0].label }))
                stepTimes.append(Clock.now() - s0)
                step += 1
                if step % 10 == 0 {
                    let recent = losses.suffix(10)
                    say("ep \(epoch) step \(step): loss \(fmt(recent.reduce(0, +) / Double(recent.count), 4)) | \(fmt(stepTimes.last ?? 0, 3)) s/step")
                }
                if step % evalEvery == 0 || b + 8 >= perm.count { try validate() }
            }
            t = Clock.now()
            let acc = try Tensor.withoutRecording { try accuracy(model, encoder.encode().detached(), test) }
            say("== epoch \(epoch + 1): TEST \(fmt(acc, 4)) (\(fmt(Clock.now() - t, 1)) s) | wall \(fmt(Clock.now() - t0, 0)) s")
        }
        let sorted = stepTimes.sorted()
        say("median step \(fmt(sorted[sorted.count / 2], 3)) s, training \(fmt(stepTimes.reduce(0, +), 0)) s, wall \(fmt(Clock.now() - t0, 0)) s, peak RSS \(fmt(Double(peakRSSBytes()) / 1e6, 0)) MB")
        if best.step != step {
            let current = encoder.encoder.parameters.stateDict()
            try encoder.encoder.load(weights: best.params)
            let acc = try Tensor.withoutRecording { try accuracy(model, encoder.encode().detached(), test) }
            say("best-valid encoder (step \(best.step), valid \(fmt(best.acc, 4))): TEST \(fmt(acc, 4))")
            try encoder.encoder.load(weights: current)
        }
    }
}
