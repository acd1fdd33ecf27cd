import Foundation
import PTuneCore
import PTuneModels

/// One p-tuning step of SmolLM2 as the PEFT anchor runs it: 10 virtual tokens from PEFT's MLP prompt encoder
/// (embedding → 576→256 → ReLU → 256→256 → ReLU → 256→576, 367,296 parameters), batch 8, two-way cross-entropy over
/// the label words " negative" / " positive" at the answer position, AdamW (lr 3e-3, PyTorch defaults).
enum LlamaStepBench {
    /// PEFT's MLP encoder and its AdamW state, written with core ops (the bench's own copy of the recipe).
    final class Encoder {
        var params: [Tensor]
        var m: [Tensor], v: [Tensor]
        var t = 0

        init(tokens: Int, dim: Int, hidden: Int, seed: UInt64) throws {
            var g = Generator(seed: seed)
            func uniform(_ shape: [Int], fanIn: Int) throws -> Tensor {
                let bound = 1 / Double(fanIn).squareRoot()
                return try Tensor.rand(shape, low: -bound, high: bound, using: &g)
            }
            params = [try Tensor.randn([tokens, dim], using: &g),
                      try uniform([hidden, dim], fanIn: dim), try uniform([hidden], fanIn: dim),
                      try uniform([hidden, hidden], fanIn: hidden), try uniform([hidden], fanIn: hidden),
                      try uniform([dim, hidden], fanIn: hidden), try uniform([dim], fanIn: hidden)]
            params = try params.map { try $0.requiringGradient() }
            m = try params.map { try Tensor.zeros($0.shape) }
            v = m
        }

        /// The virtual tokens `[n, d]`.
        func encode() throws -> Tensor {
            let h = try params[0].linear(params[1], bias: params[2]).relu().linear(params[3], bias: params[4]).relu()
            return try h.linear(params[5], bias: params[6])
        }

        /// PyTorch's AdamW step (β 0.9/0.999, ε 1e-8, weight decay 0.01).
        func update(_ grads: [Tensor], lr: Double) throws {
            t += 1
            let b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01
            let c1 = 1 - Foundation.pow(b1, Double(t)), c2 = 1 - Foundation.pow(b2, Double(t))
            for i in params.indices {
                let g = try grads[i].scalars(as: Float.self)
                try m[i].withMutableScalars(Float.self) { mm in
                    try v[i].withMutableScalars(Float.self) { vv in
                        try params[i].withMutableScalars(Float.self) { p in
                            for j in 0..<p.count {
                                p[j] *= Float(1 - lr * wd)
                                mm[j] = Float(b1) * mm[j] + Float(1 - b1) * g[j]
                                vv[j] = Float(b2) * vv[j] + Float(1 - b2) * g[j] * g[j]
                                let mh = Double(mm[j]) / c1, vh = Double(vv[j]) / c2
                                p[j] -= Float(lr * mh / (vh.squareRoot() + eps))
                            }
                        }
                    }
                }
            }
        }
    }

    static let labelTokens = [3524, 2731]

    /// One step: forward, two-way loss, gradients of the encoder only, AdamW.
    static func step(_ model: LlamaModel, _ encoder: Encoder, _ batch: [[Int]], labels: [Int]) throws -> Double {
        let virtual = try encoder.encode()
        let logits = try model.labelLogits(virtualTokens: virtual, sequences: batch, labelTokens: labelTokens)
        let y = try Tensor(shape: [labels.count], scalars: labels.map(Int64.init))
        let loss = try -(logits.logSoftmax(axis: -1).picking(y).mean())
        let grads = try Tensor.gradients(of: loss, wrt: encoder.params)
        try encoder.update(grads, lr: 3e-3)
        return try loss.scalarValue()
    }

    /// Step timings on batches of real review prompts (median of 20, after 2 warm-ups) and on a batch of 8 × 45
    /// tokens, with FLOPs and the fraction of the sgemm mix throughput.
    static func steps(_ model: LlamaModel, sequences: [[Int]], sgemm: Double, usingData: Bool) throws -> Table {
        var table = Table(title: "SmolLM2-135M p-tuning step (batch 8, 10 virtual tokens, MLP encoder 256, AdamW, two-way loss)",
                          header: ["batch", "rows (10 + real)", "step s", "GFLOP", "GFLOPS", "of sgemm mix", "peak RSS MB"])
        let encoder = try Encoder(tokens: 10, dim: model.config.hiddenSize, hidden: 256, seed: 0)
        var g = Generator(seed: 0)
        let order = try Tensor.randint([sequences.count], in: 0..<Int.max, using: &g).ints.enumerated()
            .sorted { $0.element < $1.element }.map(\.offset)
        func batch(_ b: Int) -> [[Int]] { (0..<8).map { sequences[order[(b * 8 + $0) % order.count]] } }
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
