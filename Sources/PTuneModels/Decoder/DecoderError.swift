/// What can go wrong building or running a decoder model: always a clear message, never a crash.
public enum DecoderError: Error, Equatable, CustomStringConvertible, Sendable {
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

    /// The message, starting with `decoder:`.
    public var description: String {
        switch self {
        case let .invalidConfig(why): return "decoder: invalid configuration: \(why)"
        case let .badWeight(name, why): return "decoder: weight '\(name)': \(why)"
        case let .tokenOutOfRange(id, vocabulary): return "decoder: token id \(id) is outside the vocabulary (0..<\(vocabulary))"
        case let .badInput(why): return "decoder: \(why)"
        case let .contextOverflow(needed, available): return "decoder: \(needed) positions do not fit in \(available)"
        }
    }
}
