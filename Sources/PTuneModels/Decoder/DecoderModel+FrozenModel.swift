import PTuneCore
import PTuneNN

/// ``PretrainedModel`` (and so ``FrozenModel``) conformance: what the registry and PTuneNN's prompt plumbing
/// (``PromptedModel``, ``PromptTuner``) need.
extension DecoderModel: PretrainedModel {
    /// The configuration's architecture: `llama`, `qwen2`, `qwen3`, `gemma3`.
    public var architecture: String { config.architecture.rawValue }
    /// The tokenizer loaded with the weights.
    public var textTokenizer: (any TextTokenizer)? { tokenizer }

    /// d
    public var tokenDim: Int { config.hiddenSize }
    /// float32
    public var dtype: DType { .float32 }
    /// Logits at every position.
    public var outputKind: ModelOutputKind { .perPosition }

    /// Every float weight as a frozen parameter named by its GGUF name (stacked projections as `attn_qkv` and
    /// `ffn_gate_up`), sharing the model's storage; the tied output is listed once, as `token_embd.weight`. Matrices
    /// kept in quantized blocks are not parameters (they never train): a model loaded with
    /// ``WeightStorage/float32`` lists every weight.
    public var parameters: [Parameter] {
        // Dense weights are float32 by construction, which Parameter always accepts.
        weights.named.compactMap { name, m in
            guard case let .dense(t) = m else { return nil }
            return try? Parameter(t, name: name, frozen: true)
        }
    }

    /// The embeddings `[B, T, d]` of token ids `[B, T]`.
    public func embed(_ tokens: Tensor) throws -> Tensor { try embed(tokens: tokens) }

    /// Logits `[B, T, vocabulary]` of input embeddings `[B, T, d]` (see
    /// ``forward(embeddings:attentionMask:logits:)``: padding is skipped, not computed).
    public func forward(embeddings: Tensor, attentionMask: Tensor?) throws -> Tensor {
        try forward(embeddings: embeddings, attentionMask: attentionMask, logits: true)
    }
}
