import PTuneCore

/// PEFT's `PromptEncoder` with MLP reparameterisation, exactly:
/// ```
/// encode() = mlp_head(embedding(arange(n)))
/// mlp_head = Linear(d, H) → ReLU → Linear(H, H) → ReLU → Linear(H, d)
/// ```
/// Parameters `embedding.weight` `[n, d]`, `mlp_head.{0,2,4}.{weight,bias}`; count `n·d + (d·H + H) + (H·H + H) +
/// (H·d + d)` (d = 1024, n = 20, H = 128: 300,288). Init in creation order: embedding `N(0, 1)`, then each Linear
/// (PyTorch's default).
public final class MLPPromptEncoder: PromptEncoder {
    /// The input table `[n, d]`.
    public let embedding: Embedding
    /// The MLP `[d, H, H, d]`.
    public let mlpHead: MLP

    /// An encoder of n virtual tokens of width d with hidden width H (PEFT's default H = d).
    public init(numVirtualTokens n: Int, tokenDim d: Int, hiddenSize h: Int? = nil, dtype: DType = .float32,
                using g: inout Generator) throws {
        let hidden = h ?? d
        guard n > 0, d > 0, hidden > 0 else {
            throw NNError.invalidArgument("mlp encoder", "n, d and H must be positive, got \(n), \(d), \(hidden)")
        }
        embedding = try Embedding(n, d, dtype: dtype, using: &g)
        mlpHead = try MLP(sizes: [d, hidden, hidden, d], activation: .relu, dtype: dtype, using: &g)
        Naming.adopt(embedding.parameters, as: "embedding")
        Naming.adopt(mlpHead.parameters, as: "mlp_head")
    }

    /// n
    public var numVirtualTokens: Int { embedding.count }
    /// d
    public var tokenDim: Int { embedding.dim }
    /// H
    public var hiddenSize: Int { mlpHead.layers[0].outputSize }
    /// `embedding.weight`, then `mlp_head.*`.
    public var parameters: [Parameter] { embedding.parameters + mlpHead.parameters }
    /// `mlp`, n, d, H.
    public var config: PromptEncoderConfig {
        PromptEncoderConfig(kind: .mlp, numVirtualTokens: numVirtualTokens, tokenDim: tokenDim, hiddenSize: hiddenSize,
                            dtype: embedding.weight.dtype)
    }

    /// `mlp_head(E)` — the lookup of `arange(n)` is the table itself.
    public func encode() throws -> Tensor { try mlpHead(embedding.weight.value) }
}
