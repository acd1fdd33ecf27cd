import PTuneCore
import PTuneNN

/// A frozen Llama-architecture decoder (SmolLM2, TinyLlama, …) on the CPU, float32, built from PTuneNN's layers:
/// pre-norm ``TransformerBlock``s with RMSNorm, a fused `[q | k | v]` projection rotated by position (grouped-query
/// heads) and a SiLU-gated MLP with `[gate | up]` fused.
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
///
/// The model never changes after it is built (its layers are not exposed; ``parameters`` wraps the weights in
/// fresh frozen parameters), so it may be shared between threads.
public final class LlamaModel: @unchecked Sendable {
    /// The hyperparameters.
    public let config: LlamaConfig
    /// The frozen weights the layers run on (the same storage).
    public let weights: LlamaWeights
    /// The tokenizer stored with the weights (the GGUF file's byte-level BPE), if any.
    public let tokenizer: (any TextTokenizer)?
    let heads: AttentionHeads
    /// The blocks, first to last.
    let blocks: [TransformerBlock]
    /// The final normalisation.
    let outputNorm: RMSNorm

    /// A model over `weights`, with the tokenizer that goes with them.
    public init(weights: LlamaWeights, tokenizer: (any TextTokenizer)? = nil) throws {
        config = weights.config
        self.weights = weights
        self.tokenizer = tokenizer
        let c = weights.config, heads = try c.attentionHeads()
        self.heads = heads
        func frozen(_ t: Tensor, _ name: String) throws -> Parameter { try Parameter(t, name: name, frozen: true) }
        blocks = try weights.layers.enumerated().map { l, w in
            let p = "blk.\(l)."
            let attention = try MultiHeadAttention(
                projection: .fused(FrozenLinear(weight: w.qkv)), output: FrozenLinear(weight: w.attentionOutput),
                heads: heads, causal: true, rotary: true)
            let mlp = try FeedForward(up: FrozenLinear(weight: w.gateUp), down: FrozenLinear(weight: w.down),
                                      kind: .gated(.silu))
            return TransformerBlock(
                attentionNorm: .rms(try RMSNorm(weight: frozen(w.attentionNorm, p + "attn_norm.weight"), eps: c.rmsNormEpsilon)),
                attention: attention,
                mlpNorm: .rms(try RMSNorm(weight: frozen(w.mlpNorm, p + "ffn_norm.weight"), eps: c.rmsNormEpsilon)),
                mlp: mlp, placement: .preNorm)
        }
        outputNorm = try RMSNorm(weight: frozen(weights.outputNorm, "output_norm.weight"), eps: c.rmsNormEpsilon)
    }

    /// The embeddings of `tokens` as a `[tokens.count, d]` constant; throws for an id outside the vocabulary.
    public func embed(_ tokens: [Int]) throws -> Tensor {
        try checkTokens(tokens)
        return try weights.tokenEmbedding.gatherRows(tokens)
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
    /// only (keys and values still for all rows): a loss that reads a few positions costs ~1/L less. With a deep
    /// `prefix` (prefix tuning), every block attends to its keys and values first and the rows' positions count
    /// from `prefix.count`.
    public func hiddenStates(_ x: Tensor, packing: LlamaPacking, outputRows: [Int]? = nil,
                             prefix: DeepPrefix? = nil) throws -> Tensor {
        let d = config.hiddenSize
        guard x.rank == 2, x.shape == [packing.rowCount, d], x.dtype == .float32 else {
            throw LlamaError.badInput("expected float32 rows [\(packing.rowCount), \(d)], got \(x.dtype) \(x.shape)")
        }
        let shift = prefix?.count ?? 0
        let rope = try RotaryTable(positions: shift == 0 ? packing.positions : packing.positions.map { $0 + shift },
                                   headDim: config.headDim, base: config.ropeBase)
        let context = AttentionContext(segments: packing.segments, rotary: rope)
        var h = x
        for (l, block) in blocks.enumerated() {
            try TensorContext.checkStop()
            if l == blocks.count - 1, let outputRows {
                let unique = Array(Set(outputRows)).sorted()
                let selection = RowSelection(rows: unique, segments: try packing.segments(queryingOnly: unique))
                let out = try outputNorm(block.forward(rows: h, context: context, prefix: prefix?.layer(l), selecting: selection))
                if unique == outputRows { return out }
                var slot: [Int: Int] = [:]
                for (i, r) in unique.enumerated() { slot[r] = i }
                return try out.gatherRows(Tensor(shape: [outputRows.count], scalars: outputRows.map { Int64(slot[$0] ?? 0) }))
            }
            h = try block.forward(rows: h, context: context, prefix: prefix?.layer(l))
        }
        return try outputNorm(h)
    }

    /// Logits of hidden states `hidden` (`[n, d]`, final-normed): over the whole vocabulary (`[n, vocabulary]`), or
    /// only over `tokens` (`[n, tokens.count]`: two label words cost two dot products per row, not 49,152).
    public func logits(_ hidden: Tensor, tokens: [Int]? = nil) throws -> Tensor {
        guard let tokens else { return try Tensor.linear(hidden, frozen: weights.output) }
        try checkTokens(tokens)
        return try Tensor.linear(hidden, weight: weights.output.gatherRows(tokens), bias: nil)
    }
}
