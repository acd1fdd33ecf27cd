import PTuneCore
import PTuneNN

/// A frozen Llama-architecture decoder (SmolLM2, TinyLlama, …) on the CPU, float32.
///
/// Its forward runs on packed rows (``LlamaPacking``: no padding FLOPs, a shared prefix computed once) and records
/// for autodiff only what flows from inputs that require a gradient — the weights never get one, so a backward
/// pass computes input gradients only and allocates nothing weight-sized.
///
/// Block `l`: `h = x + Wₒ · attention(rope(W_qkv · rms(x)))`, `x' = h + W_down · swiglu(W_gate,up · rms(h))`; the
/// output is `rms(x_L)` and logits are `E · rms(x_L)` with the (tied) embedding `E`.
///
/// As a ``FrozenModel`` (PTuneNN's p-tuning plumbing) its forward takes padded embeddings `[B, T, d]` with an
/// attention mask and returns logits `[B, T, vocabulary]`; ``labelLogits(virtualTokens:sequences:labelTokens:)`` is
/// the fast path for PEFT's prepended layout.
public final class LlamaModel: Sendable {
    /// The hyperparameters.
    public let config: LlamaConfig
    /// The frozen weights.
    public let weights: LlamaWeights
    /// The tokenizer stored with the weights (the GGUF file's byte-level BPE), if any.
    public let tokenizer: (any TextTokenizer)?
    let heads: AttentionHeads

    /// A model over `weights`, with the tokenizer that goes with them.
    public init(weights: LlamaWeights, tokenizer: (any TextTokenizer)? = nil) throws {
        config = weights.config
        self.weights = weights
        self.tokenizer = tokenizer
        heads = try weights.config.attentionHeads()
    }

    /// The embeddings of `tokens` as a `[tokens.count, d]` constant; throws for an id outside the vocabulary.
    public func embed(_ tokens: [Int]) throws -> Tensor {
        try checkTokens(tokens)
        return try weights.tokenEmbedding.gatherRows(Tensor(shape: [tokens.count], scalars: tokens.map(Int64.init)))
    }

    /// Throws ``LlamaError/tokenOutOfRange(_:vocabulary:)`` for the first id outside the vocabulary.
    func checkTokens(_ tokens: [Int]) throws {
        let v = config.vocabularySize
        if let bad = tokens.first(where: { $0 < 0 || $0 >= v }) { throw LlamaError.tokenOutOfRange(bad, vocabulary: v) }
    }

    /// Runs every block on the packed rows `x` (`[packing.rowCount, d]`) and returns the final-normed hidden states
    /// of `outputRows` (`[outputRows.count, d]`, in the order given), or of every row when nil.
    ///
    /// With output rows, the last block computes its attention queries, output projection and MLP for those rows
    /// only (keys and values still for all rows): a loss that reads a few positions costs ~1/L less.
    public func hiddenStates(_ x: Tensor, packing: LlamaPacking, outputRows: [Int]? = nil) throws -> Tensor {
        let d = config.hiddenSize
        guard x.rank == 2, x.shape == [packing.rowCount, d], x.dtype == .float32 else {
            throw LlamaError.badInput("expected float32 rows [\(packing.rowCount), \(d)], got \(x.dtype) \(x.shape)")
        }
        let rope = try RotaryTable(positions: packing.positions, headDim: config.headDim, base: config.ropeBase)
        var h = x
        let blocks = weights.layers
        for (l, w) in blocks.enumerated() {
            if l == blocks.count - 1, let outputRows {
                return try lastBlock(h, w, packing: packing, rope: rope, rows: outputRows)
            }
            h = try block(h, w, segments: packing.segments, rope: rope)
        }
        return try h.rmsNorm(weight: weights.outputNorm, eps: config.rmsNormEpsilon)
    }

    /// One block on all rows.
    func block(_ x: Tensor, _ w: LlamaLayerWeights, segments: [AttentionSegment], rope: RotaryTable) throws -> Tensor {
        let eps = config.rmsNormEpsilon
        let qkv = try project(x.rmsNorm(weight: w.attentionNorm, eps: eps), w.qkv)
            .rotaryEmbedding(rope, heads: heads.heads + heads.kvHeads)
        let attended = try Tensor.causalAttention(qkv: qkv, heads: heads, segments: segments)
        let h = try x + project(attended, w.attentionOutput)
        return try h + mlp(h, w)
    }

    /// The MLP half of a block (without the residual): `W_down · swiglu(W_gate,up · rms(h))`.
    func mlp(_ h: Tensor, _ w: LlamaLayerWeights) throws -> Tensor {
        try project(project(h.rmsNorm(weight: w.mlpNorm, eps: config.rmsNormEpsilon), w.gateUp).swiglu(), w.down)
    }

    /// `x · Wᵀ` through a frozen weight: the backward computes the input gradient only.
    func project(_ x: Tensor, _ w: Tensor) throws -> Tensor { try Tensor.linear(x, weight: w, bias: nil) }

    /// The last block for `rows` only, then the final norm, in the order of `rows`.
    func lastBlock(_ x: Tensor, _ w: LlamaLayerWeights, packing: LlamaPacking, rope: RotaryTable,
                   rows: [Int]) throws -> Tensor {
        let unique = Array(Set(rows)).sorted()
        let segments = try packing.segments(queryingOnly: unique)
        let eps = config.rmsNormEpsilon
        let qkv = try project(x.rmsNorm(weight: w.attentionNorm, eps: eps), w.qkv)
            .rotaryEmbedding(rope, heads: heads.heads + heads.kvHeads)
        let picked = try Tensor(shape: [unique.count], scalars: unique.map(Int64.init))
        let attended = try Tensor.causalAttention(qkv: qkv, heads: heads, segments: segments).gatherRows(picked)
        let h = try x.gatherRows(picked) + project(attended, w.attentionOutput)
        let out = try (h + mlp(h, w)).rmsNorm(weight: weights.outputNorm, eps: eps)
        if unique == rows { return out }
        var slot: [Int: Int] = [:]
        for (i, r) in unique.enumerated() { slot[r] = i }
        return try out.gatherRows(Tensor(shape: [rows.count], scalars: rows.map { Int64(slot[$0] ?? 0) }))
    }

    /// Logits of hidden states `hidden` (`[n, d]`, final-normed): over the whole vocabulary (`[n, vocabulary]`), or
    /// only over `tokens` (`[n, tokens.count]`: two label words cost two dot products per row, not 49,152).
    public func logits(_ hidden: Tensor, tokens: [Int]? = nil) throws -> Tensor {
        guard let tokens else { return try project(hidden, weights.output) }
        try checkTokens(tokens)
        let rows = try weights.output.gatherRows(Tensor(shape: [tokens.count], scalars: tokens.map(Int64.init)))
        return try project(hidden, rows)
    }
}
