import PTuneCore

/// The frozen weights of one decoder block, float32, in the `[out, in]` layout, with the projections that read the
/// same input fused into one matrix so each is one GEMM: `[q | k | v]` and `[gate | up]`. What a configuration does
/// not use is nil.
public struct DecoderLayerWeights: Sendable {
    /// RMSNorm gain before attention, `[d]`.
    public let attentionNorm: Tensor
    /// Fused query, key and value projections, `[(heads + 2·kvHeads)·headDim, d]`, q and k rows in the weights'
    /// ``DecoderWeights/rotaryLayout``.
    public let qkv: Tensor
    /// Their biases, `[(heads + 2·kvHeads)·headDim]`.
    public let qkvBias: Tensor?
    /// Per-head RMSNorm gains of queries and keys, `[headDim]` each.
    public let queryNorm: Tensor?, keyNorm: Tensor?
    /// Attention output projection, `[d, heads·headDim]`, and its bias `[d]`.
    public let attentionOutput: Tensor, attentionOutputBias: Tensor?
    /// RMSNorm gain on the attention's output before the residual sum, `[d]` (sandwich norms).
    public let attentionOutputNorm: Tensor?
    /// RMSNorm gain before the MLP, `[d]`.
    public let mlpNorm: Tensor
    /// Fused gate and up projections, `[2F, d]`, and their biases `[2F]`.
    public let gateUp: Tensor, gateUpBias: Tensor?
    /// Down projection, `[d, F]`, and its bias `[d]`.
    public let down: Tensor, downBias: Tensor?
    /// RMSNorm gain on the MLP's output before the residual sum, `[d]` (sandwich norms).
    public let mlpOutputNorm: Tensor?
}

/// All weights of a decoder: token embedding, blocks, final norm and output projection (the embedding itself when
/// tied). None requires a gradient: the model is frozen.
///
/// Every architecture and file format loads through ``init(config:layout:tensor:)``, by GGUF tensor names: the one
/// place where a stored matrix becomes a weight of the model. Norm gains are stored as the model multiplies by them
/// (Gemma's `1 + w` already added).
public struct DecoderWeights: Sendable {
    /// The hyperparameters these weights fit.
    public let config: DecoderConfig
    /// How the q and k rows pair up for the rotary embedding.
    public let rotaryLayout: RotaryLayout
    /// Token embedding, `[vocabulary, d]`.
    public let tokenEmbedding: Tensor
    /// The blocks, first to last.
    public let layers: [DecoderLayerWeights]
    /// Final RMSNorm gain, `[d]`.
    public let outputNorm: Tensor
    /// Output projection, `[vocabulary, d]` (the same storage as ``tokenEmbedding`` when tied).
    public let output: Tensor

    /// Loads weights by their GGUF names (`token_embd.weight`, `blk.N.attn_q.weight`, `blk.N.attn_q.bias`,
    /// `blk.N.attn_q_norm.weight`, `blk.N.post_attention_norm.weight`, …, `output_norm.weight`, `output.weight`
    /// unless tied) through `tensor`, which returns a float32 tensor in row-major `[out, in]` shape or nil when the
    /// name is absent; q and k rows are in `layout`. Every shape is checked against `config`, and only the weights
    /// `config` uses are asked for.
    public init(config: DecoderConfig, layout: RotaryLayout, tensor: (String) throws -> Tensor?) throws {
        try config.validate()
        self.config = config
        rotaryLayout = layout
        let c = config, d = c.hiddenSize, hd = c.headDim, f = c.feedForwardSize
        let qw = c.heads * hd, kw = c.kvHeads * hd
        func load(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let t = try tensor(name) else { throw DecoderError.badWeight(name, "missing") }
            guard t.shape == shape || (shape.count == 1 && t.count == shape[0]) else {
                throw DecoderError.badWeight(name, "expected shape \(shape), found \(t.shape)")
            }
            guard t.dtype == .float32 else { throw DecoderError.badWeight(name, "expected float32, found \(t.dtype)") }
            return try t.reshaped(shape).detached()
        }
        func optional(_ used: Bool, _ name: String, _ shape: [Int]) throws -> Tensor? { used ? try load(name, shape) : nil }
        func fused(_ parts: [Tensor]) throws -> Tensor { try Tensor.concat(parts, axis: 0) }
        tokenEmbedding = try load("token_embd.weight", [c.vocabularySize, d])
        var blocks: [DecoderLayerWeights] = []
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            let q = try load(p + "attn_q.weight", [qw, d]), k = try load(p + "attn_k.weight", [kw, d])
            let v = try load(p + "attn_v.weight", [kw, d])
            let qkvBias = try c.qkvBias ? fused([load(p + "attn_q.bias", [qw]), load(p + "attn_k.bias", [kw]),
                                                 load(p + "attn_v.bias", [kw])]) : nil
            let gate = try load(p + "ffn_gate.weight", [f, d]), up = try load(p + "ffn_up.weight", [f, d])
            let gateUpBias = try c.mlpBias ? fused([load(p + "ffn_gate.bias", [f]), load(p + "ffn_up.bias", [f])]) : nil
            blocks.append(DecoderLayerWeights(
                attentionNorm: try load(p + "attn_norm.weight", [d]),
                qkv: try fused([q, k, v]), qkvBias: qkvBias,
                queryNorm: try optional(c.headNorms, p + "attn_q_norm.weight", [hd]),
                keyNorm: try optional(c.headNorms, p + "attn_k_norm.weight", [hd]),
                attentionOutput: try load(p + "attn_output.weight", [d, qw]),
                attentionOutputBias: try optional(c.outputBias, p + "attn_output.bias", [d]),
                attentionOutputNorm: try optional(c.sandwichNorms, p + "post_attention_norm.weight", [d]),
                mlpNorm: try load(p + "ffn_norm.weight", [d]),
                gateUp: try fused([gate, up]), gateUpBias: gateUpBias,
                down: try load(p + "ffn_down.weight", [d, f]),
                downBias: try optional(c.mlpBias, p + "ffn_down.bias", [d]),
                mlpOutputNorm: try optional(c.sandwichNorms, p + "post_ffw_norm.weight", [d])))
        }
        layers = blocks
        outputNorm = try load("output_norm.weight", [d])
        output = c.tiedEmbeddings ? tokenEmbedding : try load("output.weight", [c.vocabularySize, d])
    }

    /// The GGUF names and shapes of every weight `config` uses, embeddings first (the output only when untied).
    public static func shapes(_ config: DecoderConfig) -> [(name: String, shape: [Int])] {
        let c = config, d = c.hiddenSize, hd = c.headDim, f = c.feedForwardSize, qw = c.heads * hd, kw = c.kvHeads * hd
        var out: [(String, [Int])] = [("token_embd.weight", [c.vocabularySize, d])]
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            out += [(p + "attn_norm.weight", [d]), (p + "attn_q.weight", [qw, d]), (p + "attn_k.weight", [kw, d]),
                    (p + "attn_v.weight", [kw, d])]
            if c.qkvBias { out += [(p + "attn_q.bias", [qw]), (p + "attn_k.bias", [kw]), (p + "attn_v.bias", [kw])] }
            if c.headNorms { out += [(p + "attn_q_norm.weight", [hd]), (p + "attn_k_norm.weight", [hd])] }
            out.append((p + "attn_output.weight", [d, qw]))
            if c.outputBias { out.append((p + "attn_output.bias", [d])) }
            if c.sandwichNorms { out.append((p + "post_attention_norm.weight", [d])) }
            out += [(p + "ffn_norm.weight", [d]), (p + "ffn_gate.weight", [f, d]), (p + "ffn_up.weight", [f, d]),
                    (p + "ffn_down.weight", [d, f])]
            if c.mlpBias { out += [(p + "ffn_gate.bias", [f]), (p + "ffn_up.bias", [f]), (p + "ffn_down.bias", [d])] }
            if c.sandwichNorms { out.append((p + "post_ffw_norm.weight", [d])) }
        }
        out.append(("output_norm.weight", [d]))
        if !c.tiedEmbeddings { out.append(("output.weight", [c.vocabularySize, d])) }
        return out
    }

    /// Random weights for tests and benchmarks: matrices 𝒩(0, 1/in), embeddings 𝒩(0, 1), norm gains
    /// 1 + 𝒩(0, 0.1²), biases 𝒩(0, 0.1²), from a seeded generator.
    public static func random(config: DecoderConfig, layout: RotaryLayout = .adjacentPairs, seed: UInt64) throws -> DecoderWeights {
        var g = Generator(seed: seed)
        var made: [String: Tensor] = [:]
        for (name, shape) in shapes(config).sorted(by: { $0.name < $1.name }) {
            let n = try Tensor.randn(shape, using: &g)
            if name.hasSuffix(".bias") { made[name] = try n * 0.1 }
            else if shape.count == 1 { made[name] = try n * 0.1 + 1 }
            else if name == "token_embd.weight" || name == "output.weight" { made[name] = n }
            else { made[name] = try n * (1 / Double(shape[1]).squareRoot()) }
        }
        return try DecoderWeights(config: config, layout: layout) { made[$0] }
    }

    /// Every weight under its GGUF name (fused projections as `attn_qkv` and `ffn_gate_up`), sharing the storage;
    /// the tied output is listed once, as `token_embd.weight`.
    public var named: [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = [("token_embd.weight", tokenEmbedding)]
        for (l, b) in layers.enumerated() {
            let p = "blk.\(l)."
            let all: [(String, Tensor?)] = [
                ("attn_norm.weight", b.attentionNorm), ("attn_qkv.weight", b.qkv), ("attn_qkv.bias", b.qkvBias),
                ("attn_q_norm.weight", b.queryNorm), ("attn_k_norm.weight", b.keyNorm),
                ("attn_output.weight", b.attentionOutput), ("attn_output.bias", b.attentionOutputBias),
                ("post_attention_norm.weight", b.attentionOutputNorm), ("ffn_norm.weight", b.mlpNorm),
                ("ffn_gate_up.weight", b.gateUp), ("ffn_gate_up.bias", b.gateUpBias), ("ffn_down.weight", b.down),
                ("ffn_down.bias", b.downBias), ("post_ffw_norm.weight", b.mlpOutputNorm)]
            for case let (name, t?) in all { out.append((p + name, t)) }
        }
        out.append(("output_norm.weight", outputNorm))
        if !config.tiedEmbeddings { out.append(("output.weight", output)) }
        return out
    }

    /// Bytes held by the weights (the tied output counted once).
    public var byteCount: Int { named.reduce(0) { $0 + $1.tensor.byteCount } }
}
