import PTuneCore
import PTuneModels
import PTuneNN

/// The prompts of a causal-LM builtin as the model reads them.
struct RenderedPrompts {
    /// Each prompt's positions: the encoder's virtual tokens where the template places them, and token ids.
    let examples: [[SequenceItem]]
    /// The trainable input shared by every prompt: an input encoder's virtual tokens `[n, d]`, or a prefix encoder's
    /// flat key/value table; nil without an encoder.
    let input: Tensor?
    /// The model's prefix layout when `input` is a prefix encoder's table.
    let layout: PrefixLayout?

    /// The virtual tokens, when the encoder makes input tokens.
    var virtual: Tensor? { layout == nil ? input : nil }

    /// The deep prefix over `table` (the input, or a chunk's stand-in for it), when the encoder is a prefix encoder.
    func deepPrefix(_ table: Tensor? = nil) throws -> DeepPrefix? {
        guard let layout, let t = table ?? input else { return nil }
        return try DeepPrefix(table: t, layout: layout)
    }
}

extension BuiltinRegistry {
    /// The texts rendered by the template in argument `j` for the encoder in argument `i` (none, an input encoder, or a
    /// prefix encoder, which places no virtual tokens): one home for `label_logits`, `generate` and `lm_loss`.
    static func renderedPrompts(_ a: Arguments, texts: [String], encoder i: Int, template j: Int, _ lm: DecoderModel,
                                _ tokenizer: any TextTokenizer, _ builtin: String) throws -> RenderedPrompts {
        let source = try a.string(j)
        if case let .encoder(e) = a[i], e.kind.isDeep {
            let template = try promptTemplate(source, virtual: 0, builtin, deep: true)
            let examples = try texts.map { try render(template, text: $0, tokenizer, builtin) }
            return RenderedPrompts(examples: examples, input: try deepTable(e, lm, builtin), layout: lm.prefixLayout)
        }
        let virtual = try virtualTokens(a, i, lm, builtin)
        let template = try promptTemplate(source, virtual: virtual?.shape[0] ?? 0, builtin)
        if case let .encoder(e) = a[i] { e.notePlacement(template, source: source) }
        return RenderedPrompts(examples: try texts.map { try render(template, text: $0, tokenizer, builtin) }, input: virtual, layout: nil)
    }

    /// The template with PEFT's placement when it has no virtual markers but an encoder is given.
    static func promptTemplate(_ source: String, virtual n: Int, _ builtin: String, deep: Bool = false) throws -> PromptTemplate {
        let t = try PromptTemplate(source)
        for f in t.fields where f != "text" {
            throw RuntimeFailure(.badArgument(function: builtin, "the template reads '{\(f)}', but only '{text}' is filled (write '{{' for a literal brace)"))
        }
        if deep && t.virtualTokenCount > 0 {
            throw RuntimeFailure(.badArgument(function: builtin, "a prefix encoder enters every attention layer, so the template places no virtual tokens (<v:k>)"))
        }
        if t.virtualTokenCount == 0 { return n == 0 ? t : PromptTemplate(segments: [.virtual(n)] + t.segments) }
        guard t.virtualTokenCount == n else {
            throw RuntimeFailure(.badArgument(function: builtin, "the template places \(t.virtualTokenCount) virtual tokens but the encoder makes \(n)"))
        }
        return t
    }

    /// One example's positions: each run of text between virtual markers is filled in and tokenized whole (as the
    /// model would see the formatted string), virtual positions numbered in order; the tokenizer's leading special
    /// tokens (Gemma's `<bos>`) come before the first text, as transformers' tokenizer puts them before the text and
    /// PEFT's virtual tokens before that.
    static func render(_ template: PromptTemplate, text: String, _ tokenizer: any TextTokenizer,
                       _ builtin: String = "label_logits") throws -> [SequenceItem] {
        var items: [SequenceItem] = [], pending = "", next = 0, leading = tokenizer.leadingSpecialTokens
        func flush() {
            if !pending.isEmpty {
                items += (leading + tokenizer.encode(pending, addSpecialTokens: false)).map { .token($0) }
                leading = []
            }
            pending = ""
        }
        for s in template.segments {
            switch s {
            case let .text(t): pending += t
            case .field: pending += text
            case let .virtual(k):
                flush()
                items += (next..<(next + k)).map { .virtual($0) }
                next += k
            }
        }
        flush()
        guard !items.isEmpty else { throw RuntimeFailure(.badArgument(function: builtin, "an empty text renders to no tokens")) }
        return items
    }

    /// Label scores of every prompt (`[B, W]`): the words' logits when each is one token, else their summed token
    /// log-probabilities.
    static func scoreInChunks(_ lm: DecoderModel, _ prompts: RenderedPrompts, words: [[Int]]) throws -> Tensor {
        let single = words.allSatisfy { $0.count == 1 } ? words.map { $0[0] } : nil
        let (parts, order) = try inChunks(prompts.examples, input: prompts.input) { input, indices in
            let examples = indices.map { prompts.examples[$0] }
            if let deep = try prompts.deepPrefix(input) {
                guard let single else { return try lm.labelLogProbabilities(virtualTokens: nil, examples: examples, labelWords: words, prefix: deep) }
                return try lm.labelLogits(prefix: deep, sequences: try tokens(examples, "label_logits"), labelTokens: single)
            }
            guard let single else { return try lm.labelLogProbabilities(virtualTokens: input, examples: examples, labelWords: words) }
            return try lm.labelLogits(virtualTokens: input, examples: examples, labelTokens: single)
        }
        if parts.count == 1 { return parts[0] }
        var position = [Int64](repeating: 0, count: order.count)
        for (k, i) in order.enumerated() { position[i] = Int64(k) }
        return try Tensor.concat(parts, axis: 0).gatherRows(Tensor(shape: [order.count], scalars: position))
    }

    /// Label scores of examples after virtual tokens (the input encoder's output, or nil).
    static func scoreInChunks(_ lm: DecoderModel, virtual: Tensor?, examples: [[SequenceItem]], words: [[Int]]) throws -> Tensor {
        try scoreInChunks(lm, RenderedPrompts(examples: examples, input: virtual, layout: nil), words: words)
    }

    /// The mean causal-LM loss of every continuation token after its prompt, summed chunk by chunk.
    static func continuationLossInChunks(_ lm: DecoderModel, _ prompts: RenderedPrompts, _ continuations: [[Int]]) throws -> Tensor {
        let (parts, _) = try inChunks(prompts.examples, input: prompts.input) { input, indices in
            try lm.continuationLoss(virtualTokens: prompts.virtual == nil ? nil : input, examples: indices.map { prompts.examples[$0] },
                                    continuations: indices.map { continuations[$0] }, prefix: try prompts.deepPrefix(input), reduction: .sum)
        }
        let tokens = continuations.reduce(0) { $0 + $1.count }
        let total = parts.count == 1 ? parts[0] : try Tensor.stack(parts, axis: 0).sum()
        return try total / Double(tokens)
    }

    /// Runs `body` on the examples (given by their indices) 32 at a time in order of length (so each pass packs similar
    /// lengths): the parts in that order, and the order. The trainable `input` (virtual tokens or a prefix table) is computed once and shared
    /// by every chunk; with more than one chunk, each is checkpointed, so memory is one chunk's graph through the
    /// frozen model, not the split's (a backward recomputes one chunk at a time).
    static func inChunks(_ examples: [[SequenceItem]], input: Tensor?,
                         _ body: @escaping (Tensor?, [Int]) throws -> Tensor) throws -> (parts: [Tensor], order: [Int]) {
        let chunk = 32
        if examples.count <= chunk { return ([try body(input, Array(examples.indices))], Array(examples.indices)) }
        let order = examples.indices.sorted { examples[$0].count < examples[$1].count }
        var parts: [Tensor] = []
        for start in stride(from: 0, to: order.count, by: chunk) {
            let part = Array(order[start..<Swift.min(start + chunk, order.count)])
            if let input {
                parts.append(try Tensor.checkpointed(input) { t in try body(t, part) })
            } else {
                parts.append(try body(nil, part))
            }
        }
        return (parts, order)
    }

    /// The token ids of examples that hold no virtual positions.
    static func tokens(_ examples: [[SequenceItem]], _ builtin: String) throws -> [[Int]] {
        try examples.map { e in
            try e.map { item -> Int in
                guard case let .token(t) = item else {
                    throw RuntimeFailure(.badArgument(function: builtin, "a prefix encoder enters every attention layer, so the template places no virtual tokens (<v:k>)"))
                }
                return t
            }
        }
    }
}
