import PTuneCore
import PTuneNN

/// Prefix tuning (P-tuning v2) of a frozen decoder (Llama, Qwen, Gemma), as PEFT runs it: the prefix encoder's keys and
/// values enter every layer as `past_key_values` would — not rotated, always attended to — and the real tokens sit
/// at positions `P, P + 1, …` after the `P` prefix positions. The prefix is computed once per batch and shared by
/// every sequence; the backward reaches its keys and values only.
///
/// A prefix table holds its keys in Hugging Face's layout (each head's rotary pairs `(i, i + headDim/2)`, what PEFT
/// saves and loads), so a table moves between ptune and PEFT unchanged; when the model's own keys pair adjacent
/// columns `(2i, 2i + 1)` (a Llama GGUF's layout), each head's key columns are interleaved on the way in and back on
/// the way out of a prefill — a permutation, exact. Sliding-window layers (Gemma 3) see the prefix only while it is
/// inside their window, so a prefix and its sequences must fit the window.
extension DecoderModel {
    /// `layers` layers of `kvHeads · headDim`-wide keys and values (grouped-query attention: narrower than d).
    public var prefixLayout: PrefixLayout? { try? PrefixLayout(layers: config.layers, kvHeads: config.kvHeads, headDim: config.headDim) }

    /// `prefix` in float32 with its keys in the model's rotary layout, once checked against the model's layers and
    /// key/value width, and for sliding-window layers against the window when sequences run up to `longest`
    /// positions after it.
    func checkedPrefix(_ prefix: DeepPrefix, longest: Int) throws -> DeepPrefix {
        try checkPrefix(prefix)
        guard prefix.count > 0 else { throw DecoderError.badInput("a prefix needs at least one position") }
        if let window = config.slidingWindow, config.layerTypes.contains(.sliding), prefix.count + longest > window {
            throw DecoderError.badInput("a prefix of \(prefix.count) and sequences of up to \(longest) positions exceed the sliding window of \(window), out of which its keys would fall")
        }
        let kv = try prefix.to(.float32)
        guard weights.rotaryLayout == .adjacentPairs else { return kv }
        return try kv.mappingKeys { try keyColumns($0, toAdjacentPairs: true) }
    }

    /// Key rows `[P, kvHeads · headDim]` with each head's columns moved between Hugging Face's rotate-half order
    /// (pairs `(i, i + headDim/2)`) and adjacent pairs `(2i, 2i + 1)`.
    func keyColumns(_ k: Tensor, toAdjacentPairs: Bool) throws -> Tensor {
        let p = k.shape.first ?? 0, h = config.kvHeads, half = config.headDim / 2
        let split = toAdjacentPairs ? [p, h, 2, half] : [p, h, half, 2]
        return try k.reshaped(split).permuted([0, 1, 3, 2]).reshaped([p, h * config.headDim])
    }

    /// Logits `[B, T, vocabulary]` of input embeddings `[B, T, d]` after the deep `prefix`: each row's real
    /// positions, in order, form one sequence at positions `P, P + 1, …`, attending to the prefix and causally to
    /// each other (padding skipped, as in ``forward(embeddings:attentionMask:logits:)``).
    public func forward(embeddings: Tensor, attentionMask: Tensor?, prefix: DeepPrefix) throws -> Tensor {
        let d = config.hiddenSize
        guard embeddings.rank == 3, embeddings.shape[2] == d, embeddings.dtype == .float32 else {
            throw DecoderError.badInput("embeddings must be float32 [B, T, \(d)], got \(embeddings.dtype) \(embeddings.shape)")
        }
        let b = embeddings.shape[0], t = embeddings.shape[1], v = config.vocabularySize
        let kv = try checkedPrefix(prefix, longest: t)
        let keep = try attentionMask.map { m in
            guard m.shape == [b, t] else { throw DecoderError.badInput("attention mask of shape \(m.shape) does not match the batch [\(b), \(t)]") }
            return m.doubles.map { $0 != 0 }
        } ?? [Bool](repeating: true, count: b * t)
        var rows: [Int64] = [], lengths: [Int] = []
        for r in 0..<b {
            var n = 0
            for p in 0..<t where keep[r * t + p] { rows.append(Int64(r * t + p)); n += 1 }
            if n > 0 { lengths.append(n) }
        }
        if rows.isEmpty { return try Tensor.zeros([b, t, v]) }
        let packed = try embeddings.reshaped([b * t, d]).gatherRows(Tensor(shape: [rows.count], scalars: rows))
        let out = try logits(hiddenStates(packed, packing: DecoderPacking(lengths: lengths), prefix: kv))
        if rows.count == b * t { return try out.reshaped([b, t, v]) }
        var slot = [Int64](repeating: Int64(rows.count), count: b * t)
        for (k, r) in rows.enumerated() { slot[Int(r)] = Int64(k) }
        let withZero = try Tensor.concat([out, Tensor.zeros([1, v])], axis: 0)
        return try withZero.gatherRows(Tensor(shape: [b * t], scalars: slot)).reshaped([b, t, v])
    }

    /// The logits of `labelTokens` (`[B, labelTokens.count]`) at the last token of each of the `sequences`, every
    /// layer attending to the deep `prefix` first: PEFT's prefix-tuning forward with right padding, read at each
    /// example's last real position — packed without padding, the last block for the answer rows only, two label
    /// words instead of the vocabulary. The backward reaches the prefix only.
    public func labelLogits(prefix: DeepPrefix, sequences: [[Int]], labelTokens: [Int]) throws -> Tensor {
        let kv = try checkedPrefix(prefix, longest: sequences.map(\.count).max() ?? 0)
        guard !sequences.isEmpty else { throw DecoderError.badInput("a batch needs at least one sequence") }
        guard !labelTokens.isEmpty else { throw DecoderError.badInput("no label tokens to score") }
        guard sequences.allSatisfy({ !$0.isEmpty }) else { throw DecoderError.badInput("every sequence needs at least one token") }
        let longest = sequences.map(\.count).max() ?? 0
        guard kv.count + longest <= config.contextLength else {
            throw DecoderError.contextOverflow(needed: kv.count + longest, available: config.contextLength)
        }
        let packing = try DecoderPacking(lengths: sequences.map(\.count))
        let x = try embed(sequences.flatMap { $0 })
        let hidden = try hiddenStates(x, packing: packing, outputRows: try packing.lastRows(), prefix: kv)
        return try logits(hidden, tokens: labelTokens)
    }

    /// The keys and values `[n, layers · 2 · kvWidth]` (PEFT's flat prefix layout, keys in Hugging Face's order) the
    /// model computes for `tokens`
    /// run as one sequence from position 0: what a KV cache holds after prefilling them. A prefix encoder started
    /// from this table makes the model continue as if the tokens were written before every input.
    public func prefillTable(_ tokens: [Int]) throws -> Tensor {
        guard !tokens.isEmpty else { throw DecoderError.badInput("no tokens to prefill") }
        guard tokens.count <= config.contextLength else {
            throw DecoderError.contextOverflow(needed: tokens.count, available: config.contextLength)
        }
        var cache = try KVCache(config: config, capacity: tokens.count)
        _ = try extend(embed(tokens), cache: &cache)
        return try Tensor.withoutRecording {
            var columns: [Tensor] = []
            for l in 0..<config.layers {
                let keys = try cache.keys[l].narrowed(axis: 0, start: 0, length: tokens.count)
                columns.append(weights.rotaryLayout == .adjacentPairs ? try keyColumns(keys, toAdjacentPairs: false) : keys)
                columns.append(try cache.values[l].narrowed(axis: 0, start: 0, length: tokens.count))
            }
            return try Tensor.concat(columns, axis: 1).detached()
        }
    }
}
