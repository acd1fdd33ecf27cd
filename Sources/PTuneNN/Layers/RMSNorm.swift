import PTuneCore

/// RMS normalisation over the last axis (Llama's RMSNorm, PyTorch's `nn.RMSNorm`): `y = x / √(mean(x²) + ε) · γ`.
/// Init: `γ = 1`; `ε = 1e-6` unless given.
public final class RMSNorm: Layer {
    /// γ, shape `[dim]`; named `weight`.
    public let weight: Parameter
    /// ε
    public let eps: Double

    /// A normalisation of `dim` features.
    public init(_ dim: Int, eps: Double = 1e-6, dtype: DType = .float32) throws {
        guard dim > 0 else { throw NNError.invalidArgument("RMSNorm", "dim must be positive, got \(dim)") }
        self.eps = eps
        weight = try Parameter(Tensor.ones([dim], dtype: dtype), name: "weight")
    }

    /// A normalisation over the given gain `[d]`.
    public init(weight: Parameter, eps: Double) throws {
        guard weight.shape.count == 1 else { throw NNError.shapeMismatch("RMSNorm", "weight must be [d], got \(Shape.describe(weight.shape))") }
        self.eps = eps
        self.weight = weight
    }

    /// `weight`.
    public var parameters: [Parameter] { [weight] }

    /// Normalises the last axis.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try StageProfile.measure(StageProfile.StageName.rmsNorm) { try x.rmsNorm(weight: weight.value, eps: eps) }
    }
}
