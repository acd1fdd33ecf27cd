import PTuneCore
import PTuneModels
import PTuneNN

extension BuiltinRegistry {
    /// Encoder models (a loaded BERT such as all-MiniLM-L6-v2): mean-pooled sentence embeddings, with or without a
    /// prompt encoder's virtual tokens, for a trainable head on top.
    static let encoderModelBuiltins: [Builtin] = [
        Builtin("sentence_embedding", [.receiver("model", .model), .required("texts", "string or list of strings"),
                                       .optional("encoder", "encoder", .none), .optional("normalize", "bool", .bool(true))],
                returns: "tensor", topic: .models,
                summary: "the sentence embeddings [B, dim] of texts through a BERT model: the last layer's states mean-pooled over each text's own tokens ([CLS] … [SEP], not padding) and L2-normalised unless normalize: false; the encoder's virtual tokens go before [CLS] (as PEFT prepends them), attended to but not pooled, and gradients reach the encoder only",
                example: "let e = sentence_embedding(lm, batch.text, encoder: pe)",
                modelRole: .textEncoder, result: .tensor(TensorType(shape: [.unknown, .unknown], dtype: .float32)),
                run: { a, _ in
                    let bert = try encoderModel(a, 0, "sentence_embedding")
                    let texts = try textList(a, 1)
                    var virtual: Tensor?
                    if case let .encoder(e) = a[2], e.kind.isDeep {
                        do {
                            return .tensor(try bert.sentenceEmbeddings(texts, prefixTable: deepTable(e, bert, "sentence_embedding"),
                                                                       normalize: try a.bool(3)))
                        } catch let e as BERTModel.PromptError {
                            throw RuntimeFailure(.badArgument(function: "sentence_embedding", e.description))
                        }
                    }
                    if !a.isNone(2) {
                        guard case let .encoder(e) = a[2] else { throw RuntimeFailure(a.mismatch(2, "an encoder")) }
                        guard e.dim == bert.tokenDim else {
                            throw RuntimeFailure(.badArgument(function: "sentence_embedding", "the encoder makes tokens of width \(e.dim) but the model embeds \(bert.tokenDim)"))
                        }
                        virtual = try e.encode()
                    }
                    let normalize = try a.bool(3)
                    do {
                        return .tensor(try bert.sentenceEmbeddings(texts, virtualTokens: virtual, normalize: normalize))
                    } catch let e as BERTModel.PromptError {
                        throw RuntimeFailure(.badArgument(function: "sentence_embedding", e.description))
                    }
                }),
    ]

    /// The BERT model (with its tokenizer) in argument `i`.
    static func encoderModel(_ a: Arguments, _ i: Int, _ builtin: String) throws -> BERTModel {
        guard case let .model(mo) = a[i], let bert = mo.frozenModel as? BERTModel else {
            if case let .model(mo) = a[i], mo.frozenModel is DecoderModel {
                throw RuntimeFailure(.badArgument(function: builtin, "'\(mo.summary)' is a causal language model; '\(builtin)' needs a BERT encoder (load(\"minilm-l6\")): score a causal model with label_logits"))
            }
            throw RuntimeFailure(a.mismatch(i, "a BERT encoder model (load(\"minilm-l6\"))"))
        }
        guard bert.tokenizer != nil else {
            throw RuntimeFailure(.badArgument(function: builtin, "the model '\(mo.summary)' has no tokenizer"))
        }
        return bert
    }

    /// Argument `i` as texts: one string, or a list of strings.
    static func textList(_ a: Arguments, _ i: Int) throws -> [String] {
        switch a[i] {
        case let .string(s): return [s]
        case let .list(items):
            return try items.map { v in
                guard case let .string(s) = v else { throw RuntimeFailure(a.mismatch(i, "a list of strings")) }
                return s
            }
        case .none, .number, .bool, .tensor, .param, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            throw RuntimeFailure(a.mismatch(i, "a string or a list of strings"))
        }
    }
}
