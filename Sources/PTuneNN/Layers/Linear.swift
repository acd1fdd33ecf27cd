import PTuneCore

/// A dense layer, PyTorch's `nn.Linear`: `y = x · Wᵀ + b` for `x` of shape `[…, in]`, giving `[…, out]`.
///
/// The weight is stored `[out, in]` as in PyTorch, so state dicts load unchanged. Init (PyTorch's default):
/// `W ~ U(−1/√in, 1/√in)` (`kaiming_uniform_(a=√5)`), then `b ~ U(−1/√in, 1/√in)`, drawn in that order.
public final class Linear: Layer {
    /// `W`, shape `[out, in]`; named `weight`.
    public let weight: Parameter
    /// `b`, shape `[out]`; named `bias` (nil for a layer without bias).
    public let bias: Parameter?
    /// The input feature count.
    public var inputSize: Int { weight.shape[1] }
    /// The output feature count.
    public var outputSize: Int { weight.shape[0] }

    /// A layer mapping `inputSize` features to `outputSize`, initialised from `g` as PyTorch does.
    public init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true, dtype: DType = .float32,
                using g: inout Generator) throws {
        guard inputSize >= 0, outputSize >= 0 else {
            throw NNError.invalidArgument("Linear", "sizes must be non-negative, got \(inputSize) → \(outputSize)")
        }
        let bound = Initializer.linearBound(fanIn: inputSize)
        weight = try Parameter(Initializer.uniform([outputSize, inputSize], bound: bound, dtype: dtype, using: &g), name: "weight")
        self.bias = bias ? try Parameter(Initializer.uniform([outputSize], bound: bound, dtype: dtype, using: &g), name: "bias") : nil
    }

    /// A layer with the given weight `[out, in]` and optional bias `[out]`.
    public init(weight: Tensor, bias: Tensor?) throws {
        guard weight.rank == 2 else { throw NNError.shapeMismatch("Linear", "weight must be [out, in], got \(Shape.describe(weight.shape))") }
        if let bias, bias.shape != [weight.shape[0]] {
            throw NNError.shapeMismatch("Linear", "bias \(Shape.describe(bias.shape)) does not match weight \(Shape.describe(weight.shape))")
        }
        self.weight = try Parameter(weight, name: "weight")
        self.bias = try bias.map { try Parameter($0, name: "bias") }
    }

    /// A layer over the given parameters (a loaded model's weights, named and frozen as its caller wants): `weight`
    /// `[out, in]`, `bias` `[out]`.
    public init(weight: Parameter, bias: Parameter?) throws {
        guard weight.shape.count == 2 else { throw NNError.shapeMismatch("Linear", "weight must be [out, in], got \(Shape.describe(weight.shape))") }
        if let bias, bias.shape != [weight.shape[0]] {
            throw NNError.shapeMismatch("Linear", "bias \(Shape.describe(bias.shape)) does not match weight \(Shape.describe(weight.shape))")
        }
        self.weight = weight
        self.bias = bias
    }

    /// `weight`, then `bias`.
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    /// `x · Wᵀ + b`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Tensor.linear(x, weight: weight.value, bias: bias?.value)
    }
}
