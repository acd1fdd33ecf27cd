import Foundation
import PTuneCore

/// Reading a Hugging Face `tokenizer.json`.
extension HFTokenizer {
    /// The tokenizer a `tokenizer.json` describes. A component ptune does not implement (the Unigram model, a
    /// SentencePiece character map) is a ``TokenizerError`` naming it.
    public convenience init(json data: Data) throws {
        let root: JSONValue, vocabObject: [(key: String, value: JSONValue)]
        do { (root, vocabObject) = try JSONValue.parse(data, entriesAt: ["model", "vocab"]) } catch {
            throw TokenizerError.invalidVocabulary("tokenizer.json is not valid JSON: \(error)")
        }
        guard let modelJSON = root["model"], modelJSON.objectValue != nil else {
            throw TokenizerError.invalidVocabulary("tokenizer.json has no 'model'")
        }
        let type = modelJSON["type"]?.stringValue ?? (modelJSON["merges"] != nil ? "BPE" : "")
        guard modelJSON["vocab"]?.objectValue != nil else {
            throw TokenizerError.unsupportedModel(type.isEmpty ? "a model without a vocabulary" : "model '\(type)'")
        }
        var vocab: [TokenKey: Int] = [:]
        vocab.reserveCapacity(vocabObject.count)
        for (token, v) in vocabObject {
            guard let id = v.intValue, id >= 0, id < Int(Int32.max) else {
                throw TokenizerError.invalidVocabulary("the id of '\(token)' is not a valid id")
            }
            vocab[TokenKey(token)] = id
        }
        func unknownId(_ key: String) throws -> Int? {
            guard let u = modelJSON[key]?.stringValue else { return nil }
            guard let id = vocab[TokenKey(u)] else { throw TokenizerError.invalidVocabulary("unknown token '\(u)' is not in the vocabulary") }
            return id
        }
        let model: TokenizerModel
        switch type {
        case "BPE":
            var merges: [(String, String)] = []
            for m in modelJSON["merges"]?.arrayValue ?? [] {
                if let s = m.stringValue {
                    let parts = s.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                    guard parts.count == 2 else { throw TokenizerError.invalidVocabulary("merge '\(s)' is not two tokens") }
                    merges.append((String(parts[0]), String(parts[1])))
                } else if let pair = m.arrayValue, pair.count == 2, let a = pair[0].stringValue, let b = pair[1].stringValue {
                    merges.append((a, b))
                } else {
                    throw TokenizerError.invalidVocabulary("a merge is neither \"a b\" nor [\"a\", \"b\"]")
                }
            }
            if let d = modelJSON["dropout"], let p = d.doubleValue, p > 0 {
                throw TokenizerError.unsupportedModel("BPE with dropout \(p)")
            }
            model = .bpe(try BPEModel(
                vocab: vocab, merges: merges, unknown: modelJSON["unk_token"]?.stringValue,
                byteFallback: modelJSON["byte_fallback"]?.boolValue ?? false, fuseUnknown: modelJSON["fuse_unk"]?.boolValue ?? false,
                ignoreMerges: modelJSON["ignore_merges"]?.boolValue ?? false,
                prefix: modelJSON["continuing_subword_prefix"]?.stringValue ?? "", suffix: modelJSON["end_of_word_suffix"]?.stringValue ?? ""))
        case "WordPiece":
            guard let unk = try unknownId("unk_token") else { throw TokenizerError.invalidVocabulary("WordPiece needs an unknown token") }
            model = .wordPiece(WordPieceModel(vocab: vocab, unknown: unk,
                                              prefix: Array((modelJSON["continuing_subword_prefix"]?.stringValue ?? "##").utf8),
                                              maxChars: modelJSON["max_input_chars_per_word"]?.intValue ?? 100))
        case "WordLevel":
            model = .wordLevel(vocab: vocab, unknown: try unknownId("unk_token"))
        default:
            throw TokenizerError.unsupportedModel("model '\(type)'")
        }

        var added: [AddedToken] = []
        for a in root["added_tokens"]?.arrayValue ?? [] {
            guard let id = a["id"]?.intValue, id >= 0, id < Int(Int32.max), let content = a["content"]?.stringValue, !content.isEmpty else {
                throw TokenizerError.invalidVocabulary("an added token needs an id and non-empty content")
            }
            added.append(AddedToken(id: id, content: content, special: a["special"]?.boolValue ?? false,
                                    scalars: Array(content.unicodeScalars), singleWord: a["single_word"]?.boolValue ?? false,
                                    leftStrip: a["lstrip"]?.boolValue ?? false, rightStrip: a["rstrip"]?.boolValue ?? false,
                                    normalized: a["normalized"]?.boolValue ?? !(a["special"]?.boolValue ?? false)))
        }
        func optional<T>(_ key: String, _ make: (JSONValue) throws -> T) throws -> T? {
            guard let v = root[key], !v.isNull else { return nil }
            return try make(v)
        }
        var idOf: [String: Int] = [:]
        for (k, v) in vocab { idOf[String(decoding: k.bytes, as: UTF8.self)] = v }
        for a in added { idOf[a.content] = a.id }
        let framing = try optional("post_processor") { try HFTokenizer.framing($0, idOf) } ?? ([], [])
        try self.init(vocab: vocab, added: added,
                      normalizer: try optional("normalizer", TokenizerNormalizer.init(json:)),
                      preTokenizer: try optional("pre_tokenizer", TokenizerPreTokenizer.init(json:)),
                      model: model, decoder: try optional("decoder", TokenizerDecoder.init(json:)), framing: framing)
    }

    /// The ids a post-processor puts around a single sequence.
    static func framing(_ json: JSONValue, _ idOf: [String: Int]) throws -> (before: [Int], after: [Int]) {
        let type = json["type"]?.stringValue ?? ""
        func pair(_ key: String) throws -> Int {
            guard let p = json[key]?.arrayValue, p.count == 2, let id = p[1].intValue else {
                throw TokenizerError.unsupportedModel("post-processor \(type) without '\(key)'")
            }
            return id
        }
        switch type {
        case "BertProcessing", "RobertaProcessing":
            return ([try pair("cls")], [try pair("sep")])
        case "ByteLevel":
            return ([], [])
        case "TemplateProcessing":
            guard let single = json["single"]?.arrayValue else { throw TokenizerError.unsupportedModel("TemplateProcessing without 'single'") }
            var before: [Int] = [], after: [Int] = [], seenSequence = false
            for piece in single {
                if piece["Sequence"] != nil { seenSequence = true; continue }
                guard let name = piece["SpecialToken"]?["id"]?.stringValue else {
                    throw TokenizerError.unsupportedModel("TemplateProcessing piece \(piece.serialized())")
                }
                let ids: [Int]
                if let listed = json["special_tokens"]?[name]?["ids"]?.arrayValue {
                    ids = listed.compactMap(\.intValue)
                } else if let id = idOf[name] {
                    ids = [id]
                } else {
                    throw TokenizerError.invalidVocabulary("template token '\(name)' is not in the vocabulary")
                }
                if seenSequence { after += ids } else { before += ids }
            }
            return (before, after)
        case "Sequence":
            var before: [Int] = [], after: [Int] = []
            for p in json["processors"]?.arrayValue ?? [] {
                let (b, a) = try framing(p, idOf)
                before = b + before; after += a
            }
            return (before, after)
        default:
            throw TokenizerError.unsupportedModel("post-processor '\(type)'")
        }
    }
}
