import PTuneCore

/// The hyperparameters of a Llama-architecture decoder (pre-norm RMSNorm blocks, rotary embeddings on adjacent
/// pairs, grouped-query attention, SwiGLU MLP).
public struct LlamaConfig: Sendable, Equatable {
    /// Tokens in the vocabulary.
    public var vocabularySize: Int
    /// Width of the residual stream (d).
    public var hiddenSize: Int
    /// Width of the MLP's hidden layer (F).
    public var feedForwardSize: Int
    /// Transformer blocks.
    public var layers: Int
    /// Query heads.
    public var heads: Int
    /// Key/value heads (divides `heads`).
    public var kvHeads: Int
    /// ε of every RMSNorm.
    public var rmsNormEpsilon: Double
    /// The rotary frequency base.
    public var ropeBase: Double
    /// The longest context the model was trained for.
    public var contextLength: Int
    /// Whether the output projection is the token embedding (no separate `output.weight`).
    public var tiedEmbeddings: Bool
    /// Special token ids: beginning and end of sequence, padding.
    public var bosToken: Int, eosToken: Int, padToken: Int

    /// A configuration; ``validate()`` checks it.
    public init(vocabularySize: Int, hiddenSize: Int, feedForwardSize: Int, layers: Int, heads: Int, kvHeads: Int,
                rmsNormEpsilon: Double = 1e-5, ropeBase: Double = 10_000, contextLength: Int = 2048,
                tiedEmbeddings: Bool = true, bosToken: Int = 1, eosToken: Int = 2, padToken: Int = 2) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.feedForwardSize = feedForwardSize
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeBase = ropeBase
        self.contextLength = contextLength
        self.tiedEmbeddings = tiedEmbeddings
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.padToken = padToken
    }

    /// SmolLM2-135M(-Instruct): 30 layers of width 576, 9 query / 3 KV heads of 64, MLP 1536, vocabulary 49,152,
    /// RoPE base 100,000, RMSNorm ε 1e-5, tied embeddings; `<|im_start|>` 1, `<|im_end|>` 2 (also padding).
    public static let smolLM2_135M = LlamaConfig(
        vocabularySize: 49_152, hiddenSize: 576, feedForwardSize: 1536, layers: 30, heads: 9, kvHeads: 3,
        rmsNormEpsilon: 1e-5, ropeBase: 100_000, contextLength: 8192, tiedEmbeddings: true,
        bosToken: 1, eosToken: 2, padToken: 2)

    /// Width of one head.
    public var headDim: Int { hiddenSize / Swift.max(heads, 1) }
    /// The attention layout.
    public func attentionHeads() throws -> AttentionHeads {
        try AttentionHeads(heads: heads, kvHeads: kvHeads, headDim: headDim)
    }
    /// Rows of the fused `[q | k | v]` projection: `(heads + 2·kvHeads) · headDim`.
    public var qkvWidth: Int { (heads + 2 * kvHeads) * headDim }

    /// Throws ``LlamaError/invalidConfig(_:)`` unless every size is positive, the heads divide the width, the KV
    /// heads divide the heads, and the head width is even (rotary pairs).
    public func validate() throws {
        let sizes = [vocabularySize, hiddenSize, feedForwardSize, layers, heads, kvHeads, contextLength]
        guard sizes.allSatisfy({ $0 > 0 }) else { throw LlamaError.invalidConfig("sizes must be positive: \(self)") }
        guard hiddenSize % heads == 0 else {
            throw LlamaError.invalidConfig("width \(hiddenSize) is not divisible by \(heads) heads")
        }
        guard heads % kvHeads == 0 else { throw LlamaError.invalidConfig("\(heads) heads are not divisible by \(kvHeads) kv heads") }
        guard headDim % 2 == 0 else { throw LlamaError.invalidConfig("head width \(headDim) must be even for rotary embeddings") }
        guard rmsNormEpsilon > 0, ropeBase > 0, rmsNormEpsilon.isFinite, ropeBase.isFinite else {
            throw LlamaError.invalidConfig("epsilon and rope base must be positive and finite")
        }
        for (name, id) in [("bos", bosToken), ("eos", eosToken), ("pad", padToken)] where id < 0 || id >= vocabularySize {
            throw LlamaError.invalidConfig("\(name) token \(id) is outside the vocabulary of \(vocabularySize)")
        }
    }
}

/// What can go wrong building or running a Llama model: always a clear message, never a crash.
public enum LlamaError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The hyperparameters are inconsistent.
    case invalidConfig(String)
    /// A weight is missing or has the wrong shape (name, explanation).
    case badWeight(String, String)
    /// A token id outside the vocabulary (id, vocabulary size).
    case tokenOutOfRange(Int, vocabulary: Int)
    /// Inputs that do not fit together (explanation).
    case badInput(String)
    /// More positions than the KV cache or the model's context holds (needed, available).
    case contextOverflow(needed: Int, available: Int)

    public var description: String {
        switch self {
        case let .invalidConfig(why): return "llama: invalid configuration: \(why)"
        case let .badWeight(name, why): return "llama: weight '\(name)': \(why)"
        case let .tokenOutOfRange(id, vocabulary): return "llama: token id \(id) is outside the vocabulary (0..<\(vocabulary))"
        case let .badInput(why): return "llama: \(why)"
        case let .contextOverflow(needed, available): return "llama: \(needed) positions do not fit in \(available)"
        }
    }
}
