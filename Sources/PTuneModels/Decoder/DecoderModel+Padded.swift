import PTuneCore

/// The padded-batch interface of a frozen model (`[B, T, d]` embeddings with an attention mask, as Hugging Face and
/// PTuneNN's ``FrozenModel`` use it), on top of the packed forward: the real positions are gathered into packed
/// rows, run without padding FLOPs, and scattered back (padding positions get zero outputs).
extension DecoderModel {
    /// The embeddings `[B, T, d]` of token ids `[B, T]` (integer tensor).
    public func embed(tokens: Tensor) throws -> Tensor {
        guard tokens.rank == 2, !tokens.dtype.isFloatingPoint else {
            throw DecoderError.badInput("token ids must be an integer tensor [B, T], got \(tokens.dtype) \(tokens.shape)")
        }
        return try embed(tokens.ints).reshaped(tokens.shape + [config.hiddenSize])
    }

    /// Final-normed hidden states `[B, T, d]` (or logits `[B, T, vocabulary]` with `logits: true`) of input
    /// embeddings `[B, T, d]`. `attentionMask` `[B, T]` marks real positions with nonzero values (nil: all real):
    /// each row's real positions, in order, form one sequence at positions 0, 1, … (so right and left padding give
    /// the same results), and attend causally to each other only.
    public func forward(embeddings: Tensor, attentionMask: Tensor?, logits wantLogits: Bool) throws -> Tensor {
        let d = config.hiddenSize
        guard embeddings.rank == 3, embeddings.shape[2] == d, embeddings.dtype == .float32 else {
            throw DecoderError.badInput("embeddings must be float32 [B, T, \(d)], got \(embeddings.dtype) \(embeddings.shape)")
        }
        let b = embeddings.shape[0], t = embeddings.shape[1]
        var keep = [Bool](repeating: true, count: b * t)
        if let attentionMask {
            guard attentionMask.shape == [b, t] else {
                throw DecoderError.badInput("attention mask of shape \(attentionMask.shape) does not match the batch [\(b), \(t)]")
            }
            keep = attentionMask.doubles.map { $0 != 0 }
        }
        var rows: [Int64] = [], lengths: [Int] = []
        for r in 0..<b {
            var n = 0
            for p in 0..<t where keep[r * t + p] { rows.append(Int64(r * t + p)); n += 1 }
            if n > 0 { lengths.append(n) }
        }
        let width = wantLogits ? config.vocabularySize : d
        if rows.isEmpty { return try Tensor.zeros([b, t, width]) }
        let packed = try embeddings.reshaped([b * t, d]).gatherRows(Tensor(shape: [rows.count], scalars: rows))
        var out = try hiddenStates(packed, packing: DecoderPacking(lengths: lengths))
        if wantLogits { out = try logits(out) }
        if rows.count == b * t { return try out.reshaped([b, t, width]) }
        // Scatter back: padding positions read an extra zero row.
        var slot = [Int64](repeating: Int64(rows.count), count: b * t)
        for (k, r) in rows.enumerated() { slot[Int(r)] = Int64(k) }
        let withZero = try Tensor.concat([out, Tensor.zeros([1, width])], axis: 0)
        return try withZero.gatherRows(Tensor(shape: [b * t], scalars: slot)).reshaped([b, t, width])
    }
}
