import PTuneCore

/// A transformer block: attention and an MLP, each with a residual connection and a normalisation, placed before
/// (GPT, Llama) or after (BERT) the residual sum, or on both sides of each sublayer (Gemma):
/// ```
/// pre-norm:   h = x + attention(norm₁(x))               y = h + mlp(norm₂(h))
/// post-norm:  h = norm₁(x + attention(x))               y = norm₂(h + mlp(h))
/// sandwich:   h = x + norm₃(attention(norm₁(x)))        y = h + norm₄(mlp(norm₂(h)))
/// ```
/// Its parameters are listed in that order of use: pre-norm `norm₁, attention, norm₂, mlp`; post-norm `attention,
/// norm₁, mlp, norm₂`; sandwich `norm₁, attention, norm₃, norm₂, mlp, norm₄`.
public final class TransformerBlock: Layer {
    /// Where the normalisations sit.
    public enum Placement {
        /// Before each sublayer, on its input.
        case preNorm
        /// After each residual sum.
        case postNorm
        /// Before each sublayer and on its output before the residual sum (Gemma 2 and 3), with the two output norms.
        case sandwich(attentionOutput: Normalization, mlpOutput: Normalization)
    }

    /// The normalisation around the attention.
    public let attentionNorm: Normalization
    /// The self-attention.
    public let attention: MultiHeadAttention
    /// The normalisation around the MLP.
    public let mlpNorm: Normalization
    /// The position-wise MLP.
    public let mlp: FeedForward
    /// Where the normalisations sit.
    public let placement: Placement

    /// A block of the given sublayers.
    public init(attentionNorm: Normalization, attention: MultiHeadAttention, mlpNorm: Normalization, mlp: FeedForward,
                placement: Placement) {
        self.attentionNorm = attentionNorm
        self.attention = attention
        self.mlpNorm = mlpNorm
        self.mlp = mlp
        self.placement = placement
    }

    /// A GPT-2 block: pre-LayerNorm, a fused attention projection, an MLP `d → r·d → d` with `activation` (exact
    /// GELU by default). Parameters are named `ln1`, `qkv`, `proj`, `ln2`, `fc1`, `fc2` (the attention's projections
    /// sit directly in the block) and drawn from `g` in the order `qkv`, `proj`, `fc1`, `fc2` (PyTorch's default
    /// init; LayerNorm γ = 1, β = 0).
    public convenience init(dim: Int, heads: Int, mlpRatio: Int = 4, causal: Bool = true, activation: Activation = .gelu,
                            layerNormEps: Double = 1e-5, dtype: DType = .float32, using g: inout Generator) throws {
        guard mlpRatio > 0 else { throw NNError.invalidArgument("TransformerBlock", "mlpRatio must be positive, got \(mlpRatio)") }
        let ln1 = try LayerNorm(dim, eps: layerNormEps, dtype: dtype)
        let attention = try MultiHeadAttention(dim: dim, heads: heads, causal: causal, dtype: dtype, using: &g)
        let ln2 = try LayerNorm(dim, eps: layerNormEps, dtype: dtype)
        let fc1 = try Linear(dim, mlpRatio * dim, dtype: dtype, using: &g)
        let fc2 = try Linear(mlpRatio * dim, dim, dtype: dtype, using: &g)
        Naming.adopt(ln1.parameters, as: "ln1")
        Naming.adopt(ln2.parameters, as: "ln2")
        Naming.adopt(fc1.parameters, as: "fc1")
        Naming.adopt(fc2.parameters, as: "fc2")
        self.init(attentionNorm: .layer(ln1), attention: attention, mlpNorm: .layer(ln2),
                  mlp: try FeedForward(up: fc1, down: fc2, kind: .plain(activation)), placement: .preNorm)
    }

    /// Every sublayer's parameters in the order of use.
    public var parameters: [Parameter] {
        switch placement {
        case .preNorm: return attentionNorm.parameters + attention.parameters + mlpNorm.parameters + mlp.parameters
        case .postNorm: return attention.parameters + attentionNorm.parameters + mlp.parameters + mlpNorm.parameters
        case let .sandwich(n3, n4):
            return attentionNorm.parameters + attention.parameters + n3.parameters + mlpNorm.parameters + mlp.parameters
                + n4.parameters
        }
    }

    /// The block over `x` `[B, T, d]` without a padding mask.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x, attentionMask: nil) }

    /// The block over `x` `[B, T, d]`; `attentionMask` `[B, T]` marks padding with 0.
    public func forward(_ x: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard x.rank == 3 else {
            throw NNError.shapeMismatch("TransformerBlock", "expected input [batch, time, dim], got \(Shape.describe(x.shape))")
        }
        let b = x.shape[0], t = x.shape[1], d = x.shape[2]
        let context = try AttentionContext.batch(b, length: t, attentionMask: attentionMask)
        return try forward(rows: x.reshaped([b * t, d]), context: context).reshaped([b, t, d])
    }

    /// The block on packed rows `[N, d]` laid out by `context`, attention after the KV `prefix` if given; with
    /// `selecting`, the output has the selected rows only (attention still reads every row's keys and values).
    public func forward(rows x: Tensor, context: AttentionContext, prefix: KVPrefix? = nil,
                        selecting: RowSelection? = nil) throws -> Tensor {
        let residual = try selecting.map { try x.gatherRows($0.indices) } ?? x
        switch placement {
        case .preNorm:
            let a = try attention.forward(rows: attentionNorm(x), context: context, prefix: prefix, selecting: selecting)
            let h = try StageProfile.measure(StageProfile.StageName.residual) { try residual + a }
            let m = try mlp(mlpNorm(h))
            return try StageProfile.measure(StageProfile.StageName.residual) { try h + m }
        case .postNorm:
            let h = try attentionNorm(residual + attention.forward(rows: x, context: context, prefix: prefix, selecting: selecting))
            return try mlpNorm(h + mlp(h))
        case let .sandwich(n3, n4):
            let a = try attention.forward(rows: attentionNorm(x), context: context, prefix: prefix, selecting: selecting)
            let h = try residual + n3(a)
            return try h + n4(mlp(mlpNorm(h)))
        }
    }

    /// The block on new rows `x` `[m, d]` continuing sequences whose earlier keys and values `cache` holds, as
    /// `spans` say (see ``MultiHeadAttention/forward(rows:rotary:cache:layer:spans:prefix:)``).
    public func forward(rows x: Tensor, rotary: RotaryTables?, cache: inout KVCache, layer: Int,
                        spans: [KVCache.Span]? = nil, prefix: KVPrefix? = nil) throws -> Tensor {
        switch placement {
        case .preNorm:
            let h = try x + attention.forward(rows: attentionNorm(x), rotary: rotary, cache: &cache, layer: layer,
                                              spans: spans, prefix: prefix)
            return try h + mlp(mlpNorm(h))
        case .postNorm:
            let h = try attentionNorm(x + attention.forward(rows: x, rotary: rotary, cache: &cache, layer: layer,
                                                            spans: spans, prefix: prefix))
            return try mlpNorm(h + mlp(h))
        case let .sandwich(n3, n4):
            let h = try x + n3(attention.forward(rows: attentionNorm(x), rotary: rotary, cache: &cache, layer: layer,
                                                 spans: spans, prefix: prefix))
            return try h + n4(mlp(mlpNorm(h)))
        }
    }
}
