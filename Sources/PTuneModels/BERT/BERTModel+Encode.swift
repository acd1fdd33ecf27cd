import PTuneCore

/// Encoding text: tokenize, batch and pad, and run the model without recording gradients.
extension BERTModel {
    /// Why text could not be encoded.
    public enum EncodeError: Error, Equatable, CustomStringConvertible {
        /// The model was built without a tokenizer.
        case noTokenizer

        /// A lowercase message.
        public var description: String { "this BERT model has no tokenizer: load it from a folder with vocab.txt" }
    }

    /// The token ids of `text` as the model reads it: `[CLS] … [SEP]`, cut to `maxLength` tokens keeping `[SEP]`.
    public func tokenIds(_ text: String, maxLength: Int? = nil) throws -> [Int] {
        guard let tokenizer else { throw EncodeError.noTokenizer }
        var ids = tokenizer.encode(text, addSpecialTokens: true)
        let limit = Swift.max(2, Swift.min(maxLength ?? maxSequenceLength, config.maxPositions))
        if ids.count > limit { ids = Array(ids.prefix(limit - 1)) + [tokenizer.sepId] }
        return ids
    }

    /// Token ids `[B, T]` (int64, right-padded with `[PAD]`) and the attention mask `[B, T]` (float, 1 at real
    /// tokens) of a batch of id sequences.
    public func batch(_ sequences: [[Int]]) throws -> (ids: Tensor, mask: Tensor) {
        let pad = tokenizer?.padId ?? 0
        let t = Swift.max(1, sequences.map(\.count).max() ?? 1)
        var ids = [Int64](repeating: Int64(pad), count: sequences.count * t)
        var mask = [Double](repeating: 0, count: sequences.count * t)
        for (i, s) in sequences.enumerated() {
            for (j, id) in s.enumerated() { ids[i * t + j] = Int64(id); mask[i * t + j] = 1 }
        }
        return (try Tensor(shape: [sequences.count, t], scalars: ids),
                try Tensor(shape: [sequences.count, t], values: mask, dtype: wordEmbeddings.dtype))
    }

    /// Sentence embeddings `[N, d]` of `texts` (mean-pooled and L2-normalised, as sentence-transformers'
    /// `encode`), computed in length-sorted batches of `batchSize` without recording gradients.
    public func sentenceEmbeddings(_ texts: [String], batchSize: Int = 32) throws -> Tensor {
        let seqs = try texts.map { try tokenIds($0) }
        let d = config.hiddenSize
        var out = [Float](repeating: 0, count: texts.count * d)
        let order = seqs.indices.sorted { seqs[$0].count < seqs[$1].count }
        let step = Swift.max(1, batchSize)
        try Tensor.withoutRecording {
            for start in stride(from: 0, to: order.count, by: step) {
                let idx = Array(order[start..<Swift.min(start + step, order.count)])
                let (ids, mask) = try batch(idx.map { seqs[$0] })
                let h = try hiddenStates(embeddings: embed(ids), attentionMask: mask)
                let e = try BERTModel.normalize(BERTModel.meanPool(h, mask)).to(.float32)
                let values = try e.scalars(as: Float.self)
                for (k, i) in idx.enumerated() {
                    for j in 0..<d { out[i * d + j] = values[k * d + j] }
                }
            }
        }
        return try Tensor(shape: [texts.count, d], scalars: out)
    }
}
