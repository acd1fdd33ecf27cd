import PTuneCore

/// The frozen weights of one Llama block, float32, in the `[out, in]` layout, with the projections that read the
/// same input fused into one matrix so each is one GEMM: `[q | k | v]` and `[gate | up]`.
public struct LlamaLayerWeights: Sendable {
    /// RMSNorm gain before attention, `[d]`.
    public let attentionNorm: Tensor
    /// Fused query, key and value projections, `[(heads + 2·kvHeads)·headDim, d]`; q and k rows in GGUF's
    /// adjacent-pair rotary layout.
    public let qkv: Tensor
    /// Attention output projection, `[d, heads·headDim]`.
    public let attentionOutput: Tensor
    /// RMSNorm gain before the MLP, `[d]`.
    public let mlpNorm: Tensor
    /// Fused gate and up projections, `[2F, d]`.
    public let gateUp: Tensor
    /// Down projection, `[d, F]`.
    public let down: Tensor
}

/// All weights of a Llama model: token embedding, blocks, final norm and output projection (the embedding itself
/// when tied). None requires a gradient: the model is frozen.
public struct LlamaWeights: Sendable {
    /// The hyperparameters these weights fit.
    public let config: LlamaConfig
    /// Token embedding, `[vocabulary, d]`.
    public let tokenEmbedding: Tensor
    /// The blocks, first to last.
    public let layers: [LlamaLayerWeights]
    /// Final RMSNorm gain, `[d]`.
    public let outputNorm: Tensor
    /// Output projection, `[vocabulary, d]` (the same storage as ``tokenEmbedding`` when tied).
    public let output: Tensor

    /// Loads weights by their GGUF names (`token_embd.weight`, `blk.N.attn_q.weight`, …, `output_norm.weight`,
    /// `output.weight` unless tied) through `tensor`, which returns a float32 tensor in row-major `[out, in]` shape
    /// or nil when the name is absent. Every shape is checked against `config`.
    public init(config: LlamaConfig, tensor: (String) throws -> Tensor?) throws {
        try config.validate()
        self.config = config
        let d = config.hiddenSize, hd = config.headDim, f = config.feedForwardSize
        func load(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let t = try tensor(name) else { throw LlamaError.badWeight(name, "missing") }
            guard t.shape == shape || (shape.count == 1 && t.count == shape[0]) else {
                throw LlamaError.badWeight(name, "expected shape \(shape), found \(t.shape)")
            }
            guard t.dtype == .float32 else { throw LlamaError.badWeight(name, "expected float32, found \(t.dtype)") }
            return try t.reshaped(shape).detached()
        }
        tokenEmbedding = try load("token_embd.weight", [config.vocabularySize, d])
        var blocks: [LlamaLayerWeights] = []
        for l in 0..<config.layers {
            let p = "blk.\(l)."
            let q = try load(p + "attn_q.weight", [config.heads * hd, d])
            let k = try load(p + "attn_k.weight", [config.kvHeads * hd, d])
            let v = try load(p + "attn_v.weight", [config.kvHeads * hd, d])
            let gate = try load(p + "ffn_gate.weight", [f, d]), up = try load(p + "ffn_up.weight", [f, d])
            blocks.append(LlamaLayerWeights(
                attentionNorm: try load(p + "attn_norm.weight", [d]),
                qkv: try Tensor.concat([q, k, v], axis: 0),
                attentionOutput: try load(p + "attn_output.weight", [d, config.heads * hd]),
                mlpNorm: try load(p + "ffn_norm.weight", [d]),
                gateUp: try Tensor.concat([gate, up], axis: 0),
                down: try load(p + "ffn_down.weight", [d, f])))
        }
        layers = blocks
        outputNorm = try load("output_norm.weight", [d])
        output = config.tiedEmbeddings ? tokenEmbedding : try load("output.weight", [config.vocabularySize, d])
    }

    /// Random weights for tests and benchmarks: matrices 𝒩(0, 1/in), embeddings 𝒩(0, 1), norm gains
    /// 1 + 𝒩(0, 0.1²), from a seeded generator.
    public static func random(config: LlamaConfig, seed: UInt64) throws -> LlamaWeights {
        var g = Generator(seed: seed)
        let d = config.hiddenSize, hd = config.headDim, f = config.feedForwardSize
        var shapes: [String: [Int]] = ["token_embd.weight": [config.vocabularySize, d], "output_norm.weight": [d]]
        if !config.tiedEmbeddings { shapes["output.weight"] = [config.vocabularySize, d] }
        for l in 0..<config.layers {
            let p = "blk.\(l)."
            shapes[p + "attn_norm.weight"] = [d]
            shapes[p + "ffn_norm.weight"] = [d]
            shapes[p + "attn_q.weight"] = [config.heads * hd, d]
            shapes[p + "attn_k.weight"] = [config.kvHeads * hd, d]
            shapes[p + "attn_v.weight"] = [config.kvHeads * hd, d]
            shapes[p + "attn_output.weight"] = [d, config.heads * hd]
            shapes[p + "ffn_gate.weight"] = [f, d]
            shapes[p + "ffn_up.weight"] = [f, d]
            shapes[p + "ffn_down.weight"] = [d, f]
        }
        var made: [String: Tensor] = [:]
        for name in shapes.keys.sorted() {
            guard let shape = shapes[name] else { continue }
            let n = try Tensor.randn(shape, using: &g)
            if shape.count == 1 { made[name] = try n * 0.1 + 1 }
            else if name == "token_embd.weight" || name == "output.weight" { made[name] = n }
            else { made[name] = try n * (1 / Double(shape[1]).squareRoot()) }
        }
        return try LlamaWeights(config: config) { made[$0] }
    }

    /// Bytes held by the weights (the tied output counted once).
    public var byteCount: Int {
        var n = tokenEmbedding.byteCount + outputNorm.byteCount + (config.tiedEmbeddings ? 0 : output.byteCount)
        for l in layers {
            n += l.attentionNorm.byteCount + l.qkv.byteCount + l.attentionOutput.byteCount + l.mlpNorm.byteCount
            n += l.gateUp.byteCount + l.down.byteCount
        }
        return n
    }
}
