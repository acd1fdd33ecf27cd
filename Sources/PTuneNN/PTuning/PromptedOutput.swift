import PTuneCore

/// A frozen model's output for a p-tuning batch, with helpers that align it to the real tokens.
public struct PromptedOutput {
    /// The model's output over the full layout: `[B, T, …]` per position (virtual positions included), or `[B, …]`
    /// for a pooled model.
    public let output: Tensor
    /// The batch it was computed for.
    public let batch: PromptBatch
    /// Per-position or pooled.
    public let kind: ModelOutputKind

    /// Per-position outputs at the real tokens only, `[B, R, …]`: position j of example b is its j-th real token, so
    /// outputs line up with the token ids (not n tokens longer). Rows past an example's real count repeat its last
    /// real output (use ``PromptBatch/realCounts``).
    public func realTokenOutputs() throws -> Tensor {
        let (rows, rest) = try flattened()
        let b = batch.batchSize, t = batch.length, r = batch.realTokens.shape[1]
        var index = [Int64](repeating: 0, count: b * r)
        for row in 0..<b {
            let pos = batch.realPositions[row]
            for j in 0..<r { index[row * r + j] = Int64(row * t + (pos.isEmpty ? 0 : pos[Swift.min(j, pos.count - 1)])) }
        }
        return try rows.gatherRows(Tensor(shape: [b, r], scalars: index)).reshaped([b, r] + rest)
    }

    /// The output at each example's last real token, `[B, …]` (where a causal LM predicts what comes next).
    public func lastRealTokenOutputs() throws -> Tensor {
        let (rows, rest) = try flattened()
        let t = batch.length
        var index = [Int64](repeating: 0, count: batch.batchSize)
        for row in 0..<batch.batchSize {
            guard let last = batch.realPositions[row].last else {
                throw NNError.invalidBatch("example \(row) has no real token")
            }
            index[row] = Int64(row * t + last)
        }
        return try rows.gatherRows(Tensor(shape: [batch.batchSize], scalars: index)).reshaped([batch.batchSize] + rest)
    }

    /// PEFT's causal-LM loss: position t predicts the label at t + 1 over the full layout, with −100 (virtual tokens,
    /// unlabelled tokens, padding) ignored; the mean over the rest.
    public func causalLMLoss(labelSmoothing: Double = 0) throws -> Tensor {
        guard kind == .perPosition else { throw NNError.unsupported("a causal-LM loss needs per-position outputs") }
        return try Loss.causalLM(logits: output, labels: batch.labels, labelSmoothing: labelSmoothing)
    }

    private func flattened() throws -> (Tensor, [Int]) {
        guard kind == .perPosition, output.rank >= 2, output.shape[0] == batch.batchSize, output.shape[1] == batch.length else {
            throw NNError.unsupported("aligning to real tokens needs per-position outputs [B, T, …], got \(Shape.describe(output.shape))")
        }
        let rest = Array(output.shape.dropFirst(2))
        return (try output.reshaped([batch.batchSize * batch.length] + rest), rest)
    }
}
