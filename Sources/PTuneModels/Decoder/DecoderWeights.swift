import PTuneCore

/// The frozen weights of one decoder block in the `[out, in]` layout, with the projections that read the same input
/// stacked into one matrix so each is one product: `[q | k | v]` and `[gate | up]`. Matrices are float32 or a file's
/// quantized blocks (``PTuneCore/FrozenMatrix``); norm gains and biases are float32. What a configuration does not
/// use is nil.
public struct DecoderLayerWeights: Sendable {
    /// RMSNorm gain before attention, `[d]`.
    public let attentionNorm: Tensor
    /// Stacked query, key and value projections, `[(heads + 2·kvHeads)·headDim, d]`, q and k rows in the weights'
    /// ``DecoderWeights/rotaryLayout``.
    public let qkv: FrozenMatrix
    /// Their biases, `[(heads + 2·kvHeads)·headDim]`.
    public let qkvBias: Tensor?
    /// Per-head RMSNorm gains of queries and keys, `[headDim]` each.
    public let queryNorm: Tensor?, keyNorm: Tensor?
    /// Attention output projection, `[d, heads·headDim]`, and its bias `[d]`.
    public let attentionOutput: FrozenMatrix, attentionOutputBias: Tensor?
    /// RMSNorm gain on the attention's output before the residual sum, `[d]` (sandwich norms).
    public let attentionOutputNorm: Tensor?
    /// RMSNorm gain before the MLP, `[d]`.
    public let mlpNorm: Tensor
    /// Stacked gate and up projections, `[2F, d]`, and their biases `[2F]`.
    public let gateUp: FrozenMatrix, gateUpBias: Tensor?
    /// Down projection, `[d, F]`, and its bias `[d]`.
    public let down: FrozenMatrix, downBias: Tensor?
    /// RMSNorm gain on the MLP's output before the residual sum, `[d]` (sandwich norms).
    public let mlpOutputNorm: Tensor?
}

/// All weights of a decoder: token embedding, blocks, final norm and output projection (the embedding itself when
/// tied). None requires a gradient: the model is frozen. Matrices stay in their file's block formats unless loaded
/// as float32.
///
/// Every architecture and file format loads through ``init(config:layout:matrix:)``, by GGUF tensor names: the one
/// place where a stored matrix becomes a weight of the model. Norm gains are stored as the model multiplies by them
/// (Gemma's `1 + w` already added).
public struct DecoderWeights: Sendable {
    /// The hyperparameters these weights fit.
    public let config: DecoderConfig
    /// How the q and k rows pair up for the rotary embedding.
    public let rotaryLayout: RotaryLayout
    /// Token embedding, `[vocabulary, d]`.
    public let tokenEmbedding: FrozenMatrix
    /// The blocks, first to last.
    public let layers: [DecoderLayerWeights]
    /// Final RMSNorm gain, `[d]`.
    public let outputNorm: Tensor
    /// Output projection, `[vocabulary, d]` (the same storage as ``tokenEmbedding`` when tied).
    public let output: FrozenMatrix

    /// Loads weights by their GGUF names through `tensor`, which returns a float32 tensor in row-major `[out, in]`
    /// shape or nil when the name is absent (see ``init(config:layout:matrix:)``).
    public init(config: DecoderConfig, layout: RotaryLayout, tensor: (String) throws -> Tensor?) throws {
        try self.init(config: config, layout: layout, matrix: { name in try tensor(name).map { .dense($0) } })
    }

    /// Loads weights by their GGUF names (`token_embd.weight`, `blk.N.attn_q.weight`, `blk.N.attn_q.bias`,
    /// `blk.N.attn_q_norm.weight`, `blk.N.post_attention_norm.weight`, …, `output_norm.weight`, `output.weight`
    /// unless tied) through `matrix`, which returns each as a ``PTuneCore/FrozenMatrix`` (float32 `[out, in]`, or
    /// quantized blocks) or nil when the name is absent; q and k rows are in `layout`. Norm gains and biases are
    /// decoded to float32. Every shape is checked against `config`, and only the weights `config` uses are asked for.
    public init(config: DecoderConfig, layout: RotaryLayout, matrix: (String) throws -> FrozenMatrix?) throws {
        try config.validate()
        self.config = config
        rotaryLayout = layout
        let c = config, d = c.hiddenSize, hd = c.headDim, f = c.feedForwardSize
        let qw = c.heads * hd, kw = c.kvHeads * hd
        func load(_ name: String, _ shape: [Int]) throws -> FrozenMatrix {
            guard let m = try matrix(name) else { throw DecoderError.badWeight(name, "missing") }
            guard m.shape == shape else { throw DecoderError.badWeight(name, "expected shape \(shape), found \(m.shape)") }
            guard case let .dense(t) = m else { return m }
            guard t.dtype == .float32 else { throw DecoderError.badWeight(name, "expected float32, found \(t.dtype)") }
            return .dense(t.detached())
        }
        func vector(_ name: String, _ n: Int) throws -> Tensor {
            guard let m = try matrix(name) else { throw DecoderError.badWeight(name, "missing") }
            let t = try m.dequantized()
            guard t.count == n else { throw DecoderError.badWeight(name, "expected shape [\(n)], found \(m.shape)") }
            guard t.dtype == .float32 else { throw DecoderError.badWeight(name, "expected float32, found \(t.dtype)") }
            return try t.reshaped([n]).detached()
        }
        func optional(_ used: Bool, _ name: String, _ n: Int) throws -> Tensor? { used ? try vector(name, n) : nil }
        func joined(_ parts: [Tensor]) throws -> Tensor { try Tensor.concat(parts, axis: 0) }
        tokenEmbedding = try load("token_embd.weight", [c.vocabularySize, d])
        var blocks: [DecoderLayerWeights] = []
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            let q = try load(p + "attn_q.weight", [qw, d]), k = try load(p + "attn_k.weight", [kw, d])
            let v = try load(p + "attn_v.weight", [kw, d])
            let qkvBias = try c.qkvBias ? joined([vector(p + "attn_q.bias", qw), vector(p + "attn_k.bias", kw),
                                                  vector(p + "attn_v.bias", kw)]) : nil
            let gate = try load(p + "ffn_gate.weight", [f, d]), up = try load(p + "ffn_up.weight", [f, d])
            let gateUpBias = try c.mlpBias ? joined([vector(p + "ffn_gate.bias", f), vector(p + "ffn_up.bias", f)]) : nil
            blocks.append(DecoderLayerWeights(
                attentionNorm: try vector(p + "attn_norm.weight", d),
                qkv: try FrozenMatrix.stacking([q, k, v]), qkvBias: qkvBias,
                queryNorm: try optional(c.headNorms, p + "attn_q_norm.weight", hd),
                keyNorm: try optional(c.headNorms, p + "attn_k_norm.weight", hd),
                attentionOutput: try load(p + "attn_output.weight", [d, qw]),
                attentionOutputBias: try optional(c.outputBias, p + "attn_output.bias", d),
                attentionOutputNorm: try optional(c.sandwichNorms, p + "post_attention_norm.weight", d),
                mlpNorm: try vector(p + "ffn_norm.weight", d),
                gateUp: try FrozenMatrix.stacking([gate, up]), gateUpBias: gateUpBias,
                down: try load(p + "ffn_down.weight", [d, f]),
                downBias: try optional(c.mlpBias, p + "ffn_down.bias", d),
                mlpOutputNorm: try optional(c.sandwichNorms, p + "post_ffw_norm.weight", d)))
        }
        layers = blocks
        outputNorm = try vector("output_norm.weight", d)
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

    /// Every weight under its GGUF name (stacked projections as `attn_qkv` and `ffn_gate_up`), sharing the storage,
    /// norm gains and biases as dense matrices; the tied output is listed once, as `token_embd.weight`.
    public var named: [(name: String, matrix: FrozenMatrix)] {
        var out: [(String, FrozenMatrix)] = [("token_embd.weight", tokenEmbedding)]
        for (l, b) in layers.enumerated() {
            let p = "blk.\(l)."
            func dense(_ t: Tensor?) -> FrozenMatrix? { t.map { .dense($0) } }
            let all: [(String, FrozenMatrix?)] = [
                ("attn_norm.weight", .dense(b.attentionNorm)), ("attn_qkv.weight", b.qkv),
                ("attn_qkv.bias", dense(b.qkvBias)), ("attn_q_norm.weight", dense(b.queryNorm)),
                ("attn_k_norm.weight", dense(b.keyNorm)), ("attn_output.weight", b.attentionOutput),
                ("attn_output.bias", dense(b.attentionOutputBias)),
                ("post_attention_norm.weight", dense(b.attentionOutputNorm)), ("ffn_norm.weight", .dense(b.mlpNorm)),
                ("ffn_gate_up.weight", b.gateUp), ("ffn_gate_up.bias", dense(b.gateUpBias)), ("ffn_down.weight", b.down),
                ("ffn_down.bias", dense(b.downBias)), ("post_ffw_norm.weight", dense(b.mlpOutputNorm))]
            for case let (name, m?) in all { out.append((p + name, m)) }
        }
        out.append(("output_norm.weight", .dense(outputNorm)))
        if !config.tiedEmbeddings { out.append(("output.weight", output)) }
        return out
    }

    /// Scalars in all weights (the tied output counted once).
    public var elementCount: Int { named.reduce(0) { $0 + $1.matrix.shape.reduce(1, *) } }

    /// The storage formats of the weight matrices (not the norm gains and biases), most of the weights' first:
    /// `["Q4_1", "Q8_0"]`, `["F32"]`.
    public var formatNames: [String] {
        var elements: [String: Int] = [:], order: [String] = []
        for (_, m) in named where m.shape.count == 2 {
            for name in m.formatName.split(separator: "+").map(String.init) {
                if elements[name] == nil { order.append(name) }
                elements[name, default: 0] += m.shape.reduce(1, *)
            }
        }
        return order.enumerated().sorted { (elements[$0.element] ?? 0, -$0.offset) > (elements[$1.element] ?? 0, -$1.offset) }.map(\.element)
    }

    /// Bytes held by the weights (the tied output counted once).
    public var byteCount: Int { named.reduce(0) { $0 + $1.matrix.byteCount } }
}
