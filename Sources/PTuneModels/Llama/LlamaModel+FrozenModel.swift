import PTuneCore
import PTuneNN

/// ``PretrainedModel`` (and so ``FrozenModel``) conformance: what the registry and PTuneNN's prompt plumbing
/// (``PromptedModel``, ``PromptTuner``) need.
extension LlamaModel: PretrainedModel {
    /// `llama`
    public var architecture: String { "llama" }
    /// The tokenizer loaded with the weights.
    public var textTokenizer: (any TextTokenizer)? { tokenizer }

    /// d
    public var tokenDim: Int { config.hiddenSize }
    /// float32
    public var dtype: DType { .float32 }
    /// Logits at every position.
    public var outputKind: ModelOutputKind { .perPosition }

    /// Every float weight as a frozen parameter named by its GGUF name (fused projections as `attn_qkv` and
    /// `ffn_gate_up`), sharing the model's storage; the tied output is listed once, as `token_embd.weight`. Matrices
    /// kept in quantized blocks are not parameters (they never train): a model loaded with
    /// ``WeightStorage/float32`` lists every weight.
    public var parameters: [Parameter] {
        var named: [(String, FrozenMatrix)] = [("token_embd.weight", weights.tokenEmbedding)]
        for (l, b) in weights.layers.enumerated() {
            let p = "blk.\(l)."
            named += [(p + "attn_norm.weight", .dense(b.attentionNorm)), (p + "attn_qkv.weight", b.qkv),
                      (p + "attn_output.weight", b.attentionOutput), (p + "ffn_norm.weight", .dense(b.mlpNorm)),
                      (p + "ffn_gate_up.weight", b.gateUp), (p + "ffn_down.weight", b.down)]
        }
        named.append(("output_norm.weight", .dense(weights.outputNorm)))
        if !config.tiedEmbeddings { named.append(("output.weight", weights.output)) }
        // Dense weights are float32 by construction, which Parameter always accepts.
        return named.compactMap { name, m in
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
