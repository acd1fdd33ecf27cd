import PTuneModels

/// The tokenizer harnesses, on small built-in vocabularies shaped like the real ones (a byte-level alphabet with
/// merges and special tokens; a lowercase WordPiece vocabulary with `##` pieces).
enum TokenizerHarness {
    /// GPT-2's byte-to-character map (printable Latin-1 stays, the other bytes move to U+0100 and up).
    static let byteSymbols: [String] = ByteLevelBPE.byteToUnicode.map { String($0) }

    /// A byte-level BPE over every byte, with merges for common English pieces, digits, spaces and `é`.
    static let bpeTokenizer: ByteLevelBPE? = {
        let pairs = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("in", "g"), ("e", "r"), ("Ġ", "a"), ("a", "n"),
                     ("an", "d"), ("Ġ", "and"), ("r", "e"), ("o", "n"), ("Ġ", "m"), ("o", "v"), ("ov", "ie"), ("i", "e"),
                     ("Ġm", "ovie"), ("Ġ", "Ġ"), ("ĠĠ", "ĠĠ"), ("1", "2"), ("Ã", "©"), ("Ċ", "Ċ"), ("Ġ", "p"),
                     ("Ġp", "o"), ("s", "i"), ("t", "i"), ("v", "e"), ("ti", "ve"), ("Ġpo", "si"), ("Ġposi", "tive")]
        var tokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + byteSymbols
        var merges: [String] = []
        for (a, b) in pairs {
            if !tokens.contains(a + b) { tokens.append(a + b) }
            merges.append(a + " " + b)
        }
        return try? ByteLevelBPE(tokens: tokens, merges: merges, specialIds: [0, 1, 2])
    }()

    /// A lowercase WordPiece vocabulary: specials, letters, digits, punctuation, `##` letters and a few words.
    static let wordPieceTokenizer: WordPiece? = {
        let letters = "abcdefghijklmnopqrstuvwxyz0123456789".map(String.init)
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + letters + letters.map { "##" + $0 }
            + ".,!?'\"-()".map(String.init) + ["the", "movie", "great", "##ing", "##s", "un", "##aff", "##able", "é", "##é", "中"]
        return try? WordPiece(vocabulary: vocabulary)
    }()

    /// Encodes the bytes (as repaired UTF-8) with and without special tokens; the plain encoding must decode back
    /// to the text. Then decodes the bytes read as ids: rejected when those are not all in the vocabulary.
    static func bpe(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let t = bpeTokenizer else { FuzzFailure.trap("the BPE fuzz vocabulary does not build") }
        let text = String(decoding: bytes, as: UTF8.self)
        let ids = t.encode(text, addSpecialTokens: false)
        _ = t.encode(text, addSpecialTokens: true)
        check(ids, below: t.vocabularySize)
        guard let back = try? t.decode(ids) else { FuzzFailure.trap("ids from encode do not decode: \(ids)") }
        if back != text { FuzzFailure.trap("BPE round trip: \(Array(text.utf8)) came back as \(Array(back.utf8))") }
        do { _ = try t.decode(idsFrom(bytes)) } catch { return FuzzOutcome(error) }
        return .accepted
    }

    /// Encodes the bytes (as repaired UTF-8); the ids must lie in the vocabulary and be framed by [CLS] … [SEP].
    /// Then decodes the bytes read as ids: rejected when those are not all in the vocabulary.
    static func wordPiece(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let t = wordPieceTokenizer else { FuzzFailure.trap("the WordPiece fuzz vocabulary does not build") }
        let text = String(decoding: bytes, as: UTF8.self)
        let ids = t.encode(text, addSpecialTokens: true)
        check(ids, below: t.vocabularySize)
        if ids.first != t.clsId || ids.last != t.sepId { FuzzFailure.trap("encoding not framed by [CLS] … [SEP]: \(ids)") }
        _ = t.encode(text, addSpecialTokens: false)
        guard (try? t.decode(ids)) != nil else { FuzzFailure.trap("ids from encode do not decode: \(ids)") }
        do { _ = try t.decode(idsFrom(bytes)) } catch { return FuzzOutcome(error) }
        return .accepted
    }

    /// Every id must name a token.
    static func check(_ ids: [Int], below n: Int) {
        if let bad = ids.first(where: { $0 < 0 || $0 >= n }) { FuzzFailure.trap("id \(bad) outside a vocabulary of \(n)") }
    }

    /// The bytes as little-endian 16-bit ids, signed, so some are negative or past the vocabulary.
    static func idsFrom(_ bytes: [UInt8]) -> [Int] {
        stride(from: 0, to: bytes.count - 1, by: 2).map { Int(Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)) }
    }
}
