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
                summary: "the scores [B, W] of the label words after each text rendered by the template ({text}; <v:k> places k of the encoder's virtual tokens, which otherwise all go first, as PEFT does): their next-token logits when every word is one token, else each word's summed token log-probabilities (teacher-forced; softmax, cross_entropy and argmax over the words agree with the logits' for one-token words); gradients reach the encoder only",
                example: "let logits = label_logits(lm, batch.text, [\" negative\", \" positive\"], encoder: pe, template: \"Review: {text}\\nSentiment:\")",
                modelRole: .causalLM, result: .tensor(TensorType(shape: [.unknown, .unknown], dtype: .float32)),
                run: { a, _ in
                    let (lm, tokenizer) = try causalLM(a, 0, "label_logits")
                    let words = try labelWords(a, 2, tokenizer)
                    let prompts = try renderedPrompts(a, texts: try textList(a, 1), encoder: 3, template: 4, lm, tokenizer, "label_logits")
                    return .tensor(try scoreInChunks(lm, prompts, words: words))
                }),
        Builtin("generate", [.receiver("model", .model), .required("prompt", "string or list of strings"),
                             .optional("encoder", "encoder", .none), .optional("max_tokens", "int", .number(20)),
                             .optional("template", "string", .string("{text}")), .optional("temperature", "number", .number(0)),
                             .optional("top_k", "int", .none), .optional("top_p", "number", .none),
                             .optional("stop", "string or list of strings", .none),
                             .optional("kv_cache", "string", .none)],
                returns: "string or list of strings", topic: .models,
                summary: "the continuation of prompt rendered by the template (as label_logits renders it: the encoder's virtual tokens where <v:k> says, else first; the tokenizer's <bos> if it adds one), up to max_tokens tokens, the end-of-text token or a stop string (the text is cut before it); greedy, or sampled with temperature > 0 (top_k, top_p: nucleus) from the script's seeded generator; a list of prompts generates in one batch and gives a list; kv_cache: \"float16\" keeps the keys and values in half the memory, rounded (default \"float32\", or --kv-cache)",
                example: "print generate(lm, [\"The capital of France is\", \"2 + 2 =\"], max_tokens: 8, stop: [\".\", \"\\n\"])",
                modelRole: .causalLM, infer: generateRule,
                run: { a, m in
                    let (lm, tokenizer) = try causalLM(a, 0, "generate")
                    let n = try a.int(3)
                    guard n >= 0 else { throw RuntimeFailure(.badArgument(function: "generate", "max_tokens must be non-negative, got \(n)")) }
                    let texts = try textList(a, 1)
                    guard !texts.isEmpty else { throw RuntimeFailure(.badArgument(function: "generate", "no prompts to continue")) }
                    let sampler: TokenSampler
                    do {
                        sampler = try TokenSampler(temperature: a.number(5), topK: a.optionalInt(6), topP: a.optionalNumber(7))
                    } catch let DecoderError.badInput(why) {
                        throw RuntimeFailure(.badArgument(function: "generate", why))
                    }
                    let stops = try stopStrings(a, 8)
                    let prompts = try renderedPrompts(a, texts: texts, encoder: 2, template: 4, lm, tokenizer, "generate")
                    let eos = lm.config.eosToken
                    func text(_ ids: [Int]) throws -> String { try tokenizer.decode(ids.last == eos ? Array(ids.dropLast()) : ids) }
                    // Each prompt samples from its own generator split off the script's, in order; greedy draws none.
                    var settings = GenerationSettings(maxTokens: n, stopTokens: [eos], sampler: sampler,
                                                      generators: sampler.isGreedy ? [] : texts.map { _ in m.rng.split() },
                                                      cache: try kvCacheElement(a, 9, default: m.options.kvCache))
                    if !stops.isEmpty {
                        settings.isFinished = { _, ids in
                            let t = try text(ids)
                            return stops.contains { t.contains($0) }
                        }
                    }
                    let ids = try lm.generate(examples: prompts.examples, virtualTokens: prompts.virtual?.detached(),
                                              deepPrefix: prompts.deepPrefix()?.detached(), settings: settings)
                    let outputs = try ids.map { Value.string(cutAtStop(try text($0), stops)) }
                    if case .string = a[1] { return outputs[0] }
                    return .list(ListValue(outputs))
                }),
        Builtin("lm_loss", [.receiver("model", .model), .required("prompts", "string or list of strings"),
                            .required("targets", "string or list of strings"), .optional("encoder", "encoder", .none),
                            .optional("template", "string", .string("{text}")), .optional("eos", "bool", .bool(false))],
                returns: "tensor", topic: .models,
                summary: "the causal-LM loss of each target continuing its prompt (rendered by the template as label_logits renders it): the mean over every target token of −log p(token | prompt, the target's tokens before it), prompt positions masked out as transformers' label -100 does; each target is tokenized on its own and appended (eos: true adds the end-of-text token, so the model learns to stop); gradients reach the encoder only",
                example: "loss: lm_loss(lm, batch.question, batch.answer, encoder: pe, template: \"Q: {text}\\nA:\")",
                modelRole: .causalLM, result: .tensor(TensorType(shape: [], dtype: .float32)),
                run: { a, _ in
                    let (lm, tokenizer) = try causalLM(a, 0, "lm_loss")
                    let texts = try textList(a, 1), targets = try textList(a, 2)
                    guard texts.count == targets.count else {
                        throw RuntimeFailure(.badArgument(function: "lm_loss", "\(texts.count) prompts but \(targets.count) targets"))
                    }
                    guard !texts.isEmpty else { throw RuntimeFailure(.badArgument(function: "lm_loss", "no prompts given")) }
                    let eos = try a.bool(5) ? [lm.config.eosToken] : []
                    let continuations = try targets.map { t in
                        let ids = tokenizer.encode(t, addSpecialTokens: false) + eos
                        guard !ids.isEmpty else { throw RuntimeFailure(.badArgument(function: "lm_loss", "the target \(Value.quote(t)) has no tokens")) }
                        return ids
                    }
                    let prompts = try renderedPrompts(a, texts: texts, encoder: 3, template: 4, lm, tokenizer, "lm_loss")
                    return .tensor(try continuationLossInChunks(lm, prompts, continuations))
                }),
    ]

    /// `generate` gives a list for a list of prompts, a string for one; the sampling options are checked when known.
    static func generateRule(_ c: CallTypes) throws(Message) -> LangType {
        if case let .number(t?) = c[5], t < 0 {
            throw .badArgument(function: c.name, "temperature must be ≥ 0 (0: greedy), got \(Value.number(t).description)")
        }
        switch c[1] {
        case .list: return .list(.string)
        case .string: return .string
        case .unknown: return .unknown
        case .none, .number, .dim, .bool, .tensor, .numberList, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            throw .wrongKind(context: "'generate' argument 'prompt'", expected: "a string or a list of strings", got: c[1].kindText)
        }
    }

    /// The KV cache element type argument `i` names (`"float32"`, `"float16"`), or `fallback` when not given.
    static func kvCacheElement(_ a: Arguments, _ i: Int, default fallback: KVCacheElement) throws -> KVCacheElement {
        if a.isNone(i) { return fallback }
        let name = try a.string(i)
        guard let element = KVCacheElement(rawValue: name) else {
            throw RuntimeFailure(.badArgument(function: "generate", "kv_cache must be \"float32\" or \"float16\", got \(Value.quote(name))"))
        }
        return element
    }

    /// The stop strings of argument `i`: none, one string, or a list of non-empty strings.
    static func stopStrings(_ a: Arguments, _ i: Int) throws -> [String] {
        if a.isNone(i) { return [] }
        let stops = try textList(a, i)
        guard stops.allSatisfy({ !$0.isEmpty }) else { throw RuntimeFailure(.badArgument(function: "generate", "a stop string must not be empty")) }
        return stops
    }

    /// `text` up to the earliest occurrence of any of `stops` (all of it when none occurs).
    static func cutAtStop(_ text: String, _ stops: [String]) -> String {
        let first = stops.compactMap { text.range(of: $0)?.lowerBound }.min()
        return first.map { String(text[..<$0]) } ?? text
    }

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

    /// The label words of argument `i` as token ids: one or more tokens each.
    static func labelWords(_ a: Arguments, _ i: Int, _ tokenizer: any TextTokenizer) throws -> [[Int]] {
        let values: [Value]
        if case let .string(s) = a[i] { values = [.string(s)] } else { values = try a.list(i) }
        guard !values.isEmpty else { throw RuntimeFailure(.badArgument(function: "label_logits", "no label words given")) }
        return try values.map { v in
            guard case let .string(w) = v else { throw RuntimeFailure(a.mismatch(i, "a list of strings")) }
            let ids = tokenizer.encode(w, addSpecialTokens: false)
            guard !ids.isEmpty else { throw RuntimeFailure(.badArgument(function: "label_logits", "the label word '\(w)' has no tokens")) }
            return ids
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
}
