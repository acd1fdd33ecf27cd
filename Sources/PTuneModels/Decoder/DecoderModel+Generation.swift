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
            let rope = try StageProfile.measure("rotary tables") { try rotaryTables(cache.positions(spans).map { $0 + shift }) }
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
    /// tuning) is seen by every prompt's attention in every layer, its keys and values before the prompt's. `cache`
    /// chooses how the KV cache stores keys and values.
    public func generate(batch prompts: [[Int]], prefixes: [Tensor?] = [], deepPrefix: DeepPrefix? = nil, maxTokens: Int,
                         stopTokens: Set<Int> = [], cache: KVCacheElement = .float32) throws -> [[Int]] {
        guard !prompts.isEmpty else { throw DecoderError.badInput("no prompts to continue") }
        guard prefixes.isEmpty || prefixes.count == prompts.count else {
            throw DecoderError.badInput("\(prefixes.count) prefixes for \(prompts.count) prompts")
        }
        var rows: [Tensor] = [], lengths: [Int] = []
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
            try checkTokens(tokens)
            if !tokens.isEmpty { rows.append(try embed(tokens)) }
            lengths.append(n)
        }
        return try generate(rows: rows, lengths: lengths, deepPrefix: deepPrefix,
                            settings: GenerationSettings(maxTokens: maxTokens, stopTokens: stopTokens, cache: cache))
    }

    /// Generation for prompts laid out as a template places them: each example is a sequence of virtual positions
    /// (rows of `virtualTokens`, `[n, d]`, anywhere in the prompt) and real token ids, continued as `settings` say
    /// (greedy or sampled, stop tokens, a per-prompt end test such as a stop string). One packed prefill, then one
    /// batched step per new token, as ``generate(batch:prefixes:deepPrefix:maxTokens:stopTokens:)``. Returns each
    /// prompt's new token ids.
    public func generate(examples: [[SequenceItem]], virtualTokens: Tensor?, deepPrefix: DeepPrefix? = nil,
                         settings: GenerationSettings) throws -> [[Int]] {
        guard !examples.isEmpty else { throw DecoderError.badInput("no prompts to continue") }
        let x = try Tensor.withoutRecording { try gatheredRows(virtualTokens?.detached(), examples) }
        return try generate(rows: [x], lengths: examples.map(\.count), deepPrefix: deepPrefix, settings: settings)
    }

    /// The decoding loop: prefill the packed prompt rows (`rows` concatenated, `lengths[i]` rows for prompt i),
    /// then choose one token per unfinished prompt and step until each hits a stop token, its end test, `maxTokens`
    /// or the context.
    func generate(rows: [Tensor], lengths: [Int], deepPrefix: DeepPrefix?, settings: GenerationSettings) throws -> [[Int]] {
        let maxTokens = settings.maxTokens
        guard maxTokens >= 0 else { throw DecoderError.badInput("max_tokens must be non-negative, got \(maxTokens)") }
        guard !lengths.isEmpty else { throw DecoderError.badInput("no prompts to continue") }
        guard lengths.allSatisfy({ $0 > 0 }) else { throw DecoderError.badInput("nothing to continue: empty prompt and no prefix") }
        var generators = settings.generators
        guard settings.sampler.isGreedy || generators.count == lengths.count else {
            throw DecoderError.badInput("sampling needs one generator per prompt: \(generators.count) for \(lengths.count)")
        }
        if maxTokens == 0 { return lengths.map { _ in [] } }
        let longest = lengths.max() ?? 0
        let deep = try deepPrefix.map { try checkedPrefix($0, longest: longest + maxTokens).detached() }
        let room = config.contextLength - (deep?.count ?? 0)
        guard longest <= room else { throw DecoderError.contextOverflow(needed: longest + (deep?.count ?? 0), available: config.contextLength) }
        var cache = try KVCache(config: config, capacity: Swift.min(room, longest + maxTokens), sequences: lengths.count,
                                element: settings.cache)
        let spans = lengths.enumerated().map { KVCache.Span(sequence: $0.offset, rows: $0.element) }
        var hidden = try extend(rows.count == 1 ? rows[0] : Tensor.concat(rows, axis: 0), cache: &cache, spans: spans, prefix: deep)
        var out = lengths.map { _ in [Int]() }
        var active = Array(lengths.indices)
        while true {
            // Ctrl-C and the time limit stop a long generation between tokens.
            try TensorContext.checkStop()
            let next: [Int]
            if settings.sampler.isGreedy {
                let all = try Tensor.withoutRecording { try logits(hidden) }
                next = try StageProfile.measure("argmax over the vocabulary") { try all.argmax(axis: -1).ints }
            } else {
                let all = try Tensor.withoutRecording { try logits(hidden) }.doubles
                let v = config.vocabularySize
                next = active.enumerated().map { k, i in settings.sampler.pick(Array(all[(k * v)..<((k + 1) * v)]), using: &generators[i]) }
            }
            var still: [Int] = [], tokens: [Int] = []
            for (k, i) in active.enumerated() {
                out[i].append(next[k])
                if settings.stopTokens.contains(next[k]) { continue }
                if try settings.isFinished?(i, out[i]) == true { continue }
                if out[i].count < maxTokens && cache.counts[i] < cache.capacity {
                    still.append(i)
                    tokens.append(next[k])
                }
            }
            active = still
            if active.isEmpty { break }
            let rows = try StageProfile.measure("token embedding") { try embed(tokens) }
            hidden = try extend(rows, cache: &cache, spans: active.map { KVCache.Span(sequence: $0, rows: 1) }, prefix: deep)
        }
        return out
    }
}

/// What a generation call needs beside its prompts: how many tokens at most, which tokens end a sequence (kept as
/// its last token), how tokens are chosen, the generators sampling draws from, and an end test per prompt.
public struct GenerationSettings {
    /// New tokens per prompt at most.
    public var maxTokens: Int
    /// Tokens that end a prompt's generation (the end-of-text token); the stop token is the last one returned.
    public var stopTokens: Set<Int>
    /// Greedy, or sampling with a temperature, top-k and top-p.
    public var sampler: TokenSampler
    /// One generator per prompt, drawn from only when sampling: each prompt draws from its own, so the other
    /// prompts of a batch, and when they finish, change nothing of its tokens.
    public var generators: [Generator]
    /// Asked after each new token of prompt `i` with all its new tokens so far; true ends that prompt (a stop string).
    public var isFinished: ((Int, [Int]) throws -> Bool)?
    /// How the KV cache stores keys and values: float32 (exact), or float16 (half the memory, rounded).
    public var cache: KVCacheElement

    /// Settings for greedy decoding with a float32 cache unless a sampler (and its generators) or a cache type are
    /// given.
    public init(maxTokens: Int, stopTokens: Set<Int> = [], sampler: TokenSampler = .greedy, generators: [Generator] = [],
                isFinished: ((Int, [Int]) throws -> Bool)? = nil, cache: KVCacheElement = .float32) {
        self.maxTokens = maxTokens
        self.cache = cache
        self.stopTokens = stopTokens
        self.sampler = sampler
        self.generators = generators
        self.isFinished = isFinished
    }
}
