import PTuneCore

/// The frozen weights of one Llama block in the `[out, in]` layout, with the projections that read the same input
/// fused into one matrix so each is one GEMM: `[q | k | v]` and `[gate | up]`. Matrices are float32 or a file's
/// quantized blocks (``PTuneCore/FrozenMatrix``); norm gains are float32.
public struct LlamaLayerWeights: Sendable {
    /// RMSNorm gain before attention, `[d]`.
    public let attentionNorm: Tensor
    /// Fused query, key and value projections, `[(heads + 2·kvHeads)·headDim, d]`; q and k rows in GGUF's
    /// adjacent-pair rotary layout.
    public let qkv: FrozenMatrix
    /// Attention output projection, `[d, heads·headDim]`.
    public let attentionOutput: FrozenMatrix
    /// RMSNorm gain before the MLP, `[d]`.
    public let mlpNorm: Tensor
    /// Fused gate and up projections, `[2F, d]`.
    public let gateUp: FrozenMatrix
    /// Down projection, `[d, F]`.
    public let down: FrozenMatrix
}

/// All weights of a Llama model: token embedding, blocks, final norm and output projection (the embedding itself
/// when tied). None requires a gradient: the model is frozen. Matrices stay in their file's block formats unless
/// loaded as float32.
public struct LlamaWeights: Sendable {
    /// The hyperparameters these weights fit.
    public let config: LlamaConfig
    /// Token embedding, `[vocabulary, d]`.
    public let tokenEmbedding: FrozenMatrix
    /// The blocks, first to last.
    public let layers: [LlamaLayerWeights]
    /// Final RMSNorm gain, `[d]`.
    public let outputNorm: Tensor
    /// Output projection, `[vocabulary, d]` (the same storage as ``tokenEmbedding`` when tied).
    public let output: FrozenMatrix

    /// Loads weights by their GGUF names (`token_embd.weight`, `blk.N.attn_q.weight`, …, `output_norm.weight`,
    /// `output.weight` unless tied) through `tensor`, which returns a float32 tensor in row-major `[out, in]` shape
    /// or nil when the name is absent. Every shape is checked against `config`.
    public init(config: LlamaConfig, tensor: (String) throws -> Tensor?) throws {
        try self.init(config: config, matrix: { name in try tensor(name).map { .dense($0) } })
    }

    /// Loads weights by their GGUF names through `matrix`, which returns each tensor as a ``PTuneCore/FrozenMatrix``
    /// (float32 `[out, in]`, or quantized blocks) or nil when the name is absent; norm gains must be float32.
    /// Every shape is checked against `config`.
    public init(config: LlamaConfig, matrix: (String) throws -> FrozenMatrix?) throws {
        try config.validate()
        self.config = config
        let d = config.hiddenSize, hd = config.headDim, f = config.feedForwardSize
        func load(_ name: String, _ shape: [Int]) throws -> FrozenMatrix {
            guard let m = try matrix(name) else { throw LlamaError.badWeight(name, "missing") }
            guard m.shape == shape else { throw LlamaError.badWeight(name, "expected shape \(shape), found \(m.shape)") }
            if case let .dense(t) = m {
                guard t.dtype == .float32 else { throw LlamaError.badWeight(name, "expected float32, found \(t.dtype)") }
                return .dense(t.detached())
            }
            return m
        }
        func vector(_ name: String, _ n: Int) throws -> Tensor {
            guard let m = try matrix(name) else { throw LlamaError.badWeight(name, "missing") }
            let t = try m.dequantized()
            guard t.count == n else { throw LlamaError.badWeight(name, "expected shape [\(n)], found \(m.shape)") }
            guard t.dtype == .float32 else { throw LlamaError.badWeight(name, "expected float32, found \(t.dtype)") }
            return try t.reshaped([n]).detached()
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
                attentionNorm: try vector(p + "attn_norm.weight", d),
                qkv: try FrozenMatrix.stacking([q, k, v]),
                attentionOutput: try load(p + "attn_output.weight", [d, config.heads * hd]),
                mlpNorm: try vector(p + "ffn_norm.weight", d),
                gateUp: try FrozenMatrix.stacking([gate, up]),
                down: try load(p + "ffn_down.weight", [d, f])))
        }
        layers = blocks
        outputNorm = try vector("output_norm.weight", d)
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

    /// The weight matrices in model order (the tied output once): embedding, each block's, output.
    var matrices: [FrozenMatrix] {
        layers.flatMap { [$0.qkv, $0.attentionOutput, $0.gateUp, $0.down] } + [tokenEmbedding] + (config.tiedEmbeddings ? [] : [output])
    }

    /// Scalars in all weights (the tied output counted once).
    public var elementCount: Int {
        let norms = outputNorm.count + layers.reduce(0) { $0 + $1.attentionNorm.count + $1.mlpNorm.count }
        return norms + matrices.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// The storage formats of the weight matrices, most of the weights' first: `["Q4_1", "Q8_0"]`, `["F32"]`.
    public var formatNames: [String] {
        var elements: [String: Int] = [:], order: [String] = []
        for m in matrices {
            for name in m.formatName.split(separator: "+").map(String.init) {
                if elements[name] == nil { order.append(name) }
                elements[name, default: 0] += m.shape.reduce(1, *)
            }
        }
        return order.enumerated().sorted { (elements[$0.element] ?? 0, -$0.offset) > (elements[$1.element] ?? 0, -$1.offset) }.map(\.element)
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
