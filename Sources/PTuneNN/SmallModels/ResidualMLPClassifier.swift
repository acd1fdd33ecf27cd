import PTuneCore

/// A frozen per-token residual MLP with mean pooling and a linear head (the "LLM" of workload W2):
/// ```
/// h = e + fc2(GELU(fc1(e)))        per position
/// logits = head(mean over real positions of h)
/// ```
/// It has no vocabulary unless given a token table: feed it embeddings (``PromptedModel`` accepts real-token
/// embeddings directly). Parameters: `fc1`, `fc2`, `head` (and `wte` with a table); linear layers init as PyTorch's.
public final class ResidualMLPClassifier: FrozenModel {
    /// d → hidden
    public let fc1: Linear
    /// hidden → d
    public let fc2: Linear
    /// d → classes
    public let head: Linear
    /// An optional token table `[V, d]`.
    public let tokenTable: Embedding?

    /// A classifier of width `dim`, MLP width `hidden`, `classes` outputs, drawn from `g` in the order fc1, fc2, head.
    public init(dim: Int, hidden: Int, classes: Int, vocabSize: Int? = nil, dtype: DType = .float32,
                using g: inout Generator) throws {
        fc1 = try Linear(dim, hidden, dtype: dtype, using: &g)
        fc2 = try Linear(hidden, dim, dtype: dtype, using: &g)
        head = try Linear(dim, classes, dtype: dtype, using: &g)
        tokenTable = try vocabSize.map { try Embedding($0, dim, dtype: dtype, using: &g) }
        Naming.adopt(fc1.parameters, as: "fc1")
        Naming.adopt(fc2.parameters, as: "fc2")
        Naming.adopt(head.parameters, as: "head")
        if let tokenTable { Naming.adopt(tokenTable.parameters, as: "wte") }
    }

    /// `fc1`, `fc2`, `head`, then `wte` if any.
    public var parameters: [Parameter] {
        fc1.parameters + fc2.parameters + head.parameters + (tokenTable?.parameters ?? [])
    }
    /// d
    public var tokenDim: Int { fc1.inputSize }
    /// The weights' dtype.
    public var dtype: DType { fc1.weight.dtype }
    /// One output per sequence.
    public var outputKind: ModelOutputKind { .pooled }

    /// Rows of the token table, or an error when the model has none.
    public func embed(_ tokens: Tensor) throws -> Tensor {
        guard let tokenTable else { throw NNError.unsupported("this classifier has no token table: pass embeddings instead of token ids") }
        return try tokenTable(tokens)
    }

    /// Logits `[B, classes]`: the residual MLP per position, mean over positions whose mask is 1, then the head.
    public func forward(embeddings e: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard e.rank == 3, e.shape[2] == tokenDim else {
            throw NNError.shapeMismatch("ResidualMLPClassifier", "expected embeddings [batch, time, \(tokenDim)], got \(Shape.describe(e.shape))")
        }
        let h = try residualMLP(e)
        let pooled: Tensor
        if let attentionMask, attentionMask.doubles.contains(0) {
            let m = try attentionMask.to(e.dtype).unsqueezed(axis: 2)  // [B, T, 1]
            pooled = try (h * m).sum(axis: 1) / m.sum(axis: 1)
        } else {
            pooled = try h.mean(axis: 1)
        }
        return try head(pooled)
    }

    /// `h = e + fc2(GELU(fc1(e)))` at every position of `e` (any rank, last axis d).
    private func residualMLP(_ e: Tensor) throws -> Tensor { try e + fc2(Activation.gelu(fc1(e))) }

    /// Logits `[B, classes]` for sequences that all begin with `prefix` `[P, d]` and go on with `rest` `[B, R, d]`:
    /// the MLP works position by position, so the prefix runs once and its sum joins each sequence's in the mean.
    public func forward(sharedPrefix prefix: Tensor, rest: Tensor) throws -> Tensor? {
        guard prefix.rank == 2, prefix.shape[1] == tokenDim, rest.rank == 3, rest.shape[2] == tokenDim else {
            throw NNError.shapeMismatch("ResidualMLPClassifier", "expected a prefix [P, \(tokenDim)] and sequences [batch, time, \(tokenDim)], got \(Shape.describe(prefix.shape)) and \(Shape.describe(rest.shape))")
        }
        let total = try residualMLP(rest).sum(axis: 1) + residualMLP(prefix).sum(axis: 0)
        return try head(total / Double(prefix.shape[0] + rest.shape[1]))
    }
}
