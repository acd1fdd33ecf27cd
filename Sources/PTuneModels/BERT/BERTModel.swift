import PTuneCore
import PTuneNN

/// A BERT encoder (all-MiniLM-L6-v2 and its kind) with sentence-transformers' pooling:
/// ```
/// h₀ = LN(E_word[ids] + E_pos[0..<T] + E_type[0])        (p-tuning supplies the word part itself)
/// hₗ = block_l(hₗ₋₁, mask)                                  post-LN blocks of PTuneNN's layers, each:
///      a = LN₁(x + attention(x)),  y = LN₂(a + W₂ GELU(W₁ a + b₁) + b₂)    (bidirectional; padding keys masked)
/// e  = Σₜ mask_t·h_L[t] / Σₜ mask_t,   e ← e / max(‖e‖, 1e-12)
/// ```
/// Weights are constants unless made trainable, so backward through the model computes the input embeddings'
/// gradient and no weight gradient.
public final class BERTModel {
    /// What ``forward(embeddings:attentionMask:)`` returns.
    public enum Output: Sendable, Equatable {
        /// Mean-pooled over real tokens and L2-normalised, `[B, d]` (sentence-transformers' embedding).
        case sentenceEmbedding
        /// Mean-pooled over real tokens, `[B, d]`.
        case meanPooled
        /// The last layer's states, `[B, T, d]`.
        case hiddenStates
    }

    /// The hyperparameters.
    public let config: BERTConfig
    /// The tokenizer that goes with the weights, if one was loaded.
    public let tokenizer: WordPiece?
    /// What the forward returns (default: sentence embeddings).
    public var output: Output = .sentenceEmbedding
    /// The longest input that ``sentenceEmbeddings(_:batchSize:)`` encodes, in tokens with [CLS] and [SEP]
    /// (256, sentence-transformers' setting for all-MiniLM-L6-v2); longer texts are cut, keeping [SEP].
    public var maxSequenceLength = 256

    /// Every weight as a parameter named as in the Hugging Face checkpoint, frozen unless unfrozen: embeddings
    /// first, then layer by layer.
    public let parameters: [Parameter]
    /// The encoder blocks.
    let blocks: [TransformerBlock]
    /// The normalisation of the summed embeddings.
    let embeddingNorm: LayerNorm

    var wordEmbeddings: Tensor { parameters[0].value }
    var positionEmbeddings: Tensor { parameters[1].value }
    var typeEmbeddings: Tensor { parameters[2].value }

    /// The Hugging Face names and shapes of the embedding weights.
    static func embeddingNames(_ c: BERTConfig) -> [(name: String, shape: [Int])] {
        [("embeddings.word_embeddings.weight", [c.vocabSize, c.hiddenSize]),
         ("embeddings.position_embeddings.weight", [c.maxPositions, c.hiddenSize]),
         ("embeddings.token_type_embeddings.weight", [c.typeVocabSize, c.hiddenSize]),
         ("embeddings.LayerNorm.weight", [c.hiddenSize]), ("embeddings.LayerNorm.bias", [c.hiddenSize])]
    }

    /// The Hugging Face names of layer `i`'s 16 weights, with their shapes for width `d` and feed-forward width `f`,
    /// in the order the block lists its parameters.
    static func layerNames(_ i: Int, d: Int, f: Int) -> [(name: String, shape: [Int])] {
        let p = "encoder.layer.\(i)."
        return [
            (p + "attention.self.query.weight", [d, d]), (p + "attention.self.query.bias", [d]),
            (p + "attention.self.key.weight", [d, d]), (p + "attention.self.key.bias", [d]),
            (p + "attention.self.value.weight", [d, d]), (p + "attention.self.value.bias", [d]),
            (p + "attention.output.dense.weight", [d, d]), (p + "attention.output.dense.bias", [d]),
            (p + "attention.output.LayerNorm.weight", [d]), (p + "attention.output.LayerNorm.bias", [d]),
            (p + "intermediate.dense.weight", [f, d]), (p + "intermediate.dense.bias", [f]),
            (p + "output.dense.weight", [d, f]), (p + "output.dense.bias", [d]),
            (p + "output.LayerNorm.weight", [d]), (p + "output.LayerNorm.bias", [d]),
        ]
    }

    /// Every weight name and shape, embeddings first, then layer by layer.
    public static func weightNames(_ c: BERTConfig) -> [(name: String, shape: [Int])] {
        embeddingNames(c) + (0..<c.layers).flatMap { layerNames($0, d: c.hiddenSize, f: c.intermediateSize) }
    }

    /// Layer `i`'s block over its 16 parameters (in the order of ``layerNames(_:d:f:)``).
    static func block(_ w: ArraySlice<Parameter>, config c: BERTConfig) throws -> TransformerBlock {
        let p = Array(w)
        func linear(_ i: Int) throws -> Linear { try Linear(weight: p[i], bias: p[i + 1]) }
        func norm(_ i: Int) throws -> Normalization { .layer(try LayerNorm(weight: p[i], bias: p[i + 1], eps: c.layerNormEps)) }
        let heads = try AttentionHeads(heads: c.heads, kvHeads: c.heads, headDim: c.hiddenSize / c.heads)
        let attention = try MultiHeadAttention(projection: .separate(query: linear(0), key: linear(2), value: linear(4)),
                                               output: linear(6), heads: heads, causal: false)
        return TransformerBlock(attentionNorm: try norm(8), attention: attention, mlpNorm: try norm(14),
                                mlp: try FeedForward(up: linear(10), down: linear(12), kind: .plain(.gelu)),
                                placement: .postNorm)
    }

    /// A model from `config` whose weights `weight(name, shape)` supplies (float32 or float64, in Hugging Face's
    /// layout and names), frozen.
    public init(config: BERTConfig, tokenizer: WordPiece? = nil, weight: (String, [Int]) throws -> Tensor) throws {
        try config.validate(file: "config")
        self.config = config
        self.tokenizer = tokenizer
        var params: [Parameter] = []
        for (name, shape) in BERTModel.weightNames(config) {
            let t = try weight(name, shape)
            guard t.shape == shape else { throw ModelError.weightShape(file: "weights", name: name, expected: shape, found: t.shape) }
            params.append(try Parameter(t, name: name, frozen: true))
        }
        guard Set(params.map(\.dtype)).count == 1 else {
            throw ModelError.invalidConfig(file: "weights", reason: "the weights mix float32 and float64")
        }
        parameters = params
        embeddingNorm = try LayerNorm(weight: params[3], bias: params[4], eps: config.layerNormEps)
        let per = 16
        blocks = try (0..<config.layers).map { i in try BERTModel.block(params[(5 + i * per)..<(5 + (i + 1) * per)], config: config) }
    }

    /// The width d of a token embedding.
    public var tokenDim: Int { config.hiddenSize }

    /// The word embeddings `[B, T, d]` of token ids `[B, T]` (positions and token types are added by the forward).
    public func embed(_ tokens: Tensor) throws -> Tensor {
        try wordEmbeddings.gatherRows(tokens, fromEnd: false)
    }

    /// The model's ``output`` for input word embeddings `[B, T, d]`; `attentionMask` `[B, T]` is 1 at real tokens
    /// and 0 at padding (nil: no padding).
    public func forward(embeddings: Tensor, attentionMask: Tensor?) throws -> Tensor {
        let h = try hiddenStates(embeddings: embeddings, attentionMask: attentionMask)
        switch output {
        case .hiddenStates: return h
        case .meanPooled: return try BERTModel.meanPool(h, attentionMask)
        case .sentenceEmbedding: return try BERTModel.normalize(BERTModel.meanPool(h, attentionMask))
        }
    }

    /// The last layer's states `[B, T, d]` for input word embeddings `[B, T, d]`. With a deep `prefix` (prefix
    /// tuning), every layer attends to its keys and values too, and the positions count from `prefix.count` (as
    /// Hugging Face's BERT does after `past_key_values`).
    public func hiddenStates(embeddings x: Tensor, attentionMask: Tensor?, prefix: DeepPrefix? = nil) throws -> Tensor {
        let d = config.hiddenSize
        guard x.rank == 3, x.shape[2] == d, x.dtype == wordEmbeddings.dtype else {
            throw TensorError.shapeMismatch(op: .forward, "BERT expects input embeddings [batch, time, \(d)] of \(wordEmbeddings.dtype), got \(Shape.describe(x.shape)) \(x.dtype)")
        }
        let b = x.shape[0], t = x.shape[1], shift = prefix?.count ?? 0
        guard t >= 1, shift + t <= config.maxPositions else {
            throw TensorError.shapeMismatch(op: .forward, "an input of \(shift + t) tokens does not fit BERT's \(config.maxPositions) positions")
        }
        let kv = try prefix.map { p in try checkPrefix(p); return try p.to(x.dtype) }
        if let m = attentionMask, m.shape != [b, t] {
            throw TensorError.shapeMismatch(op: .forward, "attention mask \(Shape.describe(m.shape)) does not match [\(b), \(t)]")
        }
        let context = try AttentionContext.batch(b, length: t, attentionMask: attentionMask)
        let positions = try positionEmbeddings.narrowed(axis: 0, start: shift, length: t)
        let type0 = try typeEmbeddings.narrowed(axis: 0, start: 0, length: 1)
        var h = try embeddingNorm(x + positions + type0).reshaped([b * t, d])
        for (l, block) in blocks.enumerated() {
            try TensorContext.checkStop()
            h = try block.forward(rows: h, context: context, prefix: kv?.layer(l))
        }
        return try h.reshaped([b, t, d])
    }

    /// Mean over the real positions: `Σₜ mask_t·h[t] / max(Σₜ mask_t, 1e-9)`, `[B, T, d]` → `[B, d]`.
    static func meanPool(_ h: Tensor, _ attentionMask: Tensor?) throws -> Tensor {
        guard let attentionMask else { return try h.mean(axis: 1) }
        let b = h.shape[0], t = h.shape[1]
        let m = try Tensor(shape: [b, t, 1], values: attentionMask.doubles.map { $0 == 0 ? 0 : 1 }, dtype: h.dtype)
        return try (h * m).sum(axis: 1) / (try m.sum(axis: 1).clamped(low: 1e-9))
    }

    /// `e / max(‖e‖₂, 1e-12)` over the last axis.
    static func normalize(_ e: Tensor) throws -> Tensor {
        try e / (try e.square().sum(axis: -1, keepDims: true).sqrt().clamped(low: 1e-12))
    }
}
