import Foundation
import PTuneCore
import PTuneModels
import PTuneNN

extension BuiltinRegistry {
    /// Pretrained models and tokenizers (PTuneModels): `load("smollm2-135m")`, `tokenize(…)`, `detokenize(…)`,
    /// `cached(…)`, the causal-LM builtins `label_logits(…)` and `generate(…)`, and the encoder-model builtin
    /// `sentence_embedding(…)`. Each entry documents itself like
    /// every other builtin; `ptune`'s `:help models` lists them.
    static let modelBuiltins: [Builtin] = pretrainedBuiltins + llmBuiltins + encoderModelBuiltins

    static let pretrainedBuiltins: [Builtin] = [
        Builtin("load", [.receiver("name", .string), .optional("frozen", "bool", .bool(true)), .optional("dtype", "string", .none)],
                returns: "model", topic: .models,
                summary: "a pretrained model by name ('smollm2-135m', 'minilm-l6', 'gemma3-270m': downloaded by scripts/fetch-models), a path to a .gguf or .safetensors file, or a Hugging Face model folder (config.json, safetensors weights, tokenizer.json); frozen unless frozen: false. A GGUF file's weights stay in their quantized blocks; dtype: \"float32\" decodes them all at load (the same values, 4 bytes each)",
                example: "model lm = load(\"smollm2-135m\")", result: .model(ModelShape(input: .tokens)),
                run: { a, m in
                    let request = try a.string(0)
                    let registry = ModelRegistry()
                    // A name is looked up in the registry (an unknown one lists the known names) and may read its
                    // own folder of the cache; a path obeys the script's file access. Either way every file the
                    // load opens — weights, configuration, vocabulary, tokenizer, shards — is checked by it.
                    var access = m.fileAccess
                    let target: String
                    var origin: String?
                    if let known = ModelRegistry.known.first(where: { $0.name == request }) {
                        target = request
                        origin = known.repository
                        access.allowReading(registry.folder(of: known))
                    } else if ModelRegistry.isPath(request) || FileManager.default.fileExists(atPath: (m.directory ?? FileManager.default.currentDirectoryPath) + "/" + request) {
                        // A bare folder name is a path too when it names something beside the script.
                        target = try m.resolve(request, forWriting: false)
                        // transformers loads a folder, or the folder of a .safetensors file; not a GGUF file.
                        if !target.hasSuffix(".gguf") {
                            origin = target.hasSuffix(".safetensors") ? (target as NSString).deletingLastPathComponent : target
                        }
                    } else {
                        target = request
                    }
                    let storage: WeightStorage
                    if a.isNone(2) { storage = m.options.modelStorage } else {
                        let name = try a.string(2)
                        guard let s = WeightStorage(dtypeName: name) else {
                            throw RuntimeFailure(.badArgument(function: "load", "dtype must be \"float32\" (decode every weight) or \"stored\" (keep the file's blocks), got \(Value.quote(name))"))
                        }
                        storage = s
                    }
                    let model = try registry.load(target, frozen: try a.bool(1), storage: storage, access: access)
                    let object = pretrainedModel(model, name: request)
                    object.origin = origin
                    return .model(object)
                }),
        Builtin("tokenize", [.receiver("model", .model), .required("text", "string or list of strings"),
                             .optional("special", "bool", .bool(false)), .optional("padding", "bool", .bool(false)),
                             .optional("padding_side", "string", .string("right"))],
                returns: "tensor, or {ids, mask}", topic: .models,
                summary: "the token ids (int64) of text with the model's own tokenizer; special: true adds its framing tokens ([CLS] … [SEP] for BERT; SmolLM2 adds none). A list of texts (or padding: true) gives a record: ids [B, T] padded with the model's pad token on the padding_side (\"right\" or \"left\") and mask [B, T] (1 at real tokens, 0 at padding), for lm.forward(lm.embed(t.ids), mask: t.mask)",
                example: "let t = tokenize(lm, [\"a short one\", \"and a longer text\"], padding: true)",
                modelRole: .tokenizer, infer: tokenizeRule,
                run: { a, _ in
                    let tokenizer = try textTokenizer(a, 0, "tokenize")
                    let special = try a.bool(2), padding = try a.bool(3)
                    if case let .string(text) = a[1], !padding {
                        let ids = tokenizer.encode(text, addSpecialTokens: special)
                        return .tensor(try Tensor(shape: [ids.count], scalars: ids.map(Int64.init)))
                    }
                    let side = try a.string(4)
                    guard side == "right" || side == "left" else {
                        throw RuntimeFailure(.badArgument(function: "tokenize", "padding_side must be \"right\" or \"left\", got \(Value.quote(side))"))
                    }
                    let sequences = try textList(a, 1).map { tokenizer.encode($0, addSpecialTokens: special) }
                    guard !sequences.isEmpty else { throw RuntimeFailure(.badArgument(function: "tokenize", "no texts given")) }
                    let lengths = sequences.map(\.count), t = lengths.max() ?? 0
                    if !padding && Set(lengths).count > 1 {
                        throw RuntimeFailure(.badArgument(function: "tokenize", "the texts have different lengths (\(lengths.map(String.init).joined(separator: ", ")) tokens): pass padding: true for ids of one width and a mask"))
                    }
                    guard case let .model(mo) = a[0] else { throw RuntimeFailure(a.mismatch(0, "a model")) }
                    let pad = Int64(padToken(mo))
                    var ids = [Int64](repeating: pad, count: sequences.count * t), mask = [Int64](repeating: 0, count: sequences.count * t)
                    for (i, s) in sequences.enumerated() {
                        let offset = side == "left" ? t - s.count : 0
                        for (j, id) in s.enumerated() { ids[i * t + offset + j] = Int64(id); mask[i * t + offset + j] = 1 }
                    }
                    return .record(Record([("ids", .tensor(try Tensor(shape: [sequences.count, t], scalars: ids))),
                                           ("mask", .tensor(try Tensor(shape: [sequences.count, t], scalars: mask)))]))
                }),
        Builtin("detokenize", [.receiver("model", .model), .required("ids", "tensor")], returns: "string", topic: .models,
                summary: "the text of token ids with the model's own tokenizer", example: "print detokenize(lm, tokenize(lm, \"hello\"))",
                modelRole: .tokenizer, result: .string,
                run: { a, _ in
                    let tokenizer = try textTokenizer(a, 0, "detokenize")
                    return .string(try tokenizer.decode(try a.tensor(1).ints))
                }),
        Builtin("cached", [.receiver("path", .string)], returns: "string", topic: .models,
                summary: "the path of a file in ptune's download cache ($PTUNE_HOME, default ~/.cache/ptune: where scripts/fetch-models and scripts/fetch-data write), which the script may then read (not write)",
                example: "data train = read_jsonl(cached(\"data/reviews/train.jsonl\"))", result: .string,
                run: { a, m in
                    let home = ModelRegistry().home
                    let relative = try a.string(0)
                    guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else {
                        throw RuntimeFailure(.badArgument(function: "cached", "'\(relative)' must be a path inside the cache, relative to \(home)"))
                    }
                    let path = home + "/" + relative
                    guard FileManager.default.fileExists(atPath: path) else {
                        let script = relative.hasPrefix("models/") ? "scripts/fetch-models" : "scripts/fetch-data"
                        throw RuntimeFailure(.badArgument(function: "cached", "\(path) does not exist: run \(script)"))
                    }
                    m.fileAccess.allowReading(home)
                    return .string(try m.resolve(path, forWriting: false))
                }),
    ]

    /// A loaded pretrained model as a script value: its forward maps token ids (int64) or embeddings, `[T, …]` or
    /// `[B, T, …]`, to the model's outputs; `m.dim`, `m.vocab`, `m.architecture` (and `m.layers`, `m.context` for
    /// a decoder) describe it.
    static func pretrainedModel(_ model: any PretrainedModel, name: String) -> ModelObject {
        var properties: [(String, Value)] = [("dim", .number(Double(model.tokenDim))), ("architecture", .string(model.architecture))]
        if let v = model.textTokenizer?.vocabularySize { properties.append(("vocab", .number(Double(v)))) }
        var summary = "\(name) (\(model.architecture), dim \(model.tokenDim)"
        var quantized = 0
        if let lm = model as? DecoderModel {
            properties += [("layers", .number(Double(lm.config.layers))), ("context", .number(Double(lm.config.contextLength)))]
            summary += ", \(lm.config.layers) layers, \(lm.weights.formatNames.joined(separator: "+")) weights"
            quantized = lm.weights.elementCount - model.parameters.parameterCount
        }
        return ModelObject(kind: model.architecture, summary: summary + ")", frozenModel: model, parameters: model.parameters,
                           properties: properties, source: name, frozenWeightCount: quantized,
                           shape: .frozen(model, vocab: model is DecoderModel ? model.textTokenizer?.vocabularySize : nil),
                           forward: { x in
                               let single = x.rank == (x.dtype == .int64 ? 1 : 2)
                               let batched = single ? try x.unsqueezed(axis: 0) : x
                               let e = batched.dtype == .int64 ? try model.embed(batched) : batched
                               let out = try model.forward(embeddings: e, attentionMask: nil)
                               return single ? try out.squeezed(axis: 0) : out
                           })
    }

    /// `tokenize` gives ids `[T]` for one text, a record of ids and mask `[B, T]` for a list or with padding.
    static func tokenizeRule(_ c: CallTypes) throws(Message) -> LangType {
        let batch = TensorType(shape: [.unknown, .unknown], dtype: .int64)
        let record = LangType.record(RecordType([("ids", .tensor(batch)), ("mask", .tensor(batch))]))
        let padding = c.given.indices.contains(3) && c.given[3]
        switch c[1] {
        case .list: return record
        case .string where !padding: return .tensor(TensorType(shape: [.unknown], dtype: .int64))
        case .string, .unknown: return .unknown
        case .none, .number, .dim, .bool, .tensor, .numberList, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            throw .wrongKind(context: "'tokenize' argument 'text'", expected: "a string or a list of strings", got: c[1].kindText)
        }
    }

    /// The id a model pads with: a decoder's pad token, BERT's `[PAD]`, else 0 (masked out either way).
    static func padToken(_ mo: ModelObject) -> Int {
        if let lm = mo.frozenModel as? DecoderModel { return lm.config.padToken }
        if let bert = mo.frozenModel as? BERTModel, let t = bert.tokenizer { return t.padId }
        return 0
    }

    /// The tokenizer of the model in argument `i`.
    static func textTokenizer(_ a: Arguments, _ i: Int, _ builtin: String) throws -> any TextTokenizer {
        guard case let .model(mo) = a[i], let pm = mo.frozenModel as? any PretrainedModel else {
            throw RuntimeFailure(a.mismatch(i, "a pretrained model (load(…))"))
        }
        guard let t = pm.textTokenizer else {
            throw RuntimeFailure(.badArgument(function: builtin, "the model '\(mo.summary)' has no tokenizer"))
        }
        return t
    }
}

extension ModelObject {
    /// What this model can do for the builtins that need a particular kind of model.
    var roles: Set<ModelRole> {
        var out: Set<ModelRole> = []
        if let lm = frozenModel as? DecoderModel {
            out.insert(.causalLM)
            if lm.tokenizer != nil { out.insert(.tokenizer) }
        }
        if frozenModel is BERTModel { out.insert(.textEncoder) }
        if let pm = frozenModel as? any PretrainedModel, pm.textTokenizer != nil { out.insert(.tokenizer) }
        return out
    }
}
