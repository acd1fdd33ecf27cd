import PTuneCore

/// A small GPT-style causal language model: token and learned position embeddings, pre-LN ``TransformerBlock``s, a
/// final LayerNorm and an untied `lm_head` without bias.
/// ```
/// x = E_tok[ids] + E_pos[0..<T]
/// x = blockₗ(x) for each layer;  logits = lm_head(ln_f(x))
/// ```
/// Parameters: `wte.weight`, `wpe.weight`, `blocks.{i}.…`, `ln_f.…`, `lm_head.weight`. Init (PyTorch's defaults per
/// layer): embeddings `N(0, 1)`, linear layers `U(±1/√fan_in)`, LayerNorm γ = 1, β = 0; drawn in that order.
public final class GPT: Layer, FrozenModel {
    /// The model's dimensions.
    public struct Config: Sendable, Equatable {
        /// The vocabulary size V.
        public var vocabSize: Int
        /// The model width d.
        public var dim: Int
        /// The number of blocks.
        public var layers: Int
        /// Attention heads per block.
        public var heads: Int
        /// The longest sequence (number of learned positions).
        public var context: Int
        /// The MLP width as a multiple of d.
        public var mlpRatio: Int
        /// ε of every LayerNorm.
        public var layerNormEps: Double

        /// A configuration; `mlpRatio` 4 and LayerNorm ε 1e-5 by default.
        public init(vocabSize: Int, dim: Int, layers: Int, heads: Int, context: Int, mlpRatio: Int = 4,
                    layerNormEps: Double = 1e-5) {
            self.vocabSize = vocabSize; self.dim = dim; self.layers = layers; self.heads = heads
            self.context = context; self.mlpRatio = mlpRatio; self.layerNormEps = layerNormEps
        }
    }

    /// The dimensions.
    public let config: Config
    /// Token embeddings `[V, d]`.
    public let wte: Embedding
    /// Position embeddings `[context, d]`.
    public let wpe: Embedding
    /// The transformer blocks.
    public let blocks: [TransformerBlock]
    /// The final norm.
    public let lnF: LayerNorm
    /// The output projection `[V, d]`, no bias.
    public let lmHead: Linear
    /// The float type of the weights.
    public let dtype: DType

    /// A model with PyTorch's default initialisation drawn from `g`.
    public init(_ config: Config, dtype: DType = .float32, using g: inout Generator) throws {
        guard config.vocabSize > 0, config.dim > 0, config.layers >= 0, config.context > 0 else {
            throw NNError.invalidArgument("GPT", "vocab, dim and context must be positive, layers non-negative: \(config)")
        }
        self.config = config
        self.dtype = dtype
        wte = try Embedding(config.vocabSize, config.dim, dtype: dtype, using: &g)
        wpe = try Embedding(config.context, config.dim, dtype: dtype, using: &g)
        var built: [TransformerBlock] = []
        for i in 0..<config.layers {
            let b = try TransformerBlock(dim: config.dim, heads: config.heads, mlpRatio: config.mlpRatio, causal: true,
                                         layerNormEps: config.layerNormEps, dtype: dtype, using: &g)
            Naming.adopt(b.parameters, as: "blocks.\(i)")
            built.append(b)
        }
        blocks = built
        lnF = try LayerNorm(config.dim, eps: config.layerNormEps, dtype: dtype)
        lmHead = try Linear(config.dim, config.vocabSize, bias: false, dtype: dtype, using: &g)
        Naming.adopt(wte.parameters, as: "wte")
        Naming.adopt(wpe.parameters, as: "wpe")
        Naming.adopt(lnF.parameters, as: "ln_f")
        Naming.adopt(lmHead.parameters, as: "lm_head")
    }

    /// `wte`, `wpe`, each block's, `ln_f`, `lm_head`.
    public var parameters: [Parameter] {
        wte.parameters + wpe.parameters + blocks.flatMap(\.parameters) + lnF.parameters + lmHead.parameters
    }

    /// d
    public var tokenDim: Int { config.dim }

    /// Logits `[B, T, V]` for token ids `[B, T]`.
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        try forward(embeddings: embed(tokens), attentionMask: nil)
    }

    /// Token embeddings `[B, T, d]` (no positions: those are added in the forward).
    public func embed(_ tokens: Tensor) throws -> Tensor { try wte(tokens) }

    /// Logits `[B, T, V]` from input embeddings `[B, T, d]`; positions `0..<T` are added here.
    public func forward(embeddings: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard embeddings.rank == 3, embeddings.shape[2] == config.dim else {
            throw NNError.shapeMismatch("GPT", "expected embeddings [batch, time, \(config.dim)], got \(Shape.describe(embeddings.shape))")
        }
        let b = embeddings.shape[0], t = embeddings.shape[1]
        guard t <= config.context else {
            throw NNError.shapeMismatch("GPT", "sequence of \(t) positions exceeds the context of \(config.context)")
        }
        let context = try AttentionContext.batch(b, length: t, attentionMask: attentionMask)
        var x = try (embeddings + wpe.weight.value.narrowed(axis: 0, start: 0, length: t)).reshaped([b * t, config.dim])
        for block in blocks { x = try block.forward(rows: x, context: context) }
        return try lmHead(lnF(x)).reshaped([b, t, config.vocabSize])
    }

    /// Logits `[B, P + R, V]` for sequences that all begin with `prefix` `[P, d]` and go on with `rest` `[B, R, d]`,
    /// as ``forward(embeddings:attentionMask:)`` gives for them written out, with the prefix computed once: the rows
    /// `[prefix; rest₀; rest₁; …]` run through the blocks together, the prefix attending to itself and each
    /// sequence to the prefix and then causally to its own rows. The prefix's logits are shared by every sequence.
    public func forward(sharedPrefix prefix: Tensor, rest: Tensor) throws -> Tensor? {
        let d = config.dim
        guard prefix.rank == 2, prefix.shape[1] == d, rest.rank == 3, rest.shape[2] == d, prefix.shape[0] > 0 else {
            throw NNError.shapeMismatch("GPT", "expected a prefix [P, \(d)] and sequences [batch, time, \(d)], got \(Shape.describe(prefix.shape)) and \(Shape.describe(rest.shape))")
        }
        let p = prefix.shape[0], b = rest.shape[0], r = rest.shape[1]
        guard p + r <= config.context else {
            throw NNError.shapeMismatch("GPT", "sequence of \(p + r) positions exceeds the context of \(config.context)")
        }
        let positions = wpe.weight.value
        let own = try (rest + positions.narrowed(axis: 0, start: p, length: r)).reshaped([b * r, d])
        var x = try Tensor.concat([prefix + positions.narrowed(axis: 0, start: 0, length: p), own], axis: 0)
        var segments = [AttentionSegment(queries: 0..<p, keys: [0..<p])]
        for i in 0..<b {
            let rows = (p + i * r)..<(p + (i + 1) * r)
            if !rows.isEmpty { segments.append(AttentionSegment(queries: rows, keys: [0..<p, rows])) }
        }
        let context = AttentionContext(segments: segments)
        for block in blocks { x = try block.forward(rows: x, context: context) }
        let logits = try lmHead(lnF(x))
        let v = config.vocabSize
        let shared = try logits.narrowed(axis: 0, start: 0, length: p).unsqueezed(axis: 0).broadcasted(to: [b, p, v])
        return try Tensor.concat([shared, logits.narrowed(axis: 0, start: p, length: b * r).reshaped([b, r, v])], axis: 1)
    }
}
