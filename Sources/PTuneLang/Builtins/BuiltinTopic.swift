/// The groups builtins are listed under in help, in the order help lists them.
public enum BuiltinTopic: String, CaseIterable, Sendable {
    /// Making, indexing, shaping and reducing tensors.
    case tensor
    /// Elementwise math and activations; numbers, strings and lists.
    case math
    /// Layers, losses, metrics, optimizers, schedules and prompt encoders.
    case nn
    /// Datasets: reading, generating, splitting and batching.
    case data
    /// Files: text, tensors and plots.
    case io
    /// Pretrained models and their tokenizers.
    case models
}
