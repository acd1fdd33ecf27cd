import PTuneCore

/// Everything that can go wrong in layers, optimizers, prompt encoders and p-tuning plumbing. Tensor-level failures
/// arrive as ``PTuneCore/TensorError``; I/O ones as ``PTuneCore/SafeTensorsError`` or ``PTuneCore/JSONError``.
public enum NNError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A constructor argument is out of range (what, explanation).
    case invalidArgument(String, String)
    /// An input does not have the shape a layer needs (layer, explanation).
    case shapeMismatch(String, String)
    /// An optimizer was asked to update a frozen parameter (its name).
    case frozenParameter(String)
    /// A parameter must hold floating-point values (its name, the dtype given).
    case nonFloatParameter(String, DType)
    /// The parameter and gradient lists differ in length.
    case gradientCountMismatch(parameters: Int, gradients: Int)
    /// A gradient's shape or dtype does not match its parameter (parameter name, explanation).
    case gradientMismatch(String, String)
    /// Loading weights: a parameter has no value in the given state (its name).
    case missingWeight(String)
    /// Loading weights: the state holds a value no parameter takes (its name).
    case unexpectedWeight(String)
    /// Loading weights: a value has the wrong shape (name, expected shape, given shape).
    case weightShapeMismatch(String, expected: [Int], got: [Int])
    /// A batch names a task no encoder is registered for.
    case unknownTask(String)
    /// A p-tuning batch or layout is inconsistent (explanation).
    case invalidBatch(String)
    /// A checkpoint or adapter folder is malformed or does not match (explanation).
    case invalidCheckpoint(String)
    /// The model cannot do what was asked (explanation), e.g. embed token ids without a vocabulary.
    case unsupported(String)

    /// A lowercase message in the style of the diagnostics catalogue.
    public var description: String {
        switch self {
        case let .invalidArgument(what, why): return "\(what): \(why)"
        case let .shapeMismatch(layer, why): return "\(layer): \(why)"
        case let .frozenParameter(name):
            return "cannot update frozen parameter '\(name)': unfreeze it or leave it out of the optimizer's parameters"
        case let .nonFloatParameter(name, dtype): return "parameter '\(name)' must be float32 or float64, got \(dtype)"
        case let .gradientCountMismatch(p, g): return "optimizer got \(p) parameters but \(g) gradients"
        case let .gradientMismatch(name, why): return "gradient of '\(name)': \(why)"
        case let .missingWeight(name): return "no value for parameter '\(name)' in the loaded weights"
        case let .unexpectedWeight(name): return "loaded weights hold '\(name)', which is not a parameter of this model"
        case let .weightShapeMismatch(name, expected, got):
            return "weight '\(name)' has shape \(Shape.describe(got)), expected \(Shape.describe(expected))"
        case let .unknownTask(task): return "no prompt encoder is registered for task '\(task)'"
        case let .invalidBatch(why): return "invalid p-tuning batch: \(why)"
        case let .invalidCheckpoint(why): return "invalid checkpoint: \(why)"
        case let .unsupported(why): return why
        }
    }
}
