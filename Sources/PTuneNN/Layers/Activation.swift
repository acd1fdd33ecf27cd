import PTuneCore

/// An elementwise nonlinearity.
public enum Activation: String, Sendable, CaseIterable {
    /// max(x, 0)
    case relu
    /// x · Φ(x), exact erf form (PyTorch's default GELU)
    case gelu
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))), GELU's tanh form (`gelu_pytorch_tanh`, `gelu_new`)
    case geluTanh = "gelu_tanh"
    /// tanh x
    case tanh
    /// 1 / (1 + e⁻ˣ)
    case sigmoid
    /// x · σ(x)
    case silu
    /// x
    case identity

    /// Applies the function elementwise.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch self {
        case .relu: return try x.relu()
        case .gelu: return try x.gelu()
        case .geluTanh: return try x.geluTanh()
        case .tanh: return try x.tanh()
        case .sigmoid: return try x.sigmoid()
        case .silu: return try x.silu()
        case .identity: return x
        }
    }
}
