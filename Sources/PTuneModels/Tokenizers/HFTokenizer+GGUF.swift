import PTuneCore

/// Building the SentencePiece BPE tokenizer of a GGUF file whose `tokenizer.ggml.model` is `llama` (Gemma's,
/// Llama-2's), the way transformers builds it from the same metadata, so ids equal the `tokenizers` library's.
///
/// The file lists no merges: they are recovered from the vocabulary (every split of a token into two tokens is a
/// merge), ranked by score — or, for Gemma, whose scores do not follow its merge order, by position. Characters
/// outside the vocabulary fall back to their UTF-8 bytes (`<0x41>`); control tokens (type 3) are special added
/// tokens and user-defined ones (type 4) plain added tokens, both matched whole.
extension HFTokenizer {
    /// llama.cpp's token types.
    static let controlType = 3, userDefinedType = 4

    /// The tokenizer of `gguf` (`tokenizer.ggml.model` must be `llama`).
    public static func sentencePiece(gguf: GGUFFile) throws -> HFTokenizer {
        let kind = try gguf.string("tokenizer.ggml.model")
        guard kind == "llama" else { throw TokenizerError.unsupportedModel(kind) }
        let arch = gguf.metadata["general.architecture"]?.string ?? ""
        let gemma = arch.hasPrefix("gemma")
        var tokens = try gguf.strings("tokenizer.ggml.tokens")
        guard !tokens.isEmpty, tokens.count < Int(Int32.max) else { throw TokenizerError.invalidVocabulary("\(tokens.count) tokens") }
        let types = gguf.metadata["tokenizer.ggml.token_type"] == nil ? [] : try gguf.ints("tokenizer.ggml.token_type")
        let scores: [Double]
        if let s = gguf.metadata["tokenizer.ggml.scores"]?.array {
            guard case let .float32(f) = s, f.count == tokens.count else {
                throw GGUFError(file: gguf.name, offset: nil, .invalidValue(key: "tokenizer.ggml.scores", reason: "expected \(tokens.count) float32 scores"))
            }
            scores = f.map(Double.init)
        } else {
            scores = tokens.indices.map { -Double($0) }
        }
        guard types.isEmpty || types.count == tokens.count else {
            throw GGUFError(file: gguf.name, offset: nil, .invalidValue(key: "tokenizer.ggml.token_type", reason: "\(types.count) types for \(tokens.count) tokens"))
        }
        let original = tokens
        if gemma {
            // Runs of spaces are stored as spaces; the normalizer turns spaces into "▁", so spell them that way.
            tokens = tokens.map { t in !t.isEmpty && t.unicodeScalars.allSatisfy({ $0 == " " }) ? String(repeating: "▁", count: t.unicodeScalars.count) : t }
        }
        var vocab: [TokenKey: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() { vocab[TokenKey(t)] = i }
        let merges = recoverMerges(tokens, vocab: vocab, scores: gemma ? tokens.indices.map { -Double($0) } : scores)
        let unknownId = try gguf.metadata["tokenizer.ggml.unknown_token_id"].map { _ in try gguf.int("tokenizer.ggml.unknown_token_id") }
        let unknown = unknownId.flatMap { $0 >= 0 && $0 < tokens.count ? tokens[$0] : nil } ?? (vocab[TokenKey("<unk>")] != nil ? "<unk>" : nil)
        let model = try BPEModel(vocab: vocab, merges: merges, unknown: unknown, byteFallback: true, fuseUnknown: true,
                                 ignoreMerges: false, prefix: "", suffix: "")

        var added: [AddedToken] = []
        for (i, t) in original.enumerated() where !types.isEmpty && !t.isEmpty {
            let special = types[i] == controlType
            guard special || (types[i] == userDefinedType && vocab[TokenKey(t)] != nil) else { continue }
            added.append(AddedToken(id: special ? i : (vocab[TokenKey(t)] ?? i), content: t, special: special,
                                    scalars: Array(t.unicodeScalars), singleWord: false, leftStrip: false, rightStrip: false,
                                    normalized: false))
        }

        func flag(_ key: String, _ fallback: Bool) throws -> Bool { gguf.metadata[key] == nil ? fallback : try gguf.bool(key) }
        func id(_ key: String) throws -> Int? {
            guard gguf.metadata[key] != nil else { return nil }
            let v = try gguf.int(key)
            return v >= 0 && v < tokens.count ? v : nil
        }
        var before: [Int] = [], after: [Int] = []
        if try flag("tokenizer.ggml.add_bos_token", true), let b = try id("tokenizer.ggml.bos_token_id") { before = [b] }
        if try flag("tokenizer.ggml.add_eos_token", false), let e = try id("tokenizer.ggml.eos_token_id") { after = [e] }

        let space = TokenizerPattern.literal([" "]), meta = TokenizerPattern.literal(["▁"])
        if gemma {
            return try HFTokenizer(vocab: vocab, added: added, normalizer: .replace(space, ["▁"]), preTokenizer: nil, model: .bpe(model),
                                   decoder: .sequence([.replace(meta, [" "]), .byteFallback, .fuse]), framing: (before, after))
        }
        let prefixSpace = try flag("tokenizer.ggml.add_space_prefix", true)
        var decoders: [TokenizerDecoder] = [.replace(meta, [" "]), .byteFallback, .fuse]
        if prefixSpace { decoders.append(.strip(content: " ", start: 1, stop: 0)) }
        return try HFTokenizer(vocab: vocab, added: added, normalizer: nil,
                               preTokenizer: .metaspace(replacement: "▁", prepend: prefixSpace ? .first : .never, split: false),
                               model: .bpe(model), decoder: .sequence(decoders), framing: (before, after))
    }

    /// The merges a vocabulary implies, as transformers' `generate_merges` finds them: for each token (in order of
    /// first appearance), every split into two vocabulary tokens, ordered by the parts' ids; all of them then ranked
    /// by the token's score, highest first, then by the longer left part, then the longer right part.
    static func recoverMerges(_ tokens: [String], vocab: [TokenKey: Int], scores: [Double]) -> [(String, String)] {
        var scoreOf: [TokenKey: Double] = [:], order: [TokenKey] = []
        scoreOf.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() {
            let k = TokenKey(t)
            if scoreOf.updateValue(scores[i], forKey: k) == nil { order.append(k) }
        }
        struct Candidate { let left: [UInt8], right: [UInt8], leftId: Int, rightId: Int, score: Double, leftLength: Int, rightLength: Int }
        var all: [Candidate] = []
        for key in order {
            let bytes = key.bytes
            guard let score = scoreOf[key] else { continue }
            // Split points on scalar boundaries.
            var boundaries: [Int] = []
            for (o, b) in bytes.enumerated() where o > 0 && (b & 0xC0) != 0x80 { boundaries.append(o) }
            guard !boundaries.isEmpty else { continue }
            let scalarCount = boundaries.count + 1
            var local: [Candidate] = []
            for (n, cut) in boundaries.enumerated() {
                guard let l = vocab[TokenKey(bytes: bytes[..<cut])], let r = vocab[TokenKey(bytes: bytes[cut...])] else { continue }
                local.append(Candidate(left: Array(bytes[..<cut]), right: Array(bytes[cut...]), leftId: l, rightId: r, score: score,
                                       leftLength: n + 1, rightLength: scalarCount - n - 1))
            }
            local.sort { ($0.leftId, $0.rightId) < ($1.leftId, $1.rightId) }
            all += local
        }
        // A stable sort, descending on (score, left length, right length).
        let ranked = all.indices.sorted { a, b in
            let x = all[a], y = all[b]
            if x.score != y.score { return x.score > y.score }
            if x.leftLength != y.leftLength { return x.leftLength > y.leftLength }
            if x.rightLength != y.rightLength { return x.rightLength > y.rightLength }
            return a < b
        }
        return ranked.map { (String(decoding: all[$0].left, as: UTF8.self), String(decoding: all[$0].right, as: UTF8.self)) }
    }
}
