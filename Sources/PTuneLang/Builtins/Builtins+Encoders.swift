import Foundation
import PTuneCore
import PTuneNN

extension BuiltinRegistry {
    /// Prompt encoders (PTuneNN's, PEFT-exact where PEFT has them), placing virtual tokens, PEFT export and import.
    /// In an `encoder` declaration the short names work too: `encoder pe = mlp(virtual, embed, hidden: 256)` is
    /// `mlp_encoder(…)`.
    static let encoders: [Builtin] = promptInits + [
        Builtin("embedding_encoder", [.required("n", "int"), .required("dim", "int or model"), .optional("table", "tensor", .none),
                                      .optional("init", "text(…), sample_vocab or random", .none)],
                returns: "encoder", topic: .nn,
                summary: "prompt tuning (Lester et al.; PEFT's PROMPT_TUNING): a trainable [n, dim] table of virtual tokens, random (N(0, 1)), a given table, or with a model as dim started at its embeddings: init: text(\"…\") (the text's tokens) or init: sample_vocab (tokens drawn from the vocabulary)",
                example: "encoder pt = embedding(8, lm, init: text(\"Classify the review:\"))", infer: { c in try embeddingEncoderRule(c) },
                run: { a, m in
                    let n = try a.int(0)
                    if !a.isNone(3) {
                        guard a.isNone(2) else { throw RuntimeFailure(.badArgument(function: a.builtin.messageName, "give a table or an init, not both")) }
                        let (e, how) = try initializedEmbedding(a, n: n, modelIndex: 1, initIndex: 3, m)
                        return .encoder(EncoderObject(e, summary: "embedding(\(n) virtual tokens × \(e.tokenDim), \(how))"))
                    }
                    let d: Int
                    if case let .model(mo) = a[1] {
                        guard let model = mo.frozenModel else { throw RuntimeFailure(a.mismatch(1, "a token width or a model that embeds tokens")) }
                        d = model.tokenDim
                    } else {
                        d = try a.int(1)
                    }
                    let e: EmbeddingPromptEncoder
                    if a.isNone(2) {
                        e = try m.withRandom { try EmbeddingPromptEncoder(numVirtualTokens: n, tokenDim: d, dtype: weightDType(m), using: &$0) }
                    } else {
                        let t = try a.tensor(2)
                        guard t.shape == [n, d] else {
                            throw RuntimeFailure(.badArgument(function: a.builtin.messageName, "table must be [\(n), \(d)], got \(Shape.describe(t.shape))"))
                        }
                        e = try EmbeddingPromptEncoder(table: t)
                    }
                    return .encoder(EncoderObject(e, summary: "embedding(\(n) virtual tokens × \(d))"))
                }),
        Builtin("mlp_encoder", [.required("n", "int"), .required("dim", "int"), .optional("hidden", "int", .none)],
                returns: "encoder", topic: .nn,
                summary: "PEFT's MLP prompt encoder: Embedding(n, dim) → Linear(dim, H) → ReLU → Linear(H, H) → ReLU → Linear(H, dim); H = dim unless given",
                example: "encoder pe = mlp(virtual, embed, hidden: 256)", infer: { c in BuiltinRules.sizedEncoder(c) },
                run: { a, m in
                    let n = try a.int(0), d = try a.int(1), h = try a.optionalInt(2)
                    let e = try m.withRandom { try MLPPromptEncoder(numVirtualTokens: n, tokenDim: d, hiddenSize: h, dtype: weightDType(m), using: &$0) }
                    return .encoder(EncoderObject(e, summary: "mlp(\(n) virtual tokens × \(d), hidden \(h ?? d))"))
                }),
        Builtin("lstm_encoder", [.required("n", "int"), .required("dim", "int"), .optional("hidden", "int", .none),
                                 .optional("layers", "int", .number(2)), .optional("dropout", "number", .number(0))],
                returns: "encoder", topic: .nn,
                summary: "PEFT's LSTM prompt encoder: Embedding → bidirectional LSTM(dim, H) → Linear(2H, 2H) → ReLU → Linear(2H, dim)",
                example: "encoder pe = lstm(virtual, embed, hidden: 128)", infer: { c in BuiltinRules.sizedEncoder(c) },
                run: { a, m in
                    let n = try a.int(0), d = try a.int(1), h = try a.optionalInt(2)
                    let e = try m.withRandom {
                        try LSTMPromptEncoder(numVirtualTokens: n, tokenDim: d, hiddenSize: h, numLayers: try a.int(3),
                                              dropout: try a.number(4), dtype: weightDType(m), using: &$0)
                    }
                    return .encoder(EncoderObject(e, summary: "lstm(\(n) virtual tokens × \(d), hidden \(h ?? d))"))
                }),
        Builtin("scale_encoder", [.receiver("base", .tensor), .optional("scale", "tensor", .none)], returns: "encoder", topic: .nn,
                summary: "the seed notebook's toy: fixed base tokens V0 [n, dim] and a trainable P; the virtual tokens are V0 ⊙ P",
                example: "encoder pe = scale(randn(virtual, embed))", infer: { c in BuiltinRules.scaleEncoder(c) },
                run: { a, m in
                    let base = try a.tensor(0, dtype: m.defaultDType)
                    guard base.rank == 2 else { throw RuntimeFailure(.badArgument(function: a.builtin.messageName, "base must be [n, dim], got \(Shape.describe(base.shape))")) }
                    let e: ScalePromptEncoder = a.isNone(1)
                        ? try m.withRandom { try ScalePromptEncoder(base: base, using: &$0) }
                        : try ScalePromptEncoder(base: base, scale: try a.tensor(1, dtype: base.dtype))
                    return .encoder(EncoderObject(e, summary: "scale(\(base.shape[0]) virtual tokens × \(base.shape[1]))"))
                }),
        Builtin("prompt", [.receiver("encoder", .encoder), .required("x", "tensor"), .optional("template", "string", .none)],
                returns: "tensor", topic: .nn,
                summary: "the encoder's virtual tokens placed among the embeddings x ([T, d] or [B, T, d]; encoded once, shared by the batch): before them, or where a template such as \"<v:3> {x} <v:7>\" says",
                example: "fn predict(x) = head(mean(llm(prompt(pe, x)), axis: 1))",
                infer: { c in
                    guard case let .tensor(t) = c[1], let s = t.shape, s.count >= 2 else { return .tensor(TensorType(shape: nil, dtype: c.defaultDType)) }
                    var out = s
                    out[s.count - 2] = .unknown
                    return .tensor(TensorType(shape: out, dtype: t.dtype))
                },
                run: { a, _ in
                    guard case let .encoder(e) = a[0] else { throw RuntimeFailure(a.mismatch(0, "an encoder")) }
                    if e.kind.isDeep {
                        throw RuntimeFailure(.badArgument(function: "prompt", "a prefix encoder makes keys and values for every attention layer, not input tokens: pass it as encoder: to lm.forward(x, …), label_logits, generate or sentence_embedding"))
                    }
                    if a.isNone(2) { return .tensor(try placeBefore(try e.encode(), try a.tensor(1))) }
                    let placed = try place(try e.encode(), try a.tensor(1), template: try a.string(2))
                    if let t = try? PromptTemplate(try a.string(2)) { e.notePlacement(t, source: try a.string(2)) }
                    return .tensor(placed)
                }),
        Builtin("export_peft", [.receiver("encoder", .encoder), .required("folder", "string"), .optional("task", "string", .string("CAUSAL_LM")),
                                .optional("model", "model", .none), .optional("base_model", "string", .none),
                                .optional("template", "string", .none)],
                returns: "none", topic: .nn,
                summary: "writes a Hugging Face PEFT adapter folder (adapter_model.safetensors with prompt_embeddings, adapter_config.json): PROMPT_TUNING with its init for an embedding encoder, PREFIX_TUNING (the keys and values) for a prefix encoder, P_TUNING for the others; model: fills the base model's name or folder, layers and heads (base_model: names it instead); a placement PEFT cannot express (template:, or one the encoder was used with) is refused",
                example: "export_peft(pe, \"adapter\", model: lm)", result: .none,
                run: { a, m in
                    guard case let .encoder(e) = a[0] else { throw RuntimeFailure(a.mismatch(0, "an encoder")) }
                    let options = try peftOptions(a, e, m)
                    try PEFTAdapter.export(e.encoder, toFolder: try a.string(1), options: options, files: m.files)
                    return .none
                }),
        Builtin("import_peft", [.receiver("folder", .string)], returns: "encoder", topic: .nn,
                summary: "a PEFT adapter folder as an encoder holding its saved prompt (trainable: training it further starts from there): a p-tuning or prompt-tuning adapter as an embedding encoder, a PREFIX_TUNING adapter as a prefix encoder of its keys and values",
                example: "encoder pe = import_peft(\"adapter\")",
                result: .encoder(.unknown),
                run: { a, m in
                    let e = try PEFTAdapter.importAdapter(fromFolder: try a.string(0), dtype: m.defaultDType, files: m.files, trainable: true)
                    if let prefix = e as? PrefixEncoder { return .encoder(EncoderObject(prefix, summary: prefixSummary(prefix))) }
                    return .encoder(EncoderObject(e, summary: "peft(\(e.numVirtualTokens) virtual tokens × \(e.tokenDim))"))
                }),
    ]

    /// Virtual tokens `[n, d]` among embeddings `[T, d]` or `[B, T, d]` as a template says: `<v:k>` takes the next k
    /// tokens, the one field (`{x}`) is the embeddings. Text anchors need a tokenizer, so they are refused here.
    static func place(_ tokens: Tensor, _ x: Tensor, template source: String) throws -> Tensor {
        let template: PromptTemplate
        do { template = try PromptTemplate(source) } catch { throw RuntimeFailure(.badArgument(function: "prompt", "template: \(error)")) }
        guard template.virtualTokenCount == tokens.shape[0] else {
            throw RuntimeFailure(.badArgument(function: "prompt", "the template places \(template.virtualTokenCount) virtual tokens but the encoder makes \(tokens.shape[0])"))
        }
        guard x.rank == 2 || x.rank == 3 else {
            throw RuntimeFailure(.badArgument(function: "prompt", "x must be embeddings [T, d] or [B, T, d], got \(Shape.describe(x.shape))"))
        }
        let v = x.dtype == tokens.dtype ? tokens : try tokens.to(x.dtype)
        var pieces: [Tensor] = []
        var used = 0, fields = 0
        for segment in template.segments {
            switch segment {
            case let .virtual(k):
                let slice = try v.narrowed(axis: 0, start: used, length: k)
                used += k
                pieces.append(x.rank == 2 ? slice : try slice.unsqueezed(axis: 0).broadcasted(to: [x.shape[0]] + slice.shape))
            case .field:
                fields += 1
                pieces.append(x)
            case let .text(t):
                if !t.allSatisfy(\.isWhitespace) {
                    throw RuntimeFailure(.badArgument(function: "prompt", "text anchors (\(Value.quote(t))) need a tokenizer; place embeddings with <v:k> and one {field}"))
                }
            }
        }
        guard fields == 1 else { throw RuntimeFailure(.badArgument(function: "prompt", "the template must name the embeddings once, as {x}; it names \(fields) fields")) }
        return try Tensor.concat(pieces, axis: x.rank - 2)
    }

    /// Virtual tokens `[n, d]` before embeddings `[T, d]` or `[B, T, d]` (broadcast over the batch).
    static func placeBefore(_ tokens: Tensor, _ x: Tensor) throws -> Tensor {
        let v = x.dtype == tokens.dtype ? tokens : try tokens.to(x.dtype)
        switch x.rank {
        case 2:
            return try Tensor.concat([v, x], axis: 0)
        case 3:
            let b = x.shape[0]
            return try Tensor.concat([try v.unsqueezed(axis: 0).broadcasted(to: [b] + v.shape), x], axis: 1)
        default:
            throw RuntimeFailure(.badArgument(function: "prompt", "x must be embeddings [T, d] or [B, T, d], got \(Shape.describe(x.shape))"))
        }
    }
}
