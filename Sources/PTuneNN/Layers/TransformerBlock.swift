import PTuneCore

/// A pre-LayerNorm transformer block (GPT-2 style):
/// ```
/// x = x + proj(attention(ln1(x)))
/// x = x + fc2(act(fc1(ln2(x))))          fc1: d → r·d, fc2: r·d → d, act GELU (exact) by default
/// ```
/// Parameters are named `ln1`, `qkv`, `proj`, `ln2`, `fc1`, `fc2` (the attention's projections sit directly in the
/// block). Init: LayerNorm γ = 1, β = 0; linear layers PyTorch's default.
public final class TransformerBlock: Layer {
    /// The norm before attention.
    public let ln1: LayerNorm
    /// The self-attention.
    public let attention: MultiHeadAttention
    /// The norm before the MLP.
    public let ln2: LayerNorm
    /// The MLP's expansion.
    public let fc1: Linear
    /// The MLP's projection back.
    public let fc2: Linear
    /// The MLP's nonlinearity.
    public let activation: Activation

    /// A block of width `dim` with `heads` heads and an MLP of width `mlpRatio · dim`.
    public init(dim: Int, heads: Int, mlpRatio: Int = 4, causal: Bool = true, activation: Activation = .gelu,
                layerNormEps: Double = 1e-5, dtype: DType = .float32, using g: inout Generator) throws {
        guard mlpRatio > 0 else { throw NNError.invalidArgument("TransformerBlock", "mlpRatio must be positive, got \(mlpRatio)") }
        ln1 = try LayerNorm(dim, eps: layerNormEps, dtype: dtype)
        attention = try MultiHeadAttention(dim: dim, heads: heads, causal: causal, dtype: dtype, using: &g)
        ln2 = try LayerNorm(dim, eps: layerNormEps, dtype: dtype)
        fc1 = try Linear(dim, mlpRatio * dim, dtype: dtype, using: &g)
        fc2 = try Linear(mlpRatio * dim, dim, dtype: dtype, using: &g)
        self.activation = activation
        Naming.adopt(ln1.parameters, as: "ln1")
        Naming.adopt(ln2.parameters, as: "ln2")
        Naming.adopt(fc1.parameters, as: "fc1")
        Naming.adopt(fc2.parameters, as: "fc2")
    }

    /// `ln1`, `qkv`, `proj`, `ln2`, `fc1`, `fc2`.
    public var parameters: [Parameter] {
        ln1.parameters + attention.parameters + ln2.parameters + fc1.parameters + fc2.parameters
    }

    /// The block over `x` `[B, T, d]` without a padding mask.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x, attentionMask: nil) }

    /// The block over `x` `[B, T, d]`; `attentionMask` `[B, T]` marks padding with 0.
    public func forward(_ x: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard x.rank == 3 else {
            throw NNError.shapeMismatch("TransformerBlock", "expected input [batch, time, dim], got \(Shape.describe(x.shape))")
        }
        return try forward(x, keyPadding: KeyPadding.from(attentionMask, batch: x.shape[0], length: x.shape[1]))
    }

    /// The block with a precomputed key padding mask.
    func forward(_ x: Tensor, keyPadding: [Bool]?) throws -> Tensor {
        let h = try x + attention.forward(ln1(x), keyPadding: keyPadding)
        return try h + fc2(activation(fc1(ln2(h))))
    }

    /// The block on packed rows `[N, d]` with causal attention per segment (a prefix shared by every sequence is
    /// one segment that every sequence's own segment also attends to).
    func forward(rows x: Tensor, segments: [AttentionSegment]) throws -> Tensor {
        let h = try x + attention.forward(rows: ln1(x), segments: segments)
        return try h + fc2(activation(fc1(ln2(h))))
    }
}
