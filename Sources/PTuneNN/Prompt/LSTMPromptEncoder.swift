import PTuneCore

/// PEFT's `PromptEncoder` with LSTM reparameterisation, exactly:
/// ```
/// encode() = mlp_head(lstm_head(embedding(arange(n)))[0])
/// lstm_head = LSTM(d, H, num_layers = L, bidirectional, batch_first, dropout)
/// mlp_head  = Linear(2H, 2H) → ReLU → Linear(2H, d)
/// ```
/// Parameters `embedding.weight`, `lstm_head.weight_ih_l0`, … (PyTorch's LSTM names), `mlp_head.{0,2}.*`. Init in
/// creation order: embedding `N(0, 1)`, LSTM `U(±1/√H)`, then the Linear layers (PyTorch's default). The LSTM's
/// dropout draws from its own generator (split from `g` after the LSTM's weights), saved with checkpoints.
public final class LSTMPromptEncoder: PromptEncoder {
    /// The input table `[n, d]`.
    public let embedding: Embedding
    /// The bidirectional LSTM.
    public let lstmHead: LSTM
    /// The MLP `[2H, 2H, d]`.
    public let mlpHead: MLP

    /// An encoder with PEFT's defaults H = d, two layers, no dropout.
    public init(numVirtualTokens n: Int, tokenDim d: Int, hiddenSize h: Int? = nil, numLayers: Int = 2,
                dropout: Double = 0, dtype: DType = .float32, using g: inout Generator) throws {
        let hidden = h ?? d
        guard n > 0, d > 0, hidden > 0 else {
            throw NNError.invalidArgument("lstm encoder", "n, d and H must be positive, got \(n), \(d), \(hidden)")
        }
        embedding = try Embedding(n, d, dtype: dtype, using: &g)
        lstmHead = try LSTM(inputSize: d, hiddenSize: hidden, numLayers: numLayers, bidirectional: true,
                            dropout: dropout, dtype: dtype, using: &g)
        mlpHead = try MLP(sizes: [2 * hidden, 2 * hidden, d], activation: .relu, dtype: dtype, using: &g)
        Naming.adopt(embedding.parameters, as: "embedding")
        Naming.adopt(lstmHead.parameters, as: "lstm_head")
        Naming.adopt(mlpHead.parameters, as: "mlp_head")
        lstmHead.isTraining = true
    }

    /// n
    public var numVirtualTokens: Int { embedding.count }
    /// d
    public var tokenDim: Int { embedding.dim }
    /// `embedding.weight`, `lstm_head.*`, `mlp_head.*`.
    public var parameters: [Parameter] { embedding.parameters + lstmHead.parameters + mlpHead.parameters }
    /// `lstm`, n, d, H, layers, dropout.
    public var config: PromptEncoderConfig {
        PromptEncoderConfig(kind: .lstm, numVirtualTokens: numVirtualTokens, tokenDim: tokenDim,
                            hiddenSize: lstmHead.hiddenSize, numLayers: lstmHead.numLayers,
                            dropout: lstmHead.dropout?.probability ?? 0, dtype: embedding.weight.dtype)
    }
    /// Whether the LSTM's dropout is active.
    public var isTraining: Bool {
        get { lstmHead.isTraining }
        set { lstmHead.isTraining = newValue }
    }
    /// The dropout's generator (none without dropout).
    public var generators: [Generator] {
        get { lstmHead.dropout.map { [$0.generator] } ?? [] }
        set { if let d = lstmHead.dropout, let g = newValue.first { d.generator = g } }
    }

    /// `mlp_head(lstm_head(E))`, `[n, d]`.
    public func encode() throws -> Tensor {
        let n = numVirtualTokens
        let h = try lstmHead(embedding.weight.value.unsqueezed(axis: 0))  // [1, n, 2H]
        return try mlpHead(h).reshaped([n, tokenDim])
    }
}
