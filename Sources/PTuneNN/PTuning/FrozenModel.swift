import PTuneCore

/// What a model's forward returns, which decides how p-tuning aligns outputs with tokens.
public enum ModelOutputKind: Sendable, Equatable {
    /// One output per input position, `[B, T, …]` (a language model's logits).
    case perPosition
    /// One output per sequence, `[B, …]` (a pooled classifier).
    case pooled
}

/// Anything that can be p-tuned: a model that embeds token ids and runs forward from input embeddings.
///
/// P-tuning builds the input embeddings itself — virtual tokens from a prompt encoder placed among the real tokens'
/// embeddings — and calls ``forward(embeddings:attentionMask:)``; the model's own weights stay frozen. The toy matrix,
/// an MLP classifier, the small ``GPT`` and the real LLMs of PTuneModels all conform.
public protocol FrozenModel: AnyObject {
    /// The width d of one token embedding.
    var tokenDim: Int { get }
    /// The float type of the model's weights and embeddings.
    var dtype: DType { get }
    /// Every weight of the model (for freezing and checksums).
    var parameters: [Parameter] { get }
    /// What ``forward(embeddings:attentionMask:)`` returns.
    var outputKind: ModelOutputKind { get }
    /// The embeddings `[B, T, d]` of token ids `[B, T]` (int64).
    func embed(_ tokens: Tensor) throws -> Tensor
    /// The model's output for input embeddings `[B, T, d]`; `attentionMask` `[B, T]` marks real positions with 1 and
    /// padding with 0 (nil: no padding).
    func forward(embeddings: Tensor, attentionMask: Tensor?) throws -> Tensor
    /// The output for `B` sequences that all begin with the same embeddings `prefix` `[P, d]` and go on with their
    /// own `rest` `[B, R, d]`: what ``forward(embeddings:attentionMask:)`` returns for the sequences written out in
    /// full (no padding), but with the prefix positions computed once instead of once per sequence — p-tuning's
    /// prepended virtual tokens are the same in every example. Only a model whose prefix positions do not depend on
    /// later ones (causal, or position by position) can do this; the others return nil (the default) and get the
    /// sequences written out.
    func forward(sharedPrefix prefix: Tensor, rest: Tensor) throws -> Tensor?
}

extension FrozenModel {
    /// Per-position outputs unless the model says otherwise.
    public var outputKind: ModelOutputKind { .perPosition }

    /// No shared-prefix forward: p-tuning writes every sequence out in full.
    public func forward(sharedPrefix prefix: Tensor, rest: Tensor) throws -> Tensor? { nil }

    /// Freezes every weight of the model.
    public func freezeAll() { parameters.freezeAll() }

    /// A checksum of every weight (names, shapes and bits), to prove the model unchanged by training.
    public func checksum() -> ParameterChecksum { ParameterChecksum(parameters) }
}
