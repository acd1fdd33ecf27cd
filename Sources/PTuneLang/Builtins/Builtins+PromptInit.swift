import PTuneCore
import PTuneModels
import PTuneNN

extension BuiltinRegistry {
    /// Prompt tuning's initialisations, PEFT's `PromptTuningInit`: `embedding(n, lm, init: text("…"))` starts the
    /// table at the model's embeddings of a text's tokens, `init: sample_vocab` at the embeddings of tokens drawn from
    /// the vocabulary with the script's seed; without `init:` it is random (`RANDOM`).
    static let promptInits: [Builtin] = [
        Builtin("text", [.required("text", "string")], returns: "init", topic: .nn,
                summary: "prompt tuning's TEXT init, for embedding(n, model, init: …): the model's embeddings of the text's tokens (with its tokenizer's framing tokens, as PEFT tokenizes), cut to n or repeated until n",
                example: "encoder pt = embedding(8, lm, init: text(\"Classify the review:\"))",
                infer: { c in
                    switch c[0] {
                    case .string, .unknown: return textInitType
                    case .none, .number, .dim, .bool, .tensor, .list, .numberList, .range, .record, .function, .builtin, .model, .encoder,
                         .dataset, .optimizer, .schedule:
                        throw Message.wrongKind(context: "'text' argument 'text'", expected: "a string", got: c[0].kindText)
                    }
                },
                run: { a, _ in .record(Record([(initField, .string(textInit)), (textInit, .string(try a.string(0)))])) }),
        Builtin("sample_vocab", [], returns: "init", topic: .nn,
                summary: "prompt tuning's SAMPLE_VOCAB init, for embedding(n, model, init: …): the model's embeddings of n token ids drawn uniformly from its vocabulary with the script's seeded generator (written bare or called)",
                example: "encoder pt = embedding(8, lm, init: sample_vocab)",
                result: .record(RecordType([(initField, .string)])),
                run: { _, _ in .record(Record([(initField, .string(sampleVocabInit))])) }),
    ]

    /// The field an init record names its kind by, and the kinds.
    static let initField = "init", textInit = "text", sampleVocabInit = "sample_vocab"
    /// The static type of `text(…)`.
    static let textInitType = LangType.record(RecordType([(initField, .string), (textInit, .string)]))

    /// Whether a static type is one of the inits (`text(…)`, `sample_vocab`, `sample_vocab()`), or could be one.
    static func isPromptInit(_ t: LangType) -> Bool {
        switch t {
        case .unknown: return true
        case let .builtin(name): return [sampleVocabInit, zeroInit, randomInit].contains(name)
        case let .record(r): return r[initField] != nil
        case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .function, .model, .encoder, .dataset,
             .optimizer, .schedule:
            return false
        }
    }

    /// The static rule of `embedding_encoder`: `dim` is a width or a model; an `init:` needs the model (whose
    /// embeddings and tokenizer it reads) and excludes `table:`.
    static func embeddingEncoderRule(_ c: CallTypes) throws(Message) -> LangType {
        let name = c.name
        switch c[1] {
        case .number, .dim, .model, .unknown: break
        case .none, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin, .encoder, .dataset, .optimizer, .schedule:
            throw .wrongKind(context: "'\(name)' argument 'dim'", expected: "a token width or a model (embedding(8, lm))", got: c[1].kindText)
        }
        guard c.given.count > 3, c.given[3] else { return BuiltinRules.sizedEncoder(c) }
        guard isPromptInit(c[3]), initKind(c[3]) != zeroInit else {
            throw .wrongKind(context: "'\(name)' argument 'init'", expected: "text(\"…\"), sample_vocab or random", got: c[3].kindText)
        }
        switch c[1] {
        case .model, .unknown: break
        case .number, .dim, .none, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin, .encoder, .dataset,
             .optimizer, .schedule:
            throw .badArgument(function: name, "init: reads a model's embeddings, so the second argument must be the model, as in embedding(8, lm, init: text(\"…\")); got \(c[1].kindText)")
        }
        if c.given[2] {
            throw .badArgument(function: name, "give a table or an init, not both")
        }
        return BuiltinRules.sizedEncoder(c)
    }

    /// The embedding encoder of `n` virtual tokens that `init` (argument `i`, a value of `text(…)` or `sample_vocab`)
    /// describes, over the model in argument `modelIndex`.
    static func initializedEmbedding(_ a: Arguments, n: Int, modelIndex: Int, initIndex i: Int, _ m: Machine) throws -> (EmbeddingPromptEncoder, String) {
        let function = a.builtin.messageName
        guard case let .model(mo) = a[modelIndex], let model = mo.frozenModel else {
            throw RuntimeFailure(.badArgument(function: function, "init: reads a model's embeddings, so the second argument must be a model, as in embedding(8, lm, init: text(\"…\")); got \(a[modelIndex].kindText)"))
        }
        guard n > 0 else { throw RuntimeFailure(.badArgument(function: function, "n must be positive, got \(n)")) }
        switch a[i] {
        case let .builtin(b) where b.name == sampleVocabInit:
            return try sampleVocab(mo, model, n: n, m, function)
        case let .builtin(b) where b.name == randomInit:
            let e = try m.withRandom { try EmbeddingPromptEncoder(numVirtualTokens: n, tokenDim: model.tokenDim, dtype: weightDType(m), using: &$0) }
            return (e, "random init")
        case let .record(r):
            guard case let .string(kind)? = r[initField] else { break }
            if kind == sampleVocabInit { return try sampleVocab(mo, model, n: n, m, function) }
            if kind == randomInit {
                let e = try m.withRandom { try EmbeddingPromptEncoder(numVirtualTokens: n, tokenDim: model.tokenDim, dtype: weightDType(m), using: &$0) }
                return (e, "random init")
            }
            guard kind == textInit, case let .string(text)? = r[textInit] else { break }
            guard let tokenizer = (model as? any PretrainedModel)?.textTokenizer else {
                throw RuntimeFailure(.badArgument(function: function, "init: text(…) needs a model with a tokenizer; '\(mo.summary)' has none"))
            }
            let ids = tokenizer.encode(text, addSpecialTokens: true)
            guard !ids.isEmpty else { throw RuntimeFailure(.badArgument(function: function, "the init text \(Value.quote(text)) has no tokens")) }
            let e = try EmbeddingPromptEncoder(numVirtualTokens: n, initializingFromTokens: ids, of: model, text: text,
                                               tokenizer: mo.source)
            return (e, "text init, \(ids.count) tokens")
        case .none, .number, .bool, .string, .tensor, .param, .list, .range, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            break
        }
        throw RuntimeFailure(a.mismatch(i, "text(\"…\"), sample_vocab or random"))
    }

    /// SAMPLE_VOCAB over the model's vocabulary (`m.vocab`).
    private static func sampleVocab(_ mo: ModelObject, _ model: any FrozenModel, n: Int, _ m: Machine,
                                    _ function: String) throws -> (EmbeddingPromptEncoder, String) {
        guard case let .number(v)? = mo.properties.first(where: { $0.0 == "vocab" })?.1, let vocab = Value.exactInt(v), vocab > 0 else {
            throw RuntimeFailure(.badArgument(function: function, "init: sample_vocab needs a model with a vocabulary; '\(mo.summary)' has none"))
        }
        let e = try m.withRandom { try EmbeddingPromptEncoder(numVirtualTokens: n, samplingVocabulary: vocab, of: model, using: &$0) }
        return (e, "sample_vocab init")
    }
}
