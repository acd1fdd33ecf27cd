import PTuneCore
import PTuneNN

/// Inference with a KV cache: prefill prompts (optionally after virtual-token embeddings), then decode greedily one
/// token per sequence and step, one sequence or a batch of them (each with its own prompt and virtual tokens, all
/// decoded together so each step reads the weights once). Nothing here is recorded for autodiff.
extension DecoderModel {
    /// Runs new rows `x` (`[m, d]` embeddings) through every block, continuing the first sequence of `cache` at
    /// positions `cache.count..<cache.count + m` and appending their keys and values; returns the final-normed
    /// hidden state of the last new row (`[1, d]`).
    public func extend(_ x: Tensor, cache: inout KVCache) throws -> Tensor {
        try extend(x, cache: &cache, spans: KVCache.single(x.shape.first ?? 0))
    }

    /// Runs new rows `x` (`[m, d]` embeddings) through every block, the rows continuing the cache's sequences as
    /// `spans` say (in row order), and appends their keys and values; returns the final-normed hidden state of each
    /// span's last row (`[spans.count, d]`). With a deep `prefix`, every block attends to its keys and values before
    /// the cached ones and positions count from `prefix.count`.
    public func extend(_ x: Tensor, cache: inout KVCache, spans: [KVCache.Span], prefix: DeepPrefix? = nil) throws -> Tensor {
        let m = x.shape.first ?? 0, d = config.hiddenSize
        guard x.rank == 2, m > 0, x.shape[1] == d, x.dtype == .float32 else {
            throw DecoderError.badInput("expected float32 rows [m, \(d)] with m > 0, got \(x.dtype) \(x.shape)")
        }
        guard spans.reduce(0, { $0 + $1.rows }) == m, spans.allSatisfy({ $0.rows > 0 }) else {
            throw DecoderError.badInput("the spans cover \(spans.reduce(0) { $0 + $1.rows }) rows, not the \(m) given")
        }
        for s in spans where s.sequence < 0 || s.sequence >= cache.sequences || cache.counts[s.sequence] + s.rows > cache.capacity {
            let held = s.sequence >= 0 && s.sequence < cache.sequences ? cache.counts[s.sequence] : 0
            throw DecoderError.contextOverflow(needed: held + s.rows, available: cache.capacity)
        }
        return try Tensor.withoutRecording {
            let shift = prefix?.count ?? 0
            let rope = try rotaryTables(cache.positions(spans).map { $0 + shift })
            var h = x.detached()
            for (l, block) in blocks.enumerated() {
                try TensorContext.checkStop()
                h = try block.forward(rows: h, rotary: rope, cache: &cache, layer: l, spans: spans, prefix: prefix?.layer(l))
            }
            try cache.advance(spans)
            var last: [Int64] = [], end = 0
            for s in spans { end += s.rows; last.append(Int64(end - 1)) }
            let rows = spans.count == 1 ? try h.narrowed(axis: 0, start: m - 1, length: 1)
                                        : try h.gatherRows(Tensor(shape: [last.count], scalars: last))
            return try outputNorm(rows)
        }
    }

    /// Greedy generation: the prompt `tokens` (after `prefix` embeddings `[P, d]`, e.g. a prompt encoder's virtual
    /// tokens, when given) is prefilled in one pass, then up to `maxTokens` tokens are chosen by largest logit, one
    /// cached step each, stopping after any of `stopTokens`. Returns the new token ids only (never the prefix or
    /// the prompt).
    public func generate(_ tokens: [Int], prefix: Tensor? = nil, maxTokens: Int,
                         stopTokens: Set<Int> = []) throws -> [Int] {
        try generate(batch: [tokens], prefixes: [prefix], maxTokens: maxTokens, stopTokens: stopTokens)[0]
    }

    /// Greedy generation for several prompts at once: prompt `i` (after `prefixes[i]`, embeddings `[Pᵢ, d]`, when
    /// given) continues for up to `maxTokens` tokens or until one of `stopTokens`. All prompts are prefilled in one
    /// packed pass; each decoding step then runs one row per unfinished sequence through the model together (the
    /// weights are read once per step, not once per sequence), each attending to its own cached keys. Returns each
    /// prompt's new token ids. `prefixes` is empty or one entry per prompt. A deep prompt (`deepPrefix`, prefix
    /// tuning) is seen by every prompt's attention in every layer, its keys and values before the prompt's.
    public func generate(batch prompts: [[Int]], prefixes: [Tensor?] = [], deepPrefix: DeepPrefix? = nil, maxTokens: Int,
                         stopTokens: Set<Int> = []) throws -> [[Int]] {
        guard maxTokens >= 0 else { throw DecoderError.badInput("max_tokens must be non-negative, got \(maxTokens)") }
        guard !prompts.isEmpty else { throw DecoderError.badInput("no prompts to continue") }
        guard prefixes.isEmpty || prefixes.count == prompts.count else {
            throw DecoderError.badInput("\(prefixes.count) prefixes for \(prompts.count) prompts")
        }
        var rows: [Tensor] = [], spans: [KVCache.Span] = [], longest = 0
        for (i, tokens) in prompts.enumerated() {
            let prefix = prefixes.isEmpty ? nil : prefixes[i]
            var n = tokens.count
            if let prefix {
                guard prefix.rank == 2, prefix.shape[1] == config.hiddenSize else {
                    throw DecoderError.badInput("prefix embeddings must be [P, \(config.hiddenSize)], got \(prefix.shape)")
                }
                if prefix.shape[0] > 0 { rows.append(try prefix.detached().to(.float32)) }
                n += prefix.shape[0]
            }
            guard n > 0 else { throw DecoderError.badInput("nothing to continue: empty prompt and no prefix") }
            try checkTokens(tokens)
            if !tokens.isEmpty { rows.append(try embed(tokens)) }
            spans.append(KVCache.Span(sequence: i, rows: n))
            longest = Swift.max(longest, n)
        }
        if maxTokens == 0 { return prompts.map { _ in [] } }
        let deep = try deepPrefix.map { try checkedPrefix($0, longest: longest + maxTokens).detached() }
        let room = config.contextLength - (deep?.count ?? 0)
        guard longest <= room else { throw DecoderError.contextOverflow(needed: longest + (deep?.count ?? 0), available: config.contextLength) }
        var cache = try KVCache(config: config, capacity: Swift.min(room, longest + maxTokens), sequences: prompts.count)
        var hidden = try extend(rows.count == 1 ? rows[0] : Tensor.concat(rows, axis: 0), cache: &cache, spans: spans, prefix: deep)
        var out = prompts.map { _ in [Int]() }
        var active = Array(prompts.indices)
        while true {
            // Ctrl-C and the time limit stop a long generation between tokens.
            try TensorContext.checkStop()
            let next = try Tensor.withoutRecording { try logits(hidden).argmax(axis: -1) }.ints
            var still: [Int] = [], tokens: [Int] = []
            for (k, i) in active.enumerated() {
                out[i].append(next[k])
                if !stopTokens.contains(next[k]) && out[i].count < maxTokens && cache.counts[i] < cache.capacity {
                    still.append(i)
                    tokens.append(next[k])
                }
            }
            active = still
            if active.isEmpty { break }
            hidden = try extend(embed(tokens), cache: &cache, spans: active.map { KVCache.Span(sequence: $0, rows: 1) }, prefix: deep)
        }
        return out
    }
}
