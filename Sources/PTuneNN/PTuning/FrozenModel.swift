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
    /// What a deep prompt (prefix tuning) must look like for this model: its attention layers and key/value width;
    /// nil when the model has no attention to prefix (the default).
    var prefixLayout: PrefixLayout? { get }
    /// The model's output for input embeddings `[B, T, d]` (as ``forward(embeddings:attentionMask:)``) with every
    /// attention layer seeing `prefix`'s keys and values first; the real positions count from `prefix.count`, as
    /// after a cache of that many positions.
    func forward(embeddings: Tensor, attentionMask: Tensor?, prefix: DeepPrefix) throws -> Tensor
}

extension FrozenModel {
    /// Per-position outputs unless the model says otherwise.
    public var outputKind: ModelOutputKind { .perPosition }

    /// No shared-prefix forward: p-tuning writes every sequence out in full.
    public func forward(sharedPrefix prefix: Tensor, rest: Tensor) throws -> Tensor? { nil }

    /// No attention to prefix.
    public var prefixLayout: PrefixLayout? { nil }

    /// Refuses: the model has no attention layers a prefix could enter.
    public func forward(embeddings: Tensor, attentionMask: Tensor?, prefix: DeepPrefix) throws -> Tensor {
        throw NNError.unsupported("this model has no attention layers for a prefix encoder")
    }

    /// Checks that `prefix` was made for this model's layers and key/value width.
    public func checkPrefix(_ prefix: DeepPrefix) throws {
        guard let layout = prefixLayout else { throw NNError.unsupported("this model has no attention layers for a prefix encoder") }
        guard prefix.layout == layout else {
            throw NNError.shapeMismatch("prefix", "the prefix is for \(prefix.layout), the model has \(layout)")
        }
    }

    /// Freezes every weight of the model.
    public func freezeAll() { parameters.freezeAll() }

    /// A checksum of every weight (names, shapes and bits), to prove the model unchanged by training.
    public func checksum() -> ParameterChecksum { ParameterChecksum(parameters) }
}
