import PTuneCore

/// Prefix tuning of the small GPT: every block's attention sees the prefix's keys and values first.
extension GPT {
    /// `layers` layers of `dim`-wide keys and values (one key/value head per query head); nil without blocks.
    public var prefixLayout: PrefixLayout? {
        config.layers > 0 ? try? PrefixLayout(layers: config.layers, kvWidth: config.dim) : nil
    }

    /// Logits `[B, T, V]` from input embeddings `[B, T, d]` after the deep `prefix` of P positions: the real
    /// positions are `P..<P + T` (as Hugging Face's GPT-2 continues after `past_key_values`), so `P + T` must fit
    /// the context.
    public func forward(embeddings: Tensor, attentionMask: Tensor?, prefix: DeepPrefix) throws -> Tensor {
        try checkPrefix(prefix)
        guard embeddings.rank == 3, embeddings.shape[2] == config.dim else {
            throw NNError.shapeMismatch("GPT", "expected embeddings [batch, time, \(config.dim)], got \(Shape.describe(embeddings.shape))")
        }
        let b = embeddings.shape[0], t = embeddings.shape[1], p = prefix.count
        guard p + t <= config.context else {
            throw NNError.shapeMismatch("GPT", "a prefix of \(p) and a sequence of \(t) positions exceed the context of \(config.context)")
        }
        let kv = try prefix.to(dtype)
        let context = try AttentionContext.batch(b, length: t, attentionMask: attentionMask)
        var x = try (embeddings + wpe.weight.value.narrowed(axis: 0, start: p, length: t)).reshaped([b * t, config.dim])
        for (l, block) in blocks.enumerated() { x = try block.forward(rows: x, context: context, prefix: kv.layer(l)) }
        return try lmHead(lnF(x)).reshaped([b, t, config.vocabSize])
    }
}

extension GPT {
    /// The keys and values `[n, layers · 2 · d]` (PEFT's flat prefix layout) every block computes for token ids
    /// `tokens` run from position 0: a prefix encoder started from them continues as if the tokens came first.
    public func prefillTable(_ tokens: [Int]) throws -> Tensor {
        let t = tokens.count, d = config.dim
        guard t > 0, t <= config.context else {
            throw NNError.invalidArgument("GPT", "a prefill needs 1 to \(config.context) tokens, got \(t)")
        }
        return try Tensor.withoutRecording {
            let ids = try Tensor(shape: [t], scalars: tokens.map(Int64.init))
            var x = try (wte(ids) + wpe.weight.value.narrowed(axis: 0, start: 0, length: t)).reshaped([t, d])
            let context = try AttentionContext.batch(1, length: t, attentionMask: nil)
            var columns: [Tensor] = []
            for block in blocks {
                let (k, v) = try block.keysAndValues(rows: x)
                columns += [k, v]
                x = try block.forward(rows: x, context: context)
            }
            return try Tensor.concat(columns, axis: 1).detached()
        }
    }
}
