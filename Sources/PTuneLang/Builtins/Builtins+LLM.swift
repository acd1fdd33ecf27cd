import PTuneCore
import PTuneModels
import PTuneNN

extension BuiltinRegistry {
    /// Causal language models (a loaded decoder such as SmolLM2 or Gemma 3): label-word scoring with or without a prompt
    /// encoder's virtual tokens, and greedy generation with the KV cache.
    static let llmBuiltins: [Builtin] = [
        Builtin("label_logits", [.receiver("model", .model), .required("texts", "string or list of strings"),
                                 .required("words", "list of strings"), .optional("encoder", "encoder", .none),
                                 .optional("template", "string", .string("{text}"))],
                returns: "tensor", topic: .models,
                summary: "the logits [B, W] of the label words (each one token) at the last position of each text rendered by the template ({text}; <v:k> places k of the encoder's virtual tokens, which otherwise all go first, as PEFT does); gradients reach the encoder only",
                example: "let logits = label_logits(lm, batch.text, [\" negative\", \" positive\"], encoder: pe, template: \"Review: {text}\\nSentiment:\")",
                modelRole: .causalLM, result: .tensor(TensorType(shape: [.unknown, .unknown], dtype: .float32)),
                run: { a, _ in
                    let (lm, tokenizer) = try causalLM(a, 0, "label_logits")
                    let texts = try textList(a, 1)
                    let words = try labelWords(a, 2, tokenizer)
                    if case let .encoder(e) = a[3], e.kind.isDeep {
                        let template = try promptTemplate(try a.string(4), virtual: 0, "label_logits")
                        let sequences = try texts.map { text in
                            try render(template, text: text, tokenizer).map { item -> Int in
                                guard case let .token(t) = item else {
                                    throw RuntimeFailure(.badArgument(function: "label_logits", "a prefix encoder enters every attention layer, so the template places no virtual tokens (<v:k>)"))
                                }
                                return t
                            }
                        }
                        return .tensor(try scoreInChunks(lm, prefixTable: deepTable(e, lm, "label_logits"), sequences: sequences, words: words))
                    }
                    let virtual = try virtualTokens(a, 3, lm, "label_logits")
                    let template = try promptTemplate(try a.string(4), virtual: virtual?.shape[0] ?? 0, "label_logits")
                    if case let .encoder(e) = a[3] { e.notePlacement(template, source: try a.string(4)) }
                    let examples = try texts.map { try render(template, text: $0, tokenizer) }
                    return .tensor(try scoreInChunks(lm, virtual: virtual, examples: examples, words: words))
                }),
        Builtin("generate", [.receiver("model", .model), .required("prompt", "string"), .optional("encoder", "encoder", .none),
                             .optional("max_tokens", "int", .number(20))],
                returns: "string", topic: .models,
                summary: "the greedy continuation of prompt (after the encoder's virtual tokens, when given, and the tokenizer's <bos> if it adds one), up to max_tokens tokens or the end-of-text token; the virtual tokens never appear in the output",
                example: "print generate(lm, \"The capital of France is\", max_tokens: 8)", modelRole: .causalLM, result: .string,
                run: { a, _ in
                    let (lm, tokenizer) = try causalLM(a, 0, "generate")
                    let n = try a.int(3)
                    guard n >= 0 else { throw RuntimeFailure(.badArgument(function: "generate", "max_tokens must be non-negative, got \(n)")) }
                    let prompt = tokenizer.leadingSpecialTokens + tokenizer.encode(try a.string(1), addSpecialTokens: false)
                    let ids: [Int]
                    if case let .encoder(e) = a[2], e.kind.isDeep {
                        ids = try lm.generate(batch: [prompt], deepPrefix: deepPrefix(e, lm, "generate").detached(), maxTokens: n,
                                              stopTokens: [lm.config.eosToken])[0]
                    } else {
                        let virtual = try virtualTokens(a, 2, lm, "generate")
                        ids = try lm.generate(prompt, prefix: virtual?.detached(), maxTokens: n, stopTokens: [lm.config.eosToken])
                    }
                    let shown = ids.last == lm.config.eosToken ? Array(ids.dropLast()) : ids
                    return .string(try tokenizer.decode(shown))
                }),
    ]

    /// The decoder model (and its tokenizer) in argument `i`.
    static func causalLM(_ a: Arguments, _ i: Int, _ builtin: String) throws -> (DecoderModel, any TextTokenizer) {
        guard case let .model(mo) = a[i], let lm = mo.frozenModel as? DecoderModel else {
            throw RuntimeFailure(a.mismatch(i, "a causal language model (load(\"smollm2-135m\"))"))
        }
        guard let tokenizer = lm.tokenizer else {
            throw RuntimeFailure(.badArgument(function: builtin, "the model '\(mo.summary)' has no tokenizer"))
        }
        return (lm, tokenizer)
    }

    /// The label words of argument `i` as token ids: each must be exactly one token.
    static func labelWords(_ a: Arguments, _ i: Int, _ tokenizer: any TextTokenizer) throws -> [Int] {
        let values: [Value]
        if case let .string(s) = a[i] { values = [.string(s)] } else { values = try a.list(i) }
        guard !values.isEmpty else { throw RuntimeFailure(.badArgument(function: "label_logits", "no label words given")) }
        return try values.map { v in
            guard case let .string(w) = v else { throw RuntimeFailure(a.mismatch(i, "a list of strings")) }
            let ids = tokenizer.encode(w, addSpecialTokens: false)
            guard ids.count == 1 else {
                throw RuntimeFailure(.badArgument(function: "label_logits", "label word '\(w)' is \(ids.count) tokens \(ids); label words must be single tokens (try a leading space: ' \(w.trimmingCharacters(in: .whitespaces))')"))
            }
            return ids[0]
        }
    }

    /// The encoder's virtual tokens `[n, d]` (argument `i`), or nil when none is given.
    static func virtualTokens(_ a: Arguments, _ i: Int, _ lm: DecoderModel, _ builtin: String) throws -> Tensor? {
        if a.isNone(i) { return nil }
        guard case let .encoder(e) = a[i] else { throw RuntimeFailure(a.mismatch(i, "an encoder")) }
        guard e.dim == lm.config.hiddenSize else {
            throw RuntimeFailure(.badArgument(function: builtin, "the encoder makes tokens of width \(e.dim) but the model embeds \(lm.config.hiddenSize)"))
        }
        let v = try e.encode()
        return v.dtype == .float32 ? v : try v.to(.float32)
    }

    /// Label logits of many token sequences after a deep prompt (the prefix encoder's flat table, computed once),
    /// 32 at a time in order of length, put back in order; with a trainable table and more than one chunk, each
    /// chunk is checkpointed.
    static func scoreInChunks(_ lm: DecoderModel, prefixTable table: Tensor, sequences: [[Int]], words: [Int]) throws -> Tensor {
        guard let layout = lm.prefixLayout else { throw RuntimeFailure(.badArgument(function: "label_logits", "the model has no attention layers")) }
        let chunk = 32
        func score(_ t: Tensor, _ part: [[Int]]) throws -> Tensor {
            try lm.labelLogits(prefix: DeepPrefix(table: t, layout: layout), sequences: part, labelTokens: words)
        }
        if sequences.count <= chunk { return try score(table, sequences) }
        let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
        var parts: [Tensor] = []
        for start in stride(from: 0, to: order.count, by: chunk) {
            let part = order[start..<Swift.min(start + chunk, order.count)].map { sequences[$0] }
            parts.append(try Tensor.checkpointed(table) { t in try score(t, part) })
        }
        var position = [Int64](repeating: 0, count: sequences.count)
        for (k, i) in order.enumerated() { position[i] = Int64(k) }
        return try Tensor.concat(parts, axis: 0).gatherRows(Tensor(shape: [sequences.count], scalars: position))
    }

    /// The template with PEFT's placement when it has no virtual markers but an encoder is given.
    static func promptTemplate(_ source: String, virtual n: Int, _ builtin: String) throws -> PromptTemplate {
        let t = try PromptTemplate(source)
        for f in t.fields where f != "text" {
            throw RuntimeFailure(.badArgument(function: builtin, "the template reads '{\(f)}', but only '{text}' is filled (write '{{' for a literal brace)"))
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
    static func render(_ template: PromptTemplate, text: String, _ tokenizer: any TextTokenizer) throws -> [SequenceItem] {
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
        guard !items.isEmpty else { throw RuntimeFailure(.badArgument(function: "label_logits", "an empty text renders to no tokens")) }
        return items
    }

    /// Label logits of many examples, 32 at a time in order of length (so each pass packs similar lengths), put
    /// back in the examples' order. The encoder's output is computed once and shared by every chunk; with a trainable
    /// encoder and more than one chunk, each chunk is checkpointed, so memory is one chunk's graph, not the split's.
    static func scoreInChunks(_ lm: DecoderModel, virtual: Tensor?, examples: [[SequenceItem]], words: [Int]) throws -> Tensor {
        let chunk = 32
        if examples.count <= chunk {
            return try lm.labelLogits(virtualTokens: virtual, examples: examples, labelTokens: words)
        }
        let order = examples.indices.sorted { examples[$0].count < examples[$1].count }
        var parts: [Tensor] = []
        for start in stride(from: 0, to: order.count, by: chunk) {
            let idx = order[start..<Swift.min(start + chunk, order.count)]
            let chunkExamples = idx.map { examples[$0] }
            if let virtual {
                // Checkpointed: scoring a whole split with a trainable encoder keeps no chunk's graph through the
                // frozen model (a backward, if any, recomputes one chunk at a time).
                parts.append(try Tensor.checkpointed(virtual) { v in
                    try lm.labelLogits(virtualTokens: v, examples: chunkExamples, labelTokens: words)
                })
            } else {
                parts.append(try lm.labelLogits(virtualTokens: nil, examples: chunkExamples, labelTokens: words))
            }
        }
        var position = [Int64](repeating: 0, count: examples.count)
        for (k, i) in order.enumerated() { position[i] = Int64(k) }
        return try Tensor.concat(parts, axis: 0).gatherRows(Tensor(shape: [examples.count], scalars: position))
    }
}
