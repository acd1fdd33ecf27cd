import PTuneCore
import PTuneNN

/// A frozen decoder-only transformer on the CPU — Llama (SmolLM2, TinyLlama, Llama 3), Qwen 2, Qwen 3 and
/// Gemma 3 as one model whose ``DecoderConfig`` holds what sets them apart — built from PTuneNN's layers: RMSNorm
/// ``TransformerBlock``s (pre-norm, or sandwich for Gemma), a stacked `[q | k | v]` projection (with biases, per-head
/// query/key norms, rotary embeddings of one or two bases, sliding windows, score scales and caps as configured) and
/// a gated MLP with `[gate | up]` stacked. Weight matrices are ``PTuneNN/FrozenLinear`` layers over float32 values or
/// a GGUF file's quantized blocks (``PTuneCore/FrozenMatrix``); activations are float32.
///
/// Its forward runs on packed rows (``DecoderPacking``: no padding FLOPs, a shared prefix computed once) and records
/// for autodiff only what flows from inputs that require a gradient — the weights never get one, so a backward
/// pass computes input gradients only and allocates nothing weight-sized. Inference runs one or several sequences
/// on a multi-sequence ``PTuneNN/KVCache`` (``generate(batch:prefixes:maxTokens:stopTokens:)``).
///
/// Block `l` (pre-norm): `h = x + Wₒ · attention(rope(W_qkv · rms(x)))`, `x' = h + W_down · act(W_gate,up · rms(h))`;
/// the output is `rms(x_L)` and logits are `E · rms(x_L)` with the (often tied) output matrix `E`, soft-capped when
/// configured. Token embeddings are multiplied by the configuration's embedding scale (Gemma: √d).
///
/// As a ``FrozenModel`` (PTuneNN's p-tuning plumbing) its forward takes padded embeddings `[B, T, d]` with an
/// attention mask and returns logits `[B, T, vocabulary]`; ``labelLogits(virtualTokens:sequences:labelTokens:)`` is
/// the fast path for PEFT's prepended layout.
///
/// The model never changes after it is built (its layers are not exposed; ``parameters`` wraps the weights in
/// fresh frozen parameters), so it may be shared between threads.
public final class DecoderModel: @unchecked Sendable {
    /// The hyperparameters.
    public let config: DecoderConfig
    /// The frozen weights the layers run on (the same storage).
    public let weights: DecoderWeights
    /// The tokenizer stored with the weights (the GGUF file's or the folder's `tokenizer.json`), if any.
    public let tokenizer: (any TextTokenizer)?
    let heads: AttentionHeads
    /// The blocks, first to last.
    let blocks: [TransformerBlock]
    /// The final normalisation.
    let outputNorm: RMSNorm
    /// The rotary encodings the layers use (one, or Gemma's global and local), tabulated once per forward.
    let rotaryEncodings: [RotaryEncoding]

    /// A model over `weights`, with the tokenizer that goes with them.
    public init(weights: DecoderWeights, tokenizer: (any TextTokenizer)? = nil) throws {
        config = weights.config
        self.weights = weights
        self.tokenizer = tokenizer
        let c = weights.config, heads = try c.attentionHeads()
        self.heads = heads
        func frozen(_ t: Tensor, _ name: String) throws -> Parameter { try Parameter(t, name: name, frozen: true) }
        func linear(_ w: FrozenMatrix, _ b: Tensor?, _ name: String) throws -> FrozenLinear {
            try FrozenLinear(weight: w, bias: b.map { try frozen($0, name + ".bias") })
        }
        func rms(_ w: Tensor, _ name: String) throws -> RMSNorm { try RMSNorm(weight: frozen(w, name), eps: c.rmsNormEpsilon) }
        let scoring = AttentionScoring(scale: c.attentionScale, softCap: c.attentionSoftCap)
        var encodings: [RotaryEncoding] = []
        blocks = try weights.layers.enumerated().map { l, w in
            let p = "blk.\(l).", type = c.layerTypes[l]
            let rotary = try c.rotaryEncoding(type, layout: weights.rotaryLayout)
            if !encodings.contains(rotary) { encodings.append(rotary) }
            var headNorms: MultiHeadAttention.HeadNorms? = nil
            if let qn = w.queryNorm, let kn = w.keyNorm {
                headNorms = MultiHeadAttention.HeadNorms(query: try rms(qn, p + "attn_q_norm.weight"),
                                                         key: try rms(kn, p + "attn_k_norm.weight"))
            }
            let attention = try MultiHeadAttention(
                projection: .fused(linear(w.qkv, w.qkvBias, p + "attn_qkv")),
                output: linear(w.attentionOutput, w.attentionOutputBias, p + "attn_output"),
                heads: heads, causal: true, rotary: rotary, window: type == .sliding ? c.slidingWindow : nil,
                scoring: scoring, headNorms: headNorms)
            let mlp = try FeedForward(up: linear(w.gateUp, w.gateUpBias, p + "ffn_gate_up"),
                                      down: linear(w.down, w.downBias, p + "ffn_down"), kind: .gated(c.activation))
            var placement = TransformerBlock.Placement.preNorm
            if let an = w.attentionOutputNorm, let mn = w.mlpOutputNorm {
                placement = .sandwich(attentionOutput: .rms(try rms(an, p + "post_attention_norm.weight")),
                                      mlpOutput: .rms(try rms(mn, p + "post_ffw_norm.weight")))
            }
            return TransformerBlock(attentionNorm: .rms(try rms(w.attentionNorm, p + "attn_norm.weight")),
                                    attention: attention, mlpNorm: .rms(try rms(w.mlpNorm, p + "ffn_norm.weight")),
                                    mlp: mlp, placement: placement)
        }
        rotaryEncodings = encodings
        outputNorm = try rms(weights.outputNorm, "output_norm.weight")
    }

    /// The embeddings of `tokens` as a `[tokens.count, d]` constant (scaled by the configuration's embedding scale);
    /// throws for an id outside the vocabulary.
    public func embed(_ tokens: [Int]) throws -> Tensor {
        try checkTokens(tokens)
        let rows = try weights.tokenEmbedding.gatherRows(tokens)
        guard let scale = config.embeddingScale else { return rows }
        return try rows * scale
    }

    /// Throws ``DecoderError/tokenOutOfRange(_:vocabulary:)`` for the first id outside the vocabulary.
    func checkTokens(_ tokens: [Int]) throws {
        let v = config.vocabularySize
        if let bad = tokens.first(where: { $0 < 0 || $0 >= v }) { throw DecoderError.tokenOutOfRange(bad, vocabulary: v) }
    }

    /// The rotary tables of rows at `positions`, for every encoding the layers use.
    func rotaryTables(_ positions: [Int]) throws -> RotaryTables {
        try RotaryTables(positions: positions, encodings: rotaryEncodings)
    }

    /// Runs every block on the packed rows `x` (`[packing.rowCount, d]`) and returns the final-normed hidden states
    /// of `outputRows` (`[outputRows.count, d]`, in the order given), or of every row when nil.
    ///
    /// With output rows, the last block computes its attention queries, output projection and MLP for those rows
    /// only (keys and values still for all rows): a loss that reads a few positions costs ~1/L less. With a deep
    /// `prefix` (prefix tuning), every block attends to its keys and values first and the rows' positions count
    /// from `prefix.count`.
    public func hiddenStates(_ x: Tensor, packing: DecoderPacking, outputRows: [Int]? = nil,
                             prefix: DeepPrefix? = nil) throws -> Tensor {
        let d = config.hiddenSize
        guard x.rank == 2, x.shape == [packing.rowCount, d], x.dtype == .float32 else {
            throw DecoderError.badInput("expected float32 rows [\(packing.rowCount), \(d)], got \(x.dtype) \(x.shape)")
        }
        let shift = prefix?.count ?? 0
        let positions = shift == 0 ? packing.positions : packing.positions.map { $0 + shift }
        let context = AttentionContext(segments: packing.segments, rotary: try rotaryTables(positions))
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
    /// only over `tokens` (`[n, tokens.count]`: two label words cost two dot products per row, not the vocabulary),
    /// soft-capped when the configuration says so.
    public func logits(_ hidden: Tensor, tokens: [Int]? = nil) throws -> Tensor {
        var out: Tensor
        if let tokens {
            try checkTokens(tokens)
            out = try StageProfile.measure(StageProfile.StageName.labelLogits) {
                try Tensor.linear(hidden, weight: weights.output.gatherRows(tokens), bias: nil)
            }
        } else {
            out = try Tensor.linear(hidden, frozen: weights.output)
        }
        if let cap = config.finalLogitSoftCap { out = try (out / cap).tanh() * cap }
        return out
    }
}
