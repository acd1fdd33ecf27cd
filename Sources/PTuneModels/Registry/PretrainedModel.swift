import PTuneNN

/// A pretrained model as ``ModelRegistry`` loads it: a p-tunable network (frozen when loaded) with the tokenizer
/// that goes with its weights.
public protocol PretrainedModel: FrozenModel {
    /// The architecture's name: `"llama"`, `"bert"`.
    var architecture: String { get }
    /// The tokenizer stored with the weights, if any.
    var textTokenizer: (any TextTokenizer)? { get }
}
