import PTuneCore

/// The normalisation a transformer block applies around its attention and MLP: layer norm or RMS norm.
public enum Normalization {
    /// `(x − μ) / √(σ² + ε) · γ + β` (BERT, GPT).
    case layer(LayerNorm)
    /// `x / √(mean(x²) + ε) · γ` (Llama).
    case rms(RMSNorm)

    /// The norm's parameters.
    public var parameters: [Parameter] {
        switch self {
        case let .layer(n): return n.parameters
        case let .rms(n): return n.parameters
        }
    }

    /// Normalises the last axis.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch self {
        case let .layer(n): return try n(x)
        case let .rms(n): return try n(x)
        }
    }
}
