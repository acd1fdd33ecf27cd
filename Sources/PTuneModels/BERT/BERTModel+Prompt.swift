import PTuneCore

/// Sentence embeddings with a prompt encoder's virtual tokens in front: what p-tuning an encoder model trains.
extension BERTModel {
    /// Why a prompted embedding could not be computed.
    public enum PromptError: Error, Equatable, CustomStringConvertible {
        /// The virtual tokens are not `[n, d]` of the model's width.
        case virtualShape(found: [Int], width: Int)
        /// So many virtual tokens leave no room for `[CLS]` and `[SEP]` in the model's positions.
        case tooManyVirtual(Int, positions: Int)
        /// No text was given.
        case noTexts

        /// A lowercase message.
        public var description: String {
            switch self {
            case let .virtualShape(found, width):
                return "virtual tokens must be [n, \(width)], got \(Shape.describe(found))"
            case let .tooManyVirtual(n, positions):
                return "\(n) virtual tokens leave no room for the text in the model's \(positions) positions"
            case .noTexts:
                return "no texts to embed"
            }
        }
    }

    /// Mean-pooled sentence embeddings `[N, d]` of `texts`, with `virtualTokens` `[n, d]` (nil: none) placed before
    /// each text's `[CLS]` as PEFT prepends them, attended to (attention mask 1) but not pooled: the mean runs over
    /// the text's own tokens `[CLS] … [SEP]`, so with no virtual tokens this is the model's plain sentence
    /// embedding. L2-normalised when `normalize` (sentence-transformers' `encode`). Texts are cut to leave room
    /// for the virtual tokens and encoded in length-sorted chunks of `batchSize`; while recording, gradients reach
    /// the virtual tokens (and nothing of the frozen model). With more than one chunk each is checkpointed
    /// (``PTuneCore/Tensor/checkpointed(_:_:)``): no chunk's graph is kept, so embedding a whole test split takes
    /// the memory of one chunk, and a backward pass recomputes each chunk once.
    /// ```
    /// x = [v₁ … vₙ, E[CLS], E[t₁], …, E[SEP]]      h = BERT(x, mask = 1 at every non-padding position)
    /// e = Σ_{text positions} h / (#text tokens),   e ← e / max(‖e‖, 1e-12) when normalize
    /// ```
    public func sentenceEmbeddings(_ texts: [String], virtualTokens: Tensor?, normalize: Bool,
                                   batchSize: Int = 32) throws -> Tensor {
        guard !texts.isEmpty else { throw PromptError.noTexts }
        let d = config.hiddenSize
        var virtual: Tensor?
        if let v = virtualTokens {
            guard v.rank == 2, v.shape[1] == d else { throw PromptError.virtualShape(found: v.shape, width: d) }
            virtual = v.dtype == dtype ? v : try v.to(dtype)
        }
        let n = virtual?.shape[0] ?? 0
        let room = Swift.min(maxSequenceLength, config.maxPositions) - n
        guard room >= 2 else { throw PromptError.tooManyVirtual(n, positions: Swift.min(maxSequenceLength, config.maxPositions)) }
        let seqs = try texts.map { try tokenIds($0, maxLength: room) }
        let step = Swift.max(1, batchSize)
        if seqs.count <= step { return try pooled(seqs, virtual: virtual, normalize: normalize) }
        let order = seqs.indices.sorted { seqs[$0].count < seqs[$1].count }
        var parts: [Tensor] = []
        for start in stride(from: 0, to: order.count, by: step) {
            let idx = order[start..<Swift.min(start + step, order.count)]
            let chunk = idx.map { seqs[$0] }
            // Each chunk keeps no graph of its own: its backward recomputes it, so memory stays that of one chunk.
            if let virtual {
                parts.append(try Tensor.checkpointed(virtual) { v in try self.pooled(chunk, virtual: v, normalize: normalize) })
            } else {
                parts.append(try pooled(chunk, virtual: nil, normalize: normalize))
            }
        }
        var position = [Int64](repeating: 0, count: seqs.count)
        for (k, i) in order.enumerated() { position[i] = Int64(k) }
        return try Tensor.concat(parts, axis: 0).gatherRows(Tensor(shape: [seqs.count], scalars: position))
    }

    /// One chunk: the pooled (and optionally normalised) embeddings `[B, d]` of `sequences` after `virtual`.
    func pooled(_ sequences: [[Int]], virtual: Tensor?, normalize: Bool) throws -> Tensor {
        let (ids, mask) = try batch(sequences)
        let b = ids.shape[0], t = ids.shape[1], d = config.hiddenSize
        var x = try embed(ids)
        var attention = mask
        let n = virtual?.shape[0] ?? 0
        if let virtual, n > 0 {
            let one = try virtual.unsqueezed(axis: 0)
            x = try Tensor.concat([b == 1 ? one : one.broadcasted(to: [b, n, d]), x], axis: 1)
            attention = try Tensor.concat([Tensor.ones([b, n], dtype: mask.dtype), mask], axis: 1)
        }
        let h = try hiddenStates(embeddings: x, attentionMask: attention)
        let text = try h.narrowed(axis: 1, start: n, length: t)
        let e = try BERTModel.meanPool(text, mask)
        return normalize ? try BERTModel.normalize(e) : e
    }
}
