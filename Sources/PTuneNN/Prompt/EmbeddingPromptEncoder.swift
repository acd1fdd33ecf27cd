import PTuneCore

/// Prompt tuning (Lester et al.; PEFT's `PromptEmbedding`): the virtual tokens are a trainable table,
/// `encode() = E` with `E` `[n, d]` named `embedding.weight`.
///
/// Init (``PromptInit``, PEFT's three): random `N(0, 1)` (PyTorch's `nn.Embedding`); TEXT, the frozen model's
/// embeddings of given token ids, truncated to n or repeated until n; SAMPLE_VOCAB, the embeddings of n token ids drawn
/// uniformly from the vocabulary. An encoder imported from a PEFT folder is inference-only: its table is frozen.
public final class EmbeddingPromptEncoder: PromptEncoder {
    /// The table `[n, d]`.
    public let embedding: Embedding
    /// How the table began (written into PEFT exports as `prompt_tuning_init`).
    public var initialization: PromptInit = .random

    /// A random table `N(0, 1)` drawn from `g`.
    public init(numVirtualTokens n: Int, tokenDim d: Int, dtype: DType = .float32, using g: inout Generator) throws {
        guard n > 0, d > 0 else { throw NNError.invalidArgument("embedding encoder", "n and d must be positive, got \(n) and \(d)") }
        embedding = try Embedding(n, d, dtype: dtype, using: &g)
        Naming.adopt(embedding.parameters, as: "embedding")
    }

    /// An encoder holding `table` `[n, d]`; `frozen` makes it inference-only.
    public init(table: Tensor, frozen: Bool = false) throws {
        guard table.rank == 2, table.shape[0] > 0, table.shape[1] > 0 else {
            throw NNError.shapeMismatch("embedding encoder", "table must be a non-empty [n, d], got \(Shape.describe(table.shape))")
        }
        embedding = try Embedding(table: table, frozen: frozen)
        Naming.adopt(embedding.parameters, as: "embedding")
    }

    /// PEFT's TEXT init: the embeddings of `tokenIds` under `model`, truncated or repeated to `n` rows; `text` (the
    /// source of the ids, if known) is recorded as the encoder's ``initialization``.
    public convenience init(numVirtualTokens n: Int, initializingFromTokens tokenIds: [Int], of model: FrozenModel,
                            text: String? = nil, tokenizer: String? = nil) throws {
        guard n > 0 else { throw NNError.invalidArgument("embedding encoder", "n must be positive, got \(n)") }
        guard !tokenIds.isEmpty else { throw NNError.invalidArgument("embedding encoder", "the init text has no tokens") }
        try self.init(rowsOf: (0..<n).map { tokenIds[$0 % tokenIds.count] }, of: model)
        if let text { initialization = .text(text, tokenizer: tokenizer) }
    }

    /// PEFT's SAMPLE_VOCAB init: the embeddings under `model` of `n` token ids drawn uniformly from `0..<vocabulary`
    /// with `g`.
    public convenience init(numVirtualTokens n: Int, samplingVocabulary vocabulary: Int, of model: FrozenModel,
                            using g: inout Generator) throws {
        guard n > 0 else { throw NNError.invalidArgument("embedding encoder", "n must be positive, got \(n)") }
        guard vocabulary > 0 else { throw NNError.invalidArgument("embedding encoder", "the vocabulary is empty") }
        try self.init(rowsOf: (0..<n).map { _ in g.nextInt(in: 0..<vocabulary) }, of: model)
        initialization = .sampleVocab
    }

    /// A trainable table holding `model`'s embeddings of `ids`, one row each.
    private convenience init(rowsOf ids: [Int], of model: FrozenModel) throws {
        let n = ids.count
        let rows = try Tensor.withoutRecording { try model.embed(Tensor(shape: [1, n], scalars: ids.map(Int64.init))) }
        try self.init(table: rows.reshaped([n, model.tokenDim]).detached())
    }

    /// n
    public var numVirtualTokens: Int { embedding.count }
    /// d
    public var tokenDim: Int { embedding.dim }
    /// `embedding.weight`.
    public var parameters: [Parameter] { embedding.parameters }
    /// Whether the table is frozen (an imported, inference-only encoder).
    public var isInferenceOnly: Bool { embedding.weight.isFrozen }
    /// `embedding`, n, d.
    public var config: PromptEncoderConfig {
        PromptEncoderConfig(kind: .embedding, numVirtualTokens: numVirtualTokens, tokenDim: tokenDim, dtype: embedding.weight.dtype)
    }

    /// The table itself.
    public func encode() throws -> Tensor { embedding.weight.value }
}
