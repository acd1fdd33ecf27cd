import PTuneCore

/// Multi-head scaled dot-product self-attention with a fused input projection (GPT-2's layout):
/// ```
/// q | k | v = x · W_qkvᵀ + b_qkv                       (each split into H heads of width d/H)
/// A = softmax(q kᵀ / √(d/H)) over allowed keys         (0 for masked keys)
/// y = (A v, heads concatenated) · W_projᵀ + b_proj
/// ```
/// Causal attention masks keys after the query; an attention mask `[B, T]` (1 keep, 0 padding) masks padding keys; a
/// query with no allowed key gets zeros (never NaN). The core runs as one fused kernel (no per-head copies).
/// Parameters: `qkv` (`Linear(d, 3d)`) and `proj` (`Linear(d, d)`), PyTorch's default init.
public final class MultiHeadAttention: Layer {
    /// The fused query/key/value projection, `[3d, d]`.
    public let qkv: Linear
    /// The output projection, `[d, d]`.
    public let proj: Linear
    /// The number of heads.
    public let heads: Int
    /// The model width d.
    public let dim: Int
    /// Whether each position attends only to itself and earlier positions.
    public let isCausal: Bool

    /// Attention over `dim` features in `heads` heads (`dim` must be a multiple of `heads`).
    public init(dim: Int, heads: Int, causal: Bool = true, bias: Bool = true, dtype: DType = .float32,
                using g: inout Generator) throws {
        guard dim > 0, heads > 0, dim % heads == 0 else {
            throw NNError.invalidArgument("MultiHeadAttention", "dim \(dim) must be a positive multiple of heads \(heads)")
        }
        self.dim = dim
        self.heads = heads
        isCausal = causal
        qkv = try Linear(dim, 3 * dim, bias: bias, dtype: dtype, using: &g)
        proj = try Linear(dim, dim, bias: bias, dtype: dtype, using: &g)
        Naming.adopt(qkv.parameters, as: "qkv")
        Naming.adopt(proj.parameters, as: "proj")
    }

    /// `qkv`, then `proj`.
    public var parameters: [Parameter] { qkv.parameters + proj.parameters }

    /// Self-attention over `x` of shape `[B, T, d]` without a padding mask.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x, attentionMask: nil) }

    /// Self-attention over `x` `[B, T, d]`; `attentionMask` `[B, T]` marks real positions with 1 and padding with 0.
    public func forward(_ x: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard x.rank == 3, x.shape[2] == dim else {
            throw NNError.shapeMismatch("MultiHeadAttention", "expected input [batch, time, \(dim)], got \(Shape.describe(x.shape))")
        }
        return try forward(x, keyPadding: KeyPadding.from(attentionMask, batch: x.shape[0], length: x.shape[1]))
    }

    /// Self-attention with a precomputed key padding mask (see ``KeyPadding``).
    func forward(_ x: Tensor, keyPadding: [Bool]?) throws -> Tensor {
        let heads = try FusedAttention.attend(qkv(x), heads: self.heads, causal: isCausal, keyPadding: keyPadding)
        return try proj(heads)
    }

    /// Causal self-attention on packed rows `[N, d]`: each segment's query rows attend to its key rows (see
    /// `PTuneCore`'s `AttentionSegment`), so that rows shared by several sequences are computed once.
    func forward(rows x: Tensor, segments: [AttentionSegment]) throws -> Tensor {
        guard isCausal else { throw NNError.unsupported("packed rows need causal attention") }
        let layout = try AttentionHeads(heads: heads, kvHeads: heads, headDim: dim / heads)
        return try proj(Tensor.causalAttention(qkv: qkv(x), heads: layout, segments: segments))
    }
}

/// Padding masks as the attention kernel reads them.
enum KeyPadding {
    /// `[B · T]` flags, true at padding (an attention-mask entry of 0); nil when `mask` is nil or has no zero.
    static func from(_ mask: Tensor?, batch: Int, length: Int) throws -> [Bool]? {
        guard let mask else { return nil }
        guard mask.shape == [batch, length] else {
            throw NNError.shapeMismatch("attention", "attention mask \(Shape.describe(mask.shape)) does not match [\(batch), \(length)]")
        }
        let m = mask.doubles
        return m.contains(0) ? m.map { $0 == 0 } : nil
    }
}
