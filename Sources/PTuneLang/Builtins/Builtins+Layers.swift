import PTuneCore
import PTuneNN

extension BuiltinRegistry {
    /// An activation from a script value: a builtin such as `gelu`, or its name as a string.
    static func activation(_ v: Value, _ builtin: String) throws -> Activation {
        let name: String
        switch v {
        case let .builtin(b): name = b.name
        case let .string(s): name = s
        case .none, .number, .bool, .tensor, .param, .list, .range, .record, .function, .model, .encoder, .dataset,
             .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "'\(builtin)' argument 'act'", expected: "an activation such as relu or gelu", got: v.kindText))
        }
        guard let act = Activation(rawValue: name) else {
            throw RuntimeFailure(.badArgument(function: builtin, "unknown activation '\(name)'; use one of \(Activation.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return act
    }

    /// Layer sizes from `a -> b -> c` (a list) or from separate arguments.
    static func sizes(_ a: Arguments, _ i: Int, _ j: Int?) throws -> [Int] {
        if case .list = a[i] { return try a.ints(i) }
        var out = [try a.int(i)]
        if let j, !a.isNone(j) { out.append(try a.int(j)) }
        return out
    }

    /// The float dtype new weights take: the script's.
    static func weightDType(_ m: Machine) -> DType { m.defaultDType }

    static let layers: [Builtin] = [
        Builtin("linear", [.required("in", "int or in -> out"), .optional("out", "int", .none), .optional("bias", "bool", .bool(true))],
                returns: "model", topic: .nn, summary: "a linear layer y = x·Wᵀ + b (W stored [out, in]; PyTorch's default init)",
                example: "model head = linear(embed -> 8) frozen", infer: { c in BuiltinRules.featureModel(BuiltinRules.sizes(c, 0, 1)) },
                run: { a, m in
                    let s = try sizes(a, 0, 1)
                    guard s.count == 2 else { throw RuntimeFailure(.badArgument(function: "linear", "give the sizes as in -> out")) }
                    let l = try m.withRandom { try Linear(s[0], s[1], bias: try a.bool(2), dtype: weightDType(m), using: &$0) }
                    return .model(ModelObject(kind: "linear", summary: "linear(\(s[0]) -> \(s[1]))", layer: l,
                                              properties: [("in", .number(Double(s[0]))), ("out", .number(Double(s[1])))],
                                              shape: ModelShape(input: .features, width: Dim(s[0]), output: Dim(s[1]))))
                }),
        Builtin("mlp", [.required("sizes", "a -> b -> c"), .optional("act", "activation", .string("relu"), "relu"),
                        .optional("residual", "bool", .bool(false)), .optional("bias", "bool", .bool(true))],
                returns: "model", topic: .nn,
                summary: "linear layers through the sizes with an activation between them; residual: x + mlp(x) (in an 'encoder' declaration, mlp(n, d, hidden: H) is the PEFT MLP prompt encoder)",
                example: "model llm = mlp(embed -> 256 -> embed, act: gelu, residual: true) frozen", infer: { c in BuiltinRules.featureModel(BuiltinRules.sizes(c, 0)) },
                run: { a, m in
                    let s = try a.ints(0), act = try activation(a[1], "mlp"), residual = try a.bool(2)
                    if residual, s.first != s.last {
                        throw RuntimeFailure(.badArgument(function: "mlp", "a residual MLP must end at its input size, got \(s.map(String.init).joined(separator: " -> "))"))
                    }
                    let net = try m.withRandom { try MLP(sizes: s, activation: act, bias: try a.bool(3), dtype: weightDType(m), using: &$0) }
                    let summary = "mlp(\(s.map(String.init).joined(separator: " -> ")), act: \(act.rawValue)\(residual ? ", residual: true" : ""))"
                    return .model(ModelObject(kind: "mlp", summary: summary, layer: net, parameters: net.parameters,
                                              properties: [("in", .number(Double(s.first ?? 0))), ("out", .number(Double(s.last ?? 0)))],
                                              shape: ModelShape(input: .features, width: Dim(s.first), output: Dim(s.last)),
                                              forward: residual ? { x in try x + net(x) } : { x in try net(x) }))
                }),
        Builtin("embedding", [.required("count", "int"), .required("dim", "int")], returns: "model", topic: .nn,
                summary: "a lookup table of count rows of dim numbers, called on int64 ids", example: "model table = embedding(vocab, embed)",
                infer: { c in .model(ModelShape(input: .ids, output: BuiltinRules.dim(c, 1))) },
                run: { a, m in
                    let n = try a.int(0), d = try a.int(1)
                    let e = try m.withRandom { try Embedding(n, d, dtype: weightDType(m), using: &$0) }
                    return .model(ModelObject(kind: "embedding", summary: "embedding(\(n), \(d))", layer: e,
                                              properties: [("count", .number(Double(n))), ("dim", .number(Double(d)))],
                                              shape: ModelShape(input: .ids, output: Dim(d))))
                }),
        Builtin("layer_norm", [.required("dim", "int"), .optional("eps", "number", .number(1e-5))], returns: "model", topic: .nn,
                summary: "layer normalisation over the last axis with a learned scale and shift", example: "model norm = layer_norm(embed)",
                infer: { c in BuiltinRules.featureModel([BuiltinRules.dim(c, 0), BuiltinRules.dim(c, 0)]) },
                run: { a, m in
                    let d = try a.int(0)
                    return .model(ModelObject(kind: "layer_norm", summary: "layer_norm(\(d))",
                                              layer: try LayerNorm(d, eps: try a.number(1), dtype: weightDType(m)),
                                              shape: ModelShape(input: .features, width: Dim(d), output: Dim(d))))
                }),
        Builtin("rms_norm", [.required("dim", "int"), .optional("eps", "number", .number(1e-6))], returns: "model", topic: .nn,
                summary: "RMS normalisation over the last axis with a learned scale", example: "model norm = rms_norm(embed)",
                infer: { c in BuiltinRules.featureModel([BuiltinRules.dim(c, 0), BuiltinRules.dim(c, 0)]) },
                run: { a, m in
                    let d = try a.int(0)
                    return .model(ModelObject(kind: "rms_norm", summary: "rms_norm(\(d))", layer: try RMSNorm(d, eps: try a.number(1), dtype: weightDType(m)),
                                              shape: ModelShape(input: .features, width: Dim(d), output: Dim(d))))
                }),
        Builtin("lstm", [.required("in", "int"), .required("hidden", "int"), .optional("layers", "int", .number(1)),
                         .optional("bidirectional", "bool", .bool(false)), .optional("dropout", "number", .number(0))],
                returns: "model", topic: .nn, summary: "a batch-first LSTM over [B, T, in] (multi-layer, optionally bidirectional)",
                example: "model rnn = lstm(embed, 32, layers: 2, bidirectional: true)", result: .model(.unknown),
                run: { a, m in
                    let i = try a.int(0), h = try a.int(1)
                    let l = try m.withRandom {
                        try LSTM(inputSize: i, hiddenSize: h, numLayers: try a.int(2), bidirectional: try a.bool(3),
                                 dropout: try a.number(4), dtype: weightDType(m), using: &$0)
                    }
                    return .model(ModelObject(kind: "lstm", summary: "lstm(\(i), \(h))", layer: l))
                }),
        Builtin("dropout", [.required("p", "number")], returns: "model", topic: .nn,
                summary: "zeroes each element with probability p while training (seeded), scaling the rest by 1/(1-p)",
                example: "model drop = dropout(0.1)", result: .model(.unknown),
                run: { a, m in
                    let p = try a.number(0)
                    let d = try m.withRandom { try Dropout(p, generator: $0.split()) }
                    return .model(ModelObject(kind: "dropout", summary: "dropout(\(Value.format(p)))", layer: d))
                }),
        Builtin("gpt", [.required("vocab", "int"), .required("dim", "int"), .required("layers", "int"), .required("heads", "int"),
                        .required("context", "int")],
                returns: "model", topic: .nn,
                summary: "a small GPT-style causal language model (learned positions, pre-LN blocks); called on int64 ids or on embeddings",
                example: "model lm = gpt(vocab: 64, dim: embed, layers: 2, heads: 4, context: 32) frozen", infer: { c in BuiltinRules.gptModel(c) },
                run: { a, m in
                    let cfg = GPT.Config(vocabSize: try a.int(0), dim: try a.int(1), layers: try a.int(2), heads: try a.int(3), context: try a.int(4))
                    let g = try m.withRandom { try GPT(cfg, dtype: weightDType(m), using: &$0) }
                    return .model(frozenModel(g, kind: "gpt", summary: "gpt(vocab: \(cfg.vocabSize), dim: \(cfg.dim), layers: \(cfg.layers), heads: \(cfg.heads))",
                                              properties: [("vocab", .number(Double(cfg.vocabSize))), ("dim", .number(Double(cfg.dim))),
                                                           ("context", .number(Double(cfg.context)))], vocab: cfg.vocabSize))
                }),
        Builtin("embed", [.receiver("model", .model), .required("ids", "tensor")], returns: "tensor", topic: .nn,
                summary: "a frozen model's embeddings of int64 token ids ([B, T] → [B, T, d])", example: "let e = lm.embed(batch.ids)",
                result: .tensor(.unknown),
                run: { a, _ in
                    guard case let .model(mo) = a[0], let fm = mo.frozenModel else { throw RuntimeFailure(a.mismatch(0, "a model with token embeddings")) }
                    return .tensor(try fm.embed(try a.tensor(1)))
                }),
        Builtin("load_weights", [.required("target", "model or encoder"), .required("tensors", "record"),
                                 .optional("prefix", "string", .string(""))],
                returns: "none", topic: .nn,
                summary: "copies weights into a model or encoder by name (record fields named prefix + parameter name)",
                example: "load_weights(pe, load_tensors(\"w2.safetensors\"), prefix: \"enc.\")", result: .none,
                run: { a, _ in
                    guard case let .record(r) = a[1] else { throw RuntimeFailure(a.mismatch(1, "a record of tensors")) }
                    let prefix = try a.string(2)
                    var state: [String: Tensor] = [:]
                    for (name, v) in zip(r.names, r.values) where name.hasPrefix(prefix) {
                        if let t = v.tensorValue { state[String(name.dropFirst(prefix.count))] = t }
                    }
                    switch a[0] {
                    case let .model(mo): try mo.parameters.load(state)
                    case let .encoder(e): try e.encoder.load(weights: state.filter { k, _ in e.parameters.contains { $0.name == k } },
                                                             buffers: state.filter { k, _ in e.encoder.buffers[k] != nil })
                    case let .param(p):
                        guard let t = state[p.name] ?? (state.count == 1 ? state.values.first : nil) else {
                            throw RuntimeFailure(.badArgument(function: "load_weights", "no tensor named '\(prefix)\(p.name)'"))
                        }
                        try p.assign(t)
                    case .none, .number, .bool, .string, .tensor, .list, .range, .record, .function, .builtin, .dataset,
                         .optimizer, .schedule:
                        throw RuntimeFailure(a.mismatch(0, "a model, an encoder or a param"))
                    }
                    return .none
                }),
    ]

    /// A model value around a PTuneNN frozen model: called on int64 ids it embeds them first; called on float
    /// embeddings it runs from them.
    static func frozenModel(_ fm: any FrozenModel, kind: String, summary: String, properties: [(String, Value)], vocab: Int?) -> ModelObject {
        return ModelObject(kind: kind, summary: summary, layer: fm as? any Layer, frozenModel: fm, parameters: fm.parameters,
                    properties: properties, shape: .frozen(fm, vocab: vocab),
                    forward: { x in
                        let e = x.dtype == .int64 ? try fm.embed(x) : x
                        return try fm.forward(embeddings: e, attentionMask: nil)
                    })
    }
}
