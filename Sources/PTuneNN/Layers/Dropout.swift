import PTuneCore

/// Inverted dropout: in training, each element is zeroed with probability `p` and the survivors are scaled by
/// `1 / (1 − p)`; in evaluation it is the identity. The layer owns its ``PTuneCore/Generator``, so a seed fixes every
/// mask, and its state can be saved and restored with a checkpoint.
public final class Dropout: Layer {
    /// The probability of zeroing an element.
    public let probability: Double
    /// Whether masks are applied (training) or not (evaluation).
    public var isTraining = true
    /// The generator the masks are drawn from (one uniform per element, row-major).
    public var generator: Generator

    /// Dropout with probability `p` in `[0, 1]`, drawing masks from `generator`.
    public init(_ p: Double, generator: Generator) throws {
        guard p >= 0, p <= 1 else { throw NNError.invalidArgument("Dropout", "probability must be in [0, 1], got \(p)") }
        probability = p
        self.generator = generator
    }

    /// None.
    public var parameters: [Parameter] { [] }

    /// `x ⊙ mask / (1 − p)` in training, `x` otherwise.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard isTraining, probability > 0, x.count > 0 else { return x }
        let p = probability, scale = p < 1 ? 1 / (1 - p) : 0
        var values = [Double](repeating: 0, count: x.count)
        for i in 0..<values.count { values[i] = generator.nextUniform() < p ? 0 : scale }
        return try x * Tensor(shape: x.shape, values: values, dtype: x.dtype)
    }
}
