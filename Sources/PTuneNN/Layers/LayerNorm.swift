import PTuneCore

/// Layer normalisation over the last axis, PyTorch's `nn.LayerNorm(dim)`:
/// `y = (x − μ) / √(σ² + ε) · γ + β` with the biased variance σ² (without β when `bias` is off, without γ and β
/// without an elementwise affine). Init: `γ = 1`, `β = 0`; `ε = 1e-5`. Runs as one fused op split across the
/// configured threads.
public final class LayerNorm: Layer {
    /// γ, shape `[dim]`; named `weight` (nil without an elementwise affine).
    public let weight: Parameter?
    /// β, shape `[dim]`; named `bias`.
    public let bias: Parameter?
    /// ε
    public let eps: Double

    /// A normalisation of `dim` features.
    public init(_ dim: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                dtype: DType = .float32) throws {
        guard dim > 0 else { throw NNError.invalidArgument("LayerNorm", "dim must be positive, got \(dim)") }
        self.eps = eps
        weight = elementwiseAffine ? try Parameter(Tensor.ones([dim], dtype: dtype), name: "weight") : nil
        self.bias = elementwiseAffine && bias ? try Parameter(Tensor.zeros([dim], dtype: dtype), name: "bias") : nil
    }

    /// A normalisation over the given parameters (`[d]` each, either may be absent).
    public init(weight: Parameter?, bias: Parameter?, eps: Double) throws {
        let dims = [weight, bias].compactMap { $0?.shape }
        guard dims.allSatisfy({ $0.count == 1 && $0 == dims[0] }) else {
            throw NNError.shapeMismatch("LayerNorm", "weight and bias must be [d], got \(dims.map(Shape.describe))")
        }
        self.eps = eps
        self.weight = weight
        self.bias = bias
    }

    /// `weight`, `bias`.
    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    /// Normalises the last axis.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x.layerNorm(weight: weight?.value, bias: bias?.value, eps: eps)
    }
}
