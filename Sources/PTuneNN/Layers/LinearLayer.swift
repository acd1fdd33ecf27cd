import PTuneCore

/// A map `y = x · Wᵀ + b` from `inputSize` to `outputSize` features: a trainable ``Linear`` or a model's
/// ``FrozenLinear`` (float or quantized weights). Attention projections and MLPs take either.
public protocol LinearLayer: Layer {
    /// The input feature count.
    var inputSize: Int { get }
    /// The output feature count.
    var outputSize: Int { get }
}

extension Linear: LinearLayer {}

/// A linear layer over a frozen weight matrix (``PTuneCore/FrozenMatrix``: float values, or a model file's quantized
/// blocks kept as they are): `y = x · Wᵀ + b`, `W` `[out, in]`. Gradients flow to `x` (and to a trainable bias),
/// never to `W`; a quantized `W` is read by its own kernels (see ``PTuneCore/Tensor/linear(_:frozen:bias:)``).
public final class FrozenLinear: LinearLayer {
    /// The weight, `[out, in]`.
    public let weight: FrozenMatrix
    /// `b`, `[out]` (nil for a layer without bias).
    public let bias: Parameter?
    /// The input feature count.
    public var inputSize: Int { weight.shape[1] }
    /// The output feature count.
    public var outputSize: Int { weight.shape[0] }

    /// A layer over `weight` `[out, in]` with an optional bias `[out]`.
    public init(weight: FrozenMatrix, bias: Parameter? = nil) throws {
        guard weight.shape.count == 2 else {
            throw NNError.shapeMismatch("FrozenLinear", "weight must be [out, in], got \(Shape.describe(weight.shape))")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw NNError.shapeMismatch("FrozenLinear", "bias \(Shape.describe(bias.shape)) does not match weight \(Shape.describe(weight.shape))")
        }
        self.weight = weight
        self.bias = bias
    }

    /// The bias, if any: the weight is not a parameter (it never trains).
    public var parameters: [Parameter] { bias.map { [$0] } ?? [] }

    /// `x · Wᵀ + b`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Tensor.linear(x, frozen: weight, bias: bias?.value)
    }
}
