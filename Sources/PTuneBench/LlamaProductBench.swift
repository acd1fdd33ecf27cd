import COpenBLAS
import Foundation
import PTuneCore
import PTuneModels

/// The products of a SmolLM2 training step alone: each kind of layer weight, kept in its blocks, multiplied forward
/// (`x · Wᵀ`) and backward (`g · W`, the input gradient) on as many rows as a review batch packs, beside OpenBLAS
/// called directly (its own threads) on the same shapes, interleaved rep by rep so both see the same load
/// (section `llm-products`; a quick A/B of the tiled products between two builds).
enum LlamaProductBench {
    /// The table for `rows` packed rows (a batch of 8 review prompts plus 10 virtual tokens is about 250).
    static func table(_ model: DecoderModel, rows m: Int = 256, reps: Int = 15) throws -> Table {
        let layer = model.weights.layers[0]
        var table = Table(title: "SmolLM2 step products on \(m) rows, weights in their blocks against OpenBLAS alone (\(BLAS.threads) threads, medians of \(reps) interleaved reps, load average \(LlamaBench.loadAverage()))",
                          header: ["weight", "pass", "blocks ms", "OpenBLAS ms", "blocks / OpenBLAS"])
        var totals = (ours: 0.0, alone: 0.0), lastForward = 0.0
        var g = Generator(seed: 3)
        for weight in [layer.qkv, layer.attentionOutput, layer.gateUp, layer.down] {
            let n = weight.shape[0], k = weight.shape[1]
            let x = try Tensor.randn([m, k], using: &g), gy = try Tensor.randn([m, n], using: &g)
            let dense = try weight.dequantized()
            for backward in [false, true] {
                var ours: [Double] = [], alone: [Double] = []
                let a = backward ? gy : x
                var out = [Float](repeating: 0, count: m * (backward ? k : n))
                for _ in 0..<(reps + 1) {
                    let t0 = Clock.now()
                    if backward {
                        let xg = try x.requiringGradient()
                        _ = try Tensor.gradients(of: try (try Tensor.linear(xg, frozen: weight) * gy).sum(), wrt: [xg])
                    } else {
                        _ = try Tensor.linear(x, frozen: weight)
                    }
                    ours.append(Clock.now() - t0)
                    let t1 = Clock.now()
                    try a.withScalars(Float.self) { pa in
                        try dense.withScalars(Float.self) { pb in
                            BLAS.withOpenBLASThreading {
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, backward ? CblasNoTrans : CblasTrans, Int32(m),
                                            Int32(backward ? k : n), Int32(backward ? n : k), 1, pa.baseAddress, Int32(backward ? n : k),
                                            pb.baseAddress, Int32(k), 0, &out, Int32(backward ? k : n))
                            }
                        }
                    }
                    alone.append(Clock.now() - t1)
                }
                // The backward rep also runs the forward and the elementwise loss: subtract the forward's median.
                let o = median(Array(ours.dropFirst())), b = median(Array(alone.dropFirst()))
                let own = backward ? o - lastForward : o
                if !backward { lastForward = o }
                totals.ours += own; totals.alone += b
                table.add([weight.productStage, backward ? "backward" : "forward", fmt(own * 1e3, 2), fmt(b * 1e3, 2), fmt(100 * own / b, 0) + "%"])
            }
        }
        table.add(["all four", "", fmt(totals.ours * 1e3, 2), fmt(totals.alone * 1e3, 2), fmt(100 * totals.ours / totals.alone, 0) + "%"])
        return table
    }

    static func median(_ t: [Double]) -> Double { t.sorted()[t.count / 2] }
}
