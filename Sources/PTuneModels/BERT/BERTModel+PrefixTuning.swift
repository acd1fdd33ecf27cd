import PTuneCore
import PTuneNN

/// Prefix tuning (P-tuning v2) of a frozen BERT, as PEFT runs it for sequence classification: every layer's
/// attention sees the prefix encoder's keys and values before the text's own (never masked), and the text's
/// positions start after the prefix's.
extension BERTModel {
    /// `layers` layers of `d`-wide keys and values.
    public var prefixLayout: PrefixLayout? { try? PrefixLayout(layers: config.layers, kvWidth: config.hiddenSize) }

    /// The model's ``output`` for input word embeddings `[B, T, d]` with every layer attending to `prefix` first.
    public func forward(embeddings: Tensor, attentionMask: Tensor?, prefix: DeepPrefix) throws -> Tensor {
        let h = try hiddenStates(embeddings: embeddings, attentionMask: attentionMask, prefix: prefix)
        switch output {
        case .hiddenStates: return h
        case .meanPooled: return try BERTModel.meanPool(h, attentionMask)
        case .sentenceEmbedding: return try BERTModel.normalize(BERTModel.meanPool(h, attentionMask))
        }
    }

    /// Mean-pooled sentence embeddings `[N, d]` of `texts` with the deep prompt `table` (a prefix encoder's output,
    /// `[P, layers · 2 · d]`) in every layer: pooled over each text's own tokens `[CLS] … [SEP]` and L2-normalised
    /// when `normalize`. Texts are cut to leave the prefix its positions, and encoded in length-sorted chunks of
    /// `batchSize`, each checkpointed when there are several (so memory is one chunk's); gradients reach `table` only.
    public func sentenceEmbeddings(_ texts: [String], prefixTable table: Tensor, normalize: Bool,
                                   batchSize: Int = 32) throws -> Tensor {
        guard !texts.isEmpty else { throw PromptError.noTexts }
        guard let layout = prefixLayout else { throw PromptError.virtualShape(found: table.shape, width: config.hiddenSize) }
        let kvTable = table.dtype == dtype ? table : try table.to(dtype)
        let n = table.shape.first ?? 0
        let positions = Swift.min(maxSequenceLength, config.maxPositions)
        guard positions - n >= 2 else { throw PromptError.tooManyVirtual(n, positions: positions) }
        let seqs = try texts.map { try tokenIds($0, maxLength: positions - n) }
        func run(_ t: Tensor, _ chunk: [[Int]]) throws -> Tensor {
            let prefix = try DeepPrefix(table: t, layout: layout)
            let (ids, mask) = try batch(chunk)
            let h = try hiddenStates(embeddings: embed(ids), attentionMask: mask, prefix: prefix)
            let e = try BERTModel.meanPool(h, mask)
            return normalize ? try BERTModel.normalize(e) : e
        }
        let step = Swift.max(1, batchSize)
        if seqs.count <= step { return try run(kvTable, seqs) }
        let order = seqs.indices.sorted { seqs[$0].count < seqs[$1].count }
        var parts: [Tensor] = []
        for start in stride(from: 0, to: order.count, by: step) {
            let chunk = order[start..<Swift.min(start + step, order.count)].map { seqs[$0] }
            parts.append(try Tensor.checkpointed(kvTable) { t in try run(t, chunk) })
        }
        var position = [Int64](repeating: 0, count: seqs.count)
        for (k, i) in order.enumerated() { position[i] = Int64(k) }
        return try Tensor.concat(parts, axis: 0).gatherRows(Tensor(shape: [seqs.count], scalars: position))
    }

    /// The keys and values `[n, layers · 2 · d]` (PEFT's flat prefix layout) every layer computes for the text's
    /// tokens `[CLS] … [SEP]`: a prefix encoder started from them sees the text as context in every layer.
    public func prefillTable(_ text: String) throws -> Tensor {
        let ids = try tokenIds(text)
        let (tokens, _) = try batch([ids])
        return try Tensor.withoutRecording {
            let t = ids.count, d = config.hiddenSize
            let type0 = try typeEmbeddings.narrowed(axis: 0, start: 0, length: 1)
            var h = try embeddingNorm(embed(tokens) + positionEmbeddings.narrowed(axis: 0, start: 0, length: t) + type0)
                .reshaped([t, d])
            let context = try AttentionContext.batch(1, length: t, attentionMask: nil)
            var columns: [Tensor] = []
            for block in blocks {
                let (k, v) = try block.keysAndValues(rows: h)
                columns += [k, v]
                h = try block.forward(rows: h, context: context)
            }
            return try Tensor.concat(columns, axis: 1).detached()
        }
    }
}
