import PTuneCore
import PTuneNN

/// Inference with a KV cache: prefill a prompt (optionally after virtual-token embeddings), then decode greedily one
/// token at a time. Nothing here is recorded for autodiff.
extension DecoderModel {
    /// Runs new rows `x` (`[m, d]` embeddings at positions `cache.count..<cache.count + m`) through every block,
    /// appending their keys and values to `cache`; returns the final-normed hidden state of the last new row
    /// (`[1, d]`).
    public func extend(_ x: Tensor, cache: inout KVCache) throws -> Tensor {
        let m = x.shape.first ?? 0, d = config.hiddenSize, start = cache.count
        guard x.rank == 2, m > 0, x.shape[1] == d, x.dtype == .float32 else {
            throw DecoderError.badInput("expected float32 rows [m, \(d)] with m > 0, got \(x.dtype) \(x.shape)")
        }
        guard start + m <= cache.capacity else { throw DecoderError.contextOverflow(needed: start + m, available: cache.capacity) }
        return try Tensor.withoutRecording {
            let rope = try rotaryTables(Array(start..<(start + m)))
            var h = x.detached()
            for (l, block) in blocks.enumerated() { h = try block.forward(rows: h, rotary: rope, cache: &cache, layer: l) }
            try cache.advance(by: m)
            return try outputNorm(h.narrowed(axis: 0, start: m - 1, length: 1))
        }
    }

    /// Greedy generation: the prompt `tokens` (after `prefix` embeddings `[P, d]`, e.g. a prompt encoder's virtual
    /// tokens, when given) is prefilled in one pass, then up to `maxTokens` tokens are chosen by largest logit, one
    /// cached step each, stopping after any of `stopTokens`. Returns the new token ids only (never the prefix or
    /// the prompt).
    public func generate(_ tokens: [Int], prefix: Tensor? = nil, maxTokens: Int,
                         stopTokens: Set<Int> = []) throws -> [Int] {
        guard maxTokens >= 0 else { throw DecoderError.badInput("max_tokens must be non-negative, got \(maxTokens)") }
        let p = prefix?.shape.first ?? 0
        if let prefix {
            guard prefix.rank == 2, prefix.shape[1] == config.hiddenSize else {
                throw DecoderError.badInput("prefix embeddings must be [P, \(config.hiddenSize)], got \(prefix.shape)")
            }
        }
        guard p + tokens.count > 0 else { throw DecoderError.badInput("nothing to continue: empty prompt and no prefix") }
        if maxTokens == 0 { return [] }
        var cache = try KVCache(config: config, capacity: Swift.min(config.contextLength, p + tokens.count + maxTokens))
        var rows: [Tensor] = []
        if let prefix { rows.append(try prefix.detached().to(.float32)) }
        if !tokens.isEmpty { rows.append(try embed(tokens)) }
        var hidden = try extend(rows.count == 1 ? rows[0] : Tensor.concat(rows, axis: 0), cache: &cache)
        var out: [Int] = []
        while out.count < maxTokens {
            let next = try Tensor.withoutRecording { try logits(hidden).argmax(axis: -1) }.ints[0]
            out.append(next)
            if stopTokens.contains(next) || out.count == maxTokens || cache.count >= cache.capacity { break }
            hidden = try extend(embed([next]), cache: &cache)
        }
        return out
    }
}
