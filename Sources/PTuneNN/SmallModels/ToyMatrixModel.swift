import PTuneCore

/// The seed notebook's "LLM": one frozen matrix `W` `[d, out]` applied to every input embedding, `y = e · W`, and a
/// small token table for the real inputs. P-tuning it reproduces the notebook's toy (workload W1).
public final class ToyMatrixModel: FrozenModel {
    /// `W`, shape `[d, out]`; named `weights`.
    public let weights: Parameter
    /// The token table `[V, d]`; named `tokens`.
    public let table: Parameter

    /// A model with the given matrix and token table (both frozen).
    public init(weights: Tensor, tokenTable: Tensor) throws {
        guard weights.rank == 2, tokenTable.rank == 2, tokenTable.shape[1] == weights.shape[0] else {
            throw NNError.shapeMismatch("ToyMatrixModel", "weights must be [d, out] and the token table [V, d], got \(Shape.describe(weights.shape)) and \(Shape.describe(tokenTable.shape))")
        }
        self.weights = try Parameter(weights, name: "weights", frozen: true)
        table = try Parameter(tokenTable, name: "tokens", frozen: true)
    }

    /// `weights`, `tokens`.
    public var parameters: [Parameter] { [weights, table] }
    /// d
    public var tokenDim: Int { weights.shape[0] }
    /// The weights' dtype.
    public var dtype: DType { weights.dtype }

    /// Rows of the token table.
    public func embed(_ tokens: Tensor) throws -> Tensor { try table.value.gatherRows(tokens) }

    /// `e · W` for every position (positions do not interact, so the mask changes nothing).
    public func forward(embeddings: Tensor, attentionMask: Tensor?) throws -> Tensor {
        try Tensor.matmul(embeddings, weights.value)
    }
}
