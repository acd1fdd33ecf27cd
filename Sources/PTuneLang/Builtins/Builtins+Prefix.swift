import PTuneCore
import PTuneModels
import PTuneNN

extension BuiltinRegistry {
    /// Prefix tuning / P-tuning v2: an encoder of keys and values for every attention layer of a frozen model
    /// (PEFT's `PREFIX_TUNING`), its inits, and running a model with any encoder.
    static let prefixBuiltins: [Builtin] = [
        Builtin("prefix_encoder", [.required("n", "int"), .required("model", "model"), .optional("projection", "int", .none),
                                   .optional("init", "random, zero or text(…)", .none)],
                returns: "encoder", topic: .nn,
                summary: "prefix tuning / P-tuning v2 (PEFT's PREFIX_TUNING): n trainable key and value vectors for every attention layer of the model ([n, layers·2·kv_dim], kv_dim = key/value heads × head width), attended to before the real tokens, which then start at position n; projection: H reparameterises them as PEFT's prefix_projection (Embedding → Linear(kv_dim, H) → Tanh → Linear(H, layers·2·kv_dim)); init: random (default), zero, or text(\"…\") (the keys and values the model computes for the text's first n tokens)",
                example: "encoder deep = prefix(20, lm, projection: 512)", infer: { c in try prefixEncoderRule(c) },
                run: { a, m in
                    let function = a.builtin.messageName
                    let n = try a.int(0)
                    guard case let .model(mo) = a[1], let model = mo.frozenModel else {
                        throw RuntimeFailure(a.mismatch(1, "a model with attention layers (load(…) or gpt(…))"))
                    }
                    guard let layout = model.prefixLayout else {
                        throw RuntimeFailure(.badArgument(function: function, "'\(mo.summary)' has no attention layers for a prefix"))
                    }
                    guard n > 0 else { throw RuntimeFailure(.badArgument(function: function, "n must be positive, got \(n)")) }
                    let projection = try a.optionalInt(2)
                    if let h = projection, h <= 0 {
                        throw RuntimeFailure(.badArgument(function: function, "projection must be positive, got \(h)"))
                    }
                    let start = try prefixInit(a, 3)
                    let e: PrefixEncoder
                    if case let .text(text) = start {
                        guard projection == nil else {
                            throw RuntimeFailure(.badArgument(function: function, "init: text(…) sets the keys and values themselves, so it takes no projection"))
                        }
                        let table = try prefill(model, mo, text: text, n: n, function)
                        e = try PrefixEncoder(table: table.to(weightDType(m)), layout: layout, text: text)
                    } else {
                        e = try m.withRandom {
                            try PrefixEncoder(numVirtualTokens: n, layout: layout, projection: projection, initialization: start,
                                              dtype: weightDType(m), using: &$0)
                        }
                    }
                    return .encoder(EncoderObject(e, summary: prefixSummary(e)))
                }),
        Builtin("zero", [], returns: "init", topic: .nn,
                summary: "the prefix encoders' zero init, for prefix(n, model, init: …): every key and value starts at 0 (PEFT's init_weights=\"zero\"; with a projection its last layer is zeroed)",
                example: "encoder deep = prefix(20, lm, init: zero)",
                result: .record(RecordType([(initField, .string)])),
                run: { _, _ in .record(Record([(initField, .string(zeroInit))])) }),
        Builtin("random", [], returns: "init", topic: .nn,
                summary: "the default init of prompt and prefix encoders, written out: a table drawn N(0, 1) (projection layers as PyTorch draws them) with the script's seed",
                example: "encoder deep = prefix(20, lm, init: random)",
                result: .record(RecordType([(initField, .string)])),
                run: { _, _ in .record(Record([(initField, .string(randomInit))])) }),
        Builtin("forward", [.receiver("model", .model), .required("x", "tensor"), .optional("encoder", "encoder", .none),
                            .optional("mask", "tensor", .none)],
                returns: "tensor", topic: .models,
                summary: "the model's output for int64 ids or embeddings x ([T] / [T, d] or batched), after the encoder when given: a prefix encoder's keys and values enter every attention layer (the tokens then start at its length), another encoder's virtual tokens go first; mask ([T] or [B, T], 0 at padding, as tokenize(…, padding: true) gives it) leaves padded positions out (their outputs are 0)",
                example: "let logits = lm.forward(ids, encoder: deep)", infer: { c in try BuiltinRules.forwardRule(c) },
                run: { a, _ in
                    guard case let .model(mo) = a[0] else { throw RuntimeFailure(a.mismatch(0, "a model")) }
                    let x = try a.tensor(1)
                    guard !a.isNone(2) || !a.isNone(3) else { return .tensor(try mo.forward(x)) }
                    guard let model = mo.frozenModel else { throw RuntimeFailure(a.mismatch(0, "a model that embeds tokens")) }
                    let single = x.rank == (x.dtype == .int64 ? 1 : 2)
                    let batched = single ? try x.unsqueezed(axis: 0) : x
                    let embeddings = batched.dtype == .int64 ? try model.embed(batched) : batched
                    var mask: Tensor? = nil
                    if !a.isNone(3) {
                        let given = try a.tensor(3, dtype: .int64)
                        let m = single && given.rank == 1 ? try given.unsqueezed(axis: 0) : given
                        guard embeddings.rank == 3, m.shape == Array(embeddings.shape.prefix(2)) else {
                            throw RuntimeFailure(.badArgument(function: "forward", "the mask \(Shape.describe(given.shape)) does not match the input's positions \(Shape.describe(Array(x.shape.prefix(single ? 1 : 2))))"))
                        }
                        mask = m
                    }
                    let out: Tensor
                    if case let .encoder(e) = a[2] {
                        if e.kind.isDeep {
                            out = try model.forward(embeddings: embeddings, attentionMask: mask, prefix: deepPrefix(e, model, "forward"))
                        } else {
                            guard e.dim == model.tokenDim else {
                                throw RuntimeFailure(.badArgument(function: "forward", "the encoder makes tokens of width \(e.dim) but the model embeds \(model.tokenDim)"))
                            }
                            let tokens = try e.encode()
                            // The virtual tokens are real positions: the mask grows by ones before the given one.
                            let full = try mask.map { m in
                                try Tensor.concat([Tensor.ones([m.shape[0], tokens.shape[0]], dtype: m.dtype), m], axis: 1)
                            }
                            out = try model.forward(embeddings: placeBefore(tokens, embeddings), attentionMask: full)
                        }
                    } else if a.isNone(2) {
                        out = try model.forward(embeddings: embeddings, attentionMask: mask)
                    } else {
                        throw RuntimeFailure(a.mismatch(2, "an encoder"))
                    }
                    return .tensor(single ? try out.squeezed(axis: 0) : out)
                }),
    ]

    /// The init kinds of prefix encoders.
    static let zeroInit = "zero", randomInit = "random"

    /// `prefix(20 positions × 30 layers × 2 × 192, projection 512)`
    static func prefixSummary(_ e: PrefixEncoder) -> String {
        var s = "prefix(\(e.numVirtualTokens) positions × \(e.layout)"
        if let h = e.projection { s += ", projection \(h)" }
        switch e.initialization {
        case .random: break
        case .zero: s += ", zero init"
        case .text: s += ", text init"
        }
        if e.isInferenceOnly { s += ", inference only" }
        return s + ")"
    }

    /// The static rule of `prefix_encoder`: the second argument is a model; `init:` is `random`, `zero` or
    /// `text(…)`, and a text init excludes a projection.
    static func prefixEncoderRule(_ c: CallTypes) throws(Message) -> LangType {
        switch c[1] {
        case .model, .unknown: break
        case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin, .encoder, .dataset,
             .optimizer, .schedule:
            throw .wrongKind(context: "'\(c.name)' argument 'model'", expected: "a model with attention layers (prefix(20, lm))", got: c[1].kindText)
        }
        if let n = BuiltinRules.constant(c[0]), n <= 0 { throw .badArgument(function: c.name, "n must be positive, got \(n)") }
        if c.given.count > 2, c.given[2], let h = BuiltinRules.constant(c[2]), h <= 0 {
            throw .badArgument(function: c.name, "projection must be positive, got \(h)")
        }
        guard c.given.count > 3, c.given[3] else { return BuiltinRules.prefixEncoder(c) }
        let kind = initKind(c[3])
        guard isPromptInit(c[3]), kind != sampleVocabInit else {
            throw .wrongKind(context: "'\(c.name)' argument 'init'", expected: "random, zero or text(\"…\")", got: c[3].kindText)
        }
        if kind == textInit, c.given[2], c[2] != .none {
            throw .badArgument(function: c.name, "init: text(…) sets the keys and values themselves, so it takes no projection")
        }
        return BuiltinRules.prefixEncoder(c)
    }

    /// The init an `init:` type names, when the checker can tell.
    static func initKind(_ t: LangType) -> String? {
        switch t {
        case let .builtin(name): return name
        case let .record(r): return r[textInit] != nil ? textInit : nil
        case .unknown, .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .function, .model, .encoder, .dataset,
             .optimizer, .schedule:
            return nil
        }
    }

    /// The prefix init in argument `i` (random when none is given).
    static func prefixInit(_ a: Arguments, _ i: Int) throws -> PrefixInit {
        if a.isNone(i) { return .random }
        var kind: String?, text: String?
        switch a[i] {
        case let .builtin(b): kind = b.name
        case let .record(r):
            if case let .string(k)? = r[initField] { kind = k }
            if case let .string(t)? = r[textInit] { text = t }
        case .none, .number, .bool, .string, .tensor, .param, .list, .range, .function, .model, .encoder, .dataset,
             .optimizer, .schedule:
            break
        }
        switch kind {
        case zeroInit?: return .zero
        case randomInit?: return .random
        case textInit?: if let text { return .text(text) }
        default: break
        }
        throw RuntimeFailure(a.mismatch(i, "random, zero or text(\"…\")"))
    }

    /// The first `n` rows of the keys and values `model` computes for `text` (its tokens framed as the tokenizer
    /// frames them, as PEFT tokenizes a prompt-tuning init text).
    static func prefill(_ model: any FrozenModel, _ mo: ModelObject, text: String, n: Int, _ function: String) throws -> Tensor {
        let table: Tensor
        if let bert = model as? BERTModel {
            guard bert.tokenizer != nil else {
                throw RuntimeFailure(.badArgument(function: function, "init: text(…) needs a model with a tokenizer; '\(mo.summary)' has none"))
            }
            table = try bert.prefillTable(text)
        } else if let lm = model as? DecoderModel, let tokenizer = lm.tokenizer {
            table = try lm.prefillTable(Array(tokenizer.encode(text, addSpecialTokens: true).prefix(n)))
        } else {
            throw RuntimeFailure(.badArgument(function: function, "init: text(…) needs a model with a tokenizer; '\(mo.summary)' has none"))
        }
        let k = table.shape[0]
        guard k >= n else {
            throw RuntimeFailure(.badArgument(function: function, "the init text \(Value.quote(text)) is \(k) tokens, fewer than the prefix's \(n) positions: give a longer text or a smaller n"))
        }
        return k == n ? table : try table.narrowed(axis: 0, start: 0, length: n)
    }

    /// The keys and values of prefix encoder `e` for `model`, checked against its layers and key/value width.
    static func deepPrefix(_ e: EncoderObject, _ model: any FrozenModel, _ function: String) throws -> DeepPrefix {
        try DeepPrefix(table: deepTable(e, model, function), layout: model.prefixLayout ?? PrefixLayout(layers: 1, kvWidth: 1))
    }

    /// The flat key/value table of prefix encoder `e` (run once), checked against `model`'s layers and key/value
    /// width.
    static func deepTable(_ e: EncoderObject, _ model: any FrozenModel, _ function: String) throws -> Tensor {
        guard let p = e.encoder as? PrefixEncoder else { throw RuntimeFailure(.badArgument(function: function, "the encoder is not a prefix encoder")) }
        guard let layout = model.prefixLayout else {
            throw RuntimeFailure(.badArgument(function: function, "the model has no attention layers for a prefix encoder"))
        }
        guard p.layout == layout else {
            throw RuntimeFailure(.badArgument(function: function, "the prefix encoder was made for \(p.layout), the model has \(layout)"))
        }
        let t = try e.encode()
        return t.dtype == model.dtype ? t : try t.to(model.dtype)
    }
}
