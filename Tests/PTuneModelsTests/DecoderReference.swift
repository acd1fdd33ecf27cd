import Foundation
@testable import PTuneCore
@testable import PTuneModels

/// A plain decoder forward built only from the core's basic, separately gradient-checked ops (matmul, softmax,
/// narrow, concat, silu, geluTanh, tanh, rmsNorm) in float64, one sequence at a time, with the rotation written as a
/// matrix product and masks as additive matrices — every option of ``DecoderConfig`` (biases, head norms, sandwich
/// norms, two rotary bases, windows, score scale and caps). The fused, packed model must agree with it.
struct DecoderReference {
    let config: DecoderConfig
    let layout: RotaryLayout
    /// The weights by GGUF name, float64, unfused.
    let source: [String: Tensor]

    /// A float64 copy of the model's weights.
    init(_ weights: DecoderWeights) throws {
        config = weights.config
        layout = weights.rotaryLayout
        let c = weights.config
        var names: [String: Tensor] = [:]
        let hd = c.headDim, qn = c.heads * hd, kn = c.kvHeads * hd, f = c.feedForwardSize
        func put(_ n: String, _ t: Tensor?) throws { if let t { names[n] = try t.to(.float64) } }
        func put(_ n: String, _ m: FrozenMatrix) throws { names[n] = try m.dequantized().to(.float64) }
        func split(_ m: FrozenMatrix, _ p: String, _ parts: [(String, Int)], suffix: String) throws {
            try split(m.dequantized(), p, parts, suffix: suffix)
        }
        func split(_ t: Tensor?, _ p: String, _ parts: [(String, Int)], suffix: String) throws {
            guard let t else { return }
            var start = 0
            for (n, len) in parts {
                names[p + n + suffix] = try t.to(.float64).narrowed(axis: 0, start: start, length: len)
                start += len
            }
        }
        try put("token_embd.weight", weights.tokenEmbedding)
        try put("output.weight", weights.output)
        try put("output_norm.weight", weights.outputNorm)
        for (l, b) in weights.layers.enumerated() {
            let p = "blk.\(l)."
            let qkv = [("attn_q", qn), ("attn_k", kn), ("attn_v", kn)], gu = [("ffn_gate", f), ("ffn_up", f)]
            try split(b.qkv, p, qkv, suffix: ".weight")
            try split(b.qkvBias, p, qkv, suffix: ".bias")
            try split(b.gateUp, p, gu, suffix: ".weight")
            try split(b.gateUpBias, p, gu, suffix: ".bias")
            try put(p + "attn_output.weight", b.attentionOutput)
            try put(p + "attn_output.bias", b.attentionOutputBias)
            try put(p + "ffn_down.weight", b.down)
            try put(p + "ffn_down.bias", b.downBias)
            try put(p + "attn_norm.weight", b.attentionNorm)
            try put(p + "ffn_norm.weight", b.mlpNorm)
            try put(p + "attn_q_norm.weight", b.queryNorm)
            try put(p + "attn_k_norm.weight", b.keyNorm)
            try put(p + "post_attention_norm.weight", b.attentionOutputNorm)
            try put(p + "post_ffw_norm.weight", b.mlpOutputNorm)
        }
        source = names
    }

    /// Rotates the pairs of every head of `x` (`[T, heads·hd]`) at positions `first..<first+T` by the frequencies
    /// of a layer of `type`.
    func rope(_ x: Tensor, heads: Int, first: Int, type: DecoderLayerType) throws -> Tensor {
        let t = x.shape[0], hd = config.headDim, c = heads * hd, half = hd / 2
        let freqs = try config.rotaryEncoding(type, layout: layout).frequencies
        var cosv = [Double](repeating: 0, count: t * c), sinv = cosv, m = [Double](repeating: 0, count: c * c)
        // Pair (a, b) of each head: rot(x)[a] = −x[b], rot(x)[b] = x[a].
        for h in 0..<heads {
            for i in 0..<half {
                let a = h * hd + (layout == .halves ? i : 2 * i), b = h * hd + (layout == .halves ? i + half : 2 * i + 1)
                m[b * c + a] = -1
                m[a * c + b] = 1
                for r in 0..<t {
                    let angle = Double(first + r) * freqs[i]
                    for col in [a, b] { cosv[r * c + col] = cos(angle); sinv[r * c + col] = sin(angle) }
                }
            }
        }
        let cosT = try Tensor(shape: [t, c], values: cosv, dtype: .float64)
        let sinT = try Tensor(shape: [t, c], values: sinv, dtype: .float64)
        let rot = try Tensor.matmul(x, Tensor(shape: [c, c], values: m, dtype: .float64))
        return try x * cosT + rot * sinT
    }

    /// Final-normed hidden states of one sequence of embeddings `x` (`[T, d]`, float64).
    func forward(_ x0: Tensor) throws -> Tensor {
        let c = config, hd = c.headDim, t = x0.shape[0], group = c.heads / c.kvHeads
        func mask(_ type: DecoderLayerType) throws -> Tensor {
            var m = [Double](repeating: 0, count: t * t)
            for i in 0..<t {
                for j in 0..<t where j > i || (type == .sliding && i - j >= (c.slidingWindow ?? .max)) { m[i * t + j] = -1e9 }
            }
            return try Tensor(shape: [t, t], values: m, dtype: .float64)
        }
        func rms(_ x: Tensor, _ name: String) throws -> Tensor { try x.rmsNorm(weight: named(name), eps: c.rmsNormEpsilon) }
        func linear(_ x: Tensor, _ name: String) throws -> Tensor {
            let y = try Tensor.matmul(x, named(name + ".weight").transposed())
            guard let b = source[name + ".bias"] else { return y }
            return try y + b
        }
        var x = x0
        for l in 0..<c.layers {
            let p = "blk.\(l).", type = c.layerTypes[l]
            let h = try rms(x, p + "attn_norm.weight")
            var q = try linear(h, p + "attn_q"), k = try linear(h, p + "attn_k")
            let v = try linear(h, p + "attn_v")
            if c.headNorms {
                q = try rms(q.reshaped([t * c.heads, hd]), p + "attn_q_norm.weight").reshaped([t, c.heads * hd])
                k = try rms(k.reshaped([t * c.kvHeads, hd]), p + "attn_k_norm.weight").reshaped([t, c.kvHeads * hd])
            }
            q = try rope(q, heads: c.heads, first: 0, type: type)
            k = try rope(k, heads: c.kvHeads, first: 0, type: type)
            let maskT = try mask(type)
            var outs: [Tensor] = []
            for head in 0..<c.heads {
                let qh = try q.narrowed(axis: 1, start: head * hd, length: hd)
                let kh = try k.narrowed(axis: 1, start: (head / group) * hd, length: hd)
                let vh = try v.narrowed(axis: 1, start: (head / group) * hd, length: hd)
                var s = try Tensor.matmul(qh, kh.transposed()) * (c.attentionScale ?? 1 / Double(hd).squareRoot())
                if let cap = c.attentionSoftCap { s = try (s / cap).tanh() * cap }
                outs.append(try Tensor.matmul((s + maskT).softmax(axis: -1), vh))
            }
            var a = try linear(Tensor.concat(outs, axis: 1), p + "attn_output")
            if c.sandwichNorms { a = try rms(a, p + "post_attention_norm.weight") }
            x = try x + a
            let h2 = try rms(x, p + "ffn_norm.weight")
            let gate = try linear(h2, p + "ffn_gate")
            let act = try (c.activation == .silu ? gate.silu() : gate.geluTanh()) * linear(h2, p + "ffn_up")
            var m = try linear(act, p + "ffn_down")
            if c.sandwichNorms { m = try rms(m, p + "post_ffw_norm.weight") }
            x = try x + m
        }
        return try rms(x, "output_norm.weight")
    }

    /// Logits of final-normed hidden states `[n, d]` over `tokens` (or the whole vocabulary), soft-capped as
    /// configured.
    func logits(_ h: Tensor, tokens: [Int]? = nil) throws -> Tensor {
        var out = try named("output.weight")
        if let tokens { out = try out.gatherRows(Tensor(shape: [tokens.count], scalars: tokens.map(Int64.init))) }
        var y = try Tensor.matmul(h, out.transposed())
        if let cap = config.finalLogitSoftCap { y = try (y / cap).tanh() * cap }
        return y
    }

    func named(_ n: String) throws -> Tensor {
        guard let t = source[n] else { throw DecoderError.badWeight(n, "missing in reference") }
        return t
    }
}

/// Small configurations that together use every option of ``DecoderConfig``, for tests that run each architecture
/// through the same paths.
enum DecoderTestConfigs {
    /// Llama: GQA (6 query heads on 2 KV heads), 3 blocks, the vocabulary tied to the embedding.
    static let llama = DecoderConfig(vocabularySize: 97, hiddenSize: 48, feedForwardSize: 80, layers: 3, heads: 6,
                                     kvHeads: 2, rmsNormEpsilon: 1e-5, ropeBase: 10_000, contextLength: 64)

    /// Llama 3 style: every bias, Llama 3 frequency scaling, untied output, rotate-half layout.
    static var llama3: DecoderConfig {
        var c = DecoderConfig(vocabularySize: 61, hiddenSize: 32, feedForwardSize: 40, layers: 2, heads: 4, kvHeads: 1,
                              headDim: 16, ropeBase: 500_000, contextLength: 64, tiedEmbeddings: false)
        c.ropeScaling = .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 16)
        c.qkvBias = true
        c.outputBias = true
        c.mlpBias = true
        return c
    }

    /// Qwen 2: q/k/v biases, the later layers sliding.
    static var qwen2: DecoderConfig {
        var c = DecoderConfig(architecture: .qwen2, vocabularySize: 71, hiddenSize: 32, feedForwardSize: 48, layers: 3,
                              heads: 4, kvHeads: 2, ropeBase: 1_000_000, contextLength: 64)
        c.slidingWindow = 3
        c.layerTypes = [.global, .sliding, .sliding]
        return c
    }

    /// Qwen 3: head norms, a head width other than d / heads, linear rotary scaling.
    static var qwen3: DecoderConfig {
        var c = DecoderConfig(architecture: .qwen3, vocabularySize: 67, hiddenSize: 32, feedForwardSize: 48, layers: 2,
                              heads: 4, kvHeads: 2, headDim: 12, rmsNormEpsilon: 1e-6, ropeBase: 1_000_000, contextLength: 64)
        c.ropeScaling = .linear(factor: 2)
        return c
    }

    /// Gemma 3: scaled embeddings, sandwich norms, head norms, GEGLU, sliding and global layers with their own
    /// bases, a query scale, and both soft caps.
    static var gemma3: DecoderConfig {
        var c = DecoderConfig(architecture: .gemma3, vocabularySize: 83, hiddenSize: 32, feedForwardSize: 64, layers: 4,
                              heads: 2, kvHeads: 1, headDim: 16, rmsNormEpsilon: 1e-6, ropeBase: 1_000_000,
                              contextLength: 64, bosToken: 2, eosToken: 1, padToken: 0)
        c.slidingWindow = 3
        c.layerTypes = DecoderConfig.layerTypes(layers: 4, globalEvery: 2)
        c.attentionScale = 1 / Double(24).squareRoot()
        c.attentionSoftCap = 5
        c.finalLogitSoftCap = 3
        return c
    }

    /// All of them, named, with the layout their weights are stored in.
    static var all: [(name: String, config: DecoderConfig, layout: RotaryLayout)] {
        [("llama", llama, .adjacentPairs), ("llama3", llama3, .halves), ("qwen2", qwen2, .halves),
         ("qwen3", qwen3, .halves), ("gemma3", gemma3, .halves)]
    }

    /// The names of ``all``, for parameterized tests.
    static var names: [String] { all.map(\.name) }

    /// Random weights of the configuration called `name`.
    static func weights(_ name: String, seed: UInt64) throws -> DecoderWeights {
        guard let e = all.first(where: { $0.name == name }) else { throw DecoderError.invalidConfig("no test config \(name)") }
        return try DecoderWeights.random(config: e.config, layout: e.layout, seed: seed)
    }
}
