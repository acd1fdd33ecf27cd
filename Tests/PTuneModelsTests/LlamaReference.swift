import Foundation
@testable import PTuneCore
@testable import PTuneModels

/// A plain Llama forward built only from the core's basic, separately gradient-checked ops (matmul, softmax, narrow,
/// concat, silu, rmsNorm) in float64, one sequence at a time, with the rotation written as a matrix product. The
/// fused, packed model must agree with it.
struct LlamaReference {
    let config: LlamaConfig
    /// The weights by GGUF name, float64, unfused.
    let source: [String: Tensor]

    /// A float64 copy of the model's weights.
    init(_ weights: LlamaWeights) throws {
        config = weights.config
        let c = weights.config
        var names: [String: Tensor] = [:]
        let hd = c.headDim, qn = c.heads * hd, kn = c.kvHeads * hd, f = c.feedForwardSize
        names["token_embd.weight"] = try weights.tokenEmbedding.dequantized().to(.float64)
        names["output_norm.weight"] = try weights.outputNorm.to(.float64)
        for (l, b) in weights.layers.enumerated() {
            let p = "blk.\(l)."
            let qkv = try b.qkv.dequantized().to(.float64), gu = try b.gateUp.dequantized().to(.float64)
            names[p + "attn_q.weight"] = try qkv.narrowed(axis: 0, start: 0, length: qn)
            names[p + "attn_k.weight"] = try qkv.narrowed(axis: 0, start: qn, length: kn)
            names[p + "attn_v.weight"] = try qkv.narrowed(axis: 0, start: qn + kn, length: kn)
            names[p + "ffn_gate.weight"] = try gu.narrowed(axis: 0, start: 0, length: f)
            names[p + "ffn_up.weight"] = try gu.narrowed(axis: 0, start: f, length: f)
            names[p + "attn_output.weight"] = try b.attentionOutput.dequantized().to(.float64)
            names[p + "ffn_down.weight"] = try b.down.dequantized().to(.float64)
            names[p + "attn_norm.weight"] = try b.attentionNorm.to(.float64)
            names[p + "ffn_norm.weight"] = try b.mlpNorm.to(.float64)
        }
        source = names
    }

    /// Rotates adjacent pairs of every head of `x` (`[T, heads·hd]`) at positions `first..<first+T`.
    func rope(_ x: Tensor, heads: Int, first: Int) throws -> Tensor {
        let t = x.shape[0], hd = config.headDim, c = heads * hd
        var cosv = [Double](repeating: 0, count: t * c), sinv = cosv, m = [Double](repeating: 0, count: c * c)
        for r in 0..<t {
            for col in 0..<c {
                let i = (col % hd) / 2
                let a = Double(first + r) * pow(config.ropeBase, -Double(2 * i) / Double(hd))
                cosv[r * c + col] = cos(a)
                sinv[r * c + col] = sin(a)
            }
        }
        for p in stride(from: 0, to: c, by: 2) { m[(p + 1) * c + p] = -1; m[p * c + p + 1] = 1 }
        let cosT = try Tensor(shape: [t, c], values: cosv, dtype: .float64)
        let sinT = try Tensor(shape: [t, c], values: sinv, dtype: .float64)
        let rot = try Tensor.matmul(x, Tensor(shape: [c, c], values: m, dtype: .float64))
        return try x * cosT + rot * sinT
    }

    /// Final-normed hidden states of one sequence of embeddings `x` (`[T, d]`, float64).
    func forward(_ x0: Tensor) throws -> Tensor {
        let c = config, hd = c.headDim, t = x0.shape[0], group = c.heads / c.kvHeads
        var mask = [Double](repeating: 0, count: t * t)
        for i in 0..<t { for j in (i + 1)..<max(t, i + 1) { mask[i * t + j] = -1e9 } }
        let maskT = try Tensor(shape: [t, t], values: mask, dtype: .float64)
        var x = x0
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            func wt(_ n: String) throws -> Tensor { try named(p + n).transposed() }
            let h = try x.rmsNorm(weight: named(p + "attn_norm.weight"), eps: c.rmsNormEpsilon)
            let q = try rope(Tensor.matmul(h, wt("attn_q.weight")), heads: c.heads, first: 0)
            let k = try rope(Tensor.matmul(h, wt("attn_k.weight")), heads: c.kvHeads, first: 0)
            let v = try Tensor.matmul(h, wt("attn_v.weight"))
            var outs: [Tensor] = []
            for head in 0..<c.heads {
                let qh = try q.narrowed(axis: 1, start: head * hd, length: hd)
                let kh = try k.narrowed(axis: 1, start: (head / group) * hd, length: hd)
                let vh = try v.narrowed(axis: 1, start: (head / group) * hd, length: hd)
                let s = try Tensor.matmul(qh, kh.transposed()) / Double(hd).squareRoot() + maskT
                outs.append(try Tensor.matmul(s.softmax(axis: -1), vh))
            }
            x = try x + Tensor.matmul(Tensor.concat(outs, axis: 1), wt("attn_output.weight"))
            let h2 = try x.rmsNorm(weight: named(p + "ffn_norm.weight"), eps: c.rmsNormEpsilon)
            let act = try Tensor.matmul(h2, wt("ffn_gate.weight")).silu() * Tensor.matmul(h2, wt("ffn_up.weight"))
            x = try x + Tensor.matmul(act, wt("ffn_down.weight"))
        }
        return try x.rmsNorm(weight: named("output_norm.weight"), eps: c.rmsNormEpsilon)
    }

    func named(_ n: String) throws -> Tensor {
        guard let t = source[n] else { throw LlamaError.badWeight(n, "missing in reference") }
        return t
    }
}

