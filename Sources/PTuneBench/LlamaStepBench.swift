import Foundation
import PTuneCore
import PTuneModels
import PTuneNN

/// One p-tuning step of SmolLM2 as the PEFT anchor runs it: 10 virtual tokens from PEFT's MLP prompt encoder
/// (embedding → 576→256 → ReLU → 256→256 → ReLU → 256→576, 367,296 parameters), batch 8, two-way cross-entropy over
/// the label words " negative" / " positive" at the answer position, AdamW (lr 3e-3, PyTorch defaults).
enum LlamaStepBench {
    /// PEFT's MLP prompt encoder (PTuneNN) with its AdamW optimizer.
    final class Encoder {
        let encoder: MLPPromptEncoder
        let optimizer: Adam

        init(tokens: Int, dim: Int, hidden: Int, seed: UInt64) throws {
            var g = Generator(seed: seed)
            encoder = try MLPPromptEncoder(numVirtualTokens: tokens, tokenDim: dim, hiddenSize: hidden, using: &g)
            optimizer = try Adam.adamW(learningRate: 3e-3)
        }

        /// The virtual tokens `[n, d]`.
        func encode() throws -> Tensor { try encoder.encode() }
    }

    static let labelTokens = [3524, 2731]

    /// One step: forward, two-way loss over `words` (SmolLM2's " negative" / " positive" unless given), gradients
    /// of the encoder only, AdamW.
    static func step(_ model: DecoderModel, _ encoder: Encoder, _ batch: [[Int]], labels: [Int],
                     words: [Int] = labelTokens) throws -> Double {
        try timedStep(model, encoder, batch, labels: labels, words: words).loss
    }

    /// One step as ``step(_:_:_:labels:words:)``, with the seconds of its three passes: the forward (encoder,
    /// frozen model, loss), the backward to the encoder's parameters, and the optimizer's update. The encoder, the
    /// loss and the update are ``StageProfile`` stages of their own.
    static func timedStep(_ model: DecoderModel, _ encoder: Encoder, _ batch: [[Int]], labels: [Int],
                          words: [Int] = labelTokens) throws -> (loss: Double, forward: Double, backward: Double, update: Double) {
        let t0 = Clock.now()
        let virtual = try StageProfile.measure(LlamaStepProfile.encoderStage) { try encoder.encode() }
        let logits = try model.labelLogits(virtualTokens: virtual, sequences: batch, labelTokens: words)
        let loss = try StageProfile.measure(LlamaStepProfile.lossStage) {
            let y = try Tensor(shape: [labels.count], scalars: labels.map(Int64.init))
            return try -(logits.logSoftmax(axis: -1).picking(y).mean())
        }
        let t1 = Clock.now()
        let params = encoder.encoder.parameters
        let grads = try Tensor.gradients(of: loss, wrt: params.map(\.value))
        let t2 = Clock.now()
        try StageProfile.measure(LlamaStepProfile.updateStage) { try encoder.optimizer.update(params, along: grads) }
        let t3 = Clock.now()
        return (try loss.scalarValue(), t1 - t0, t2 - t1, t3 - t2)
    }

    /// `count` batches of 8 of `sequences` in a fixed shuffled order (the same in every run).
    static func batches(_ sequences: [[Int]], count: Int) throws -> [[[Int]]] {
        var g = Generator(seed: 0)
        let order = try Tensor.randint([sequences.count], in: 0..<Int.max, using: &g).ints.enumerated()
            .sorted { $0.element < $1.element }.map(\.offset)
        return (0..<count).map { b in (0..<8).map { sequences[order[(b * 8 + $0) % order.count]] } }
    }

    /// Step timings on batches of real review prompts (median of 20, after 2 warm-ups) and on a batch of 8 × 45
    /// tokens, with FLOPs and the fraction of the sgemm mix throughput.
    static func steps(_ model: DecoderModel, sequences: [[Int]], sgemm: Double, usingData: Bool) throws -> Table {
        var table = Table(title: "SmolLM2-135M p-tuning step (batch 8, 10 virtual tokens, MLP encoder 256, AdamW, two-way loss)",
                          header: ["batch", "rows (10 + real)", "step s", "GFLOP", "GFLOPS", "of sgemm mix", "peak RSS MB"])
        let encoder = try Encoder(tokens: 10, dim: model.config.hiddenSize, hidden: 256, seed: 0)
        let all = try batches(sequences, count: 22)
        func batch(_ b: Int) -> [[Int]] { all[b] }
        func flops(_ seqs: [[Int]]) -> Double { 2 * model.labelLogitsFLOPs(virtualCount: 10, lengths: seqs.map(\.count), labels: 2) }
        for b in 0..<2 { _ = try step(model, encoder, batch(b), labels: [0, 1, 0, 1, 1, 0, 1, 0]) }
        var times: [Double] = [], rows: [Int] = [], work: [Double] = []
        for b in 2..<22 {
            let seqs = batch(b)
            let t0 = Clock.now()
            _ = try step(model, encoder, seqs, labels: [0, 1, 0, 1, 1, 0, 1, 0])
            times.append(Clock.now() - t0)
            rows.append(10 + seqs.reduce(0) { $0 + $1.count })
            work.append(flops(seqs))
        }
        let order2 = times.indices.sorted { times[$0] < times[$1] }
        let mid = order2[order2.count / 2]
        let rate = work.reduce(0, +) / times.reduce(0, +) / 1e9
        table.add([usingData ? "review prompts, median of 20" : "random tokens, median of 20", "\(rows[mid]) (mean \(rows.reduce(0, +) / rows.count))",
                   fmt(times[mid], 3), fmt(work[mid] / 1e9), fmt(rate), fmt(rate / sgemm * 100, 0) + "%",
                   fmt(Double(peakRSSBytes()) / 1e6, 0)])
        // The anchor's shape: every example 45 tokens (PEFT pads each batch to its longest, ~46).
        let pool = sequences.flatMap { $0 }
        let fixed = (0..<8).map { i in (0..<45).map { pool[(i * 45 + $0) % pool.count] } }
        let t45 = try Clock.median(minTime: 3, minReps: 5) { _ = try step(model, encoder, fixed, labels: [0, 1, 0, 1, 1, 0, 1, 0]) }
        let f45 = flops(fixed)
        table.add(["8 × 45 tokens, median", "370", fmt(t45, 3), fmt(f45 / 1e9), fmt(f45 / t45 / 1e9),
                   fmt(f45 / t45 / 1e9 / sgemm * 100, 0) + "%", fmt(Double(peakRSSBytes()) / 1e6, 0)])
        return table
    }
}
