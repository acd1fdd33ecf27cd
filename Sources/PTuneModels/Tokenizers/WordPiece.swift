import Foundation
import PTuneCore

/// BERT's WordPiece tokenizer (uncased for all-MiniLM-L6-v2), as Hugging Face's `BertTokenizerFast`.
///
/// Special tokens written in the text (`[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`, `[MASK]`) are matched first, as whole
/// case-sensitive strings; the rest is normalised and split into words (see ``BertTextSplitter``); each word becomes
/// the longest vocabulary pieces from the left, later pieces written with the `##` prefix (`"unaffable"` →
/// `un ##aff ##able`). A word longer than `maxWordLength` characters, or with no piece for some position, is one
/// `[UNK]`. `encode` frames the ids as `[CLS] … [SEP]`.
public final class WordPiece: TextTokenizer {
    /// The vocabulary, by id.
    public let tokens: [String]
    /// Words longer than this many characters become `[UNK]` (100, as BERT).
    public let maxWordLength: Int
    /// The id of `[UNK]`.
    public let unknownId: Int
    /// The id of `[CLS]`, which opens every encoded sequence.
    public let clsId: Int
    /// The id of `[SEP]`, which closes every encoded sequence.
    public let sepId: Int
    /// The id of `[PAD]`.
    public let padId: Int
    /// The id of `[MASK]`, if the vocabulary has one.
    public let maskId: Int?
    let splitter: BertTextSplitter
    let vocab: [TokenKey: Int]
    let special: SpecialTokenMatcher

    /// Builds the tokenizer from its vocabulary (id = position). `stripAccents` defaults to `lowercase`, as BERT.
    public init(vocabulary: [String], lowercase: Bool = true, stripAccents: Bool? = nil, maxWordLength: Int = 100) throws {
        guard !vocabulary.isEmpty else { throw TokenizerError.invalidVocabulary("the vocabulary is empty") }
        tokens = vocabulary
        var vocab: [TokenKey: Int] = [:]
        vocab.reserveCapacity(vocabulary.count)
        for (i, t) in vocabulary.enumerated() where vocab[TokenKey(t)] == nil { vocab[TokenKey(t)] = i }
        self.vocab = vocab
        func required(_ t: String) throws -> Int {
            guard let id = vocab[TokenKey(t)] else { throw TokenizerError.invalidVocabulary("no '\(t)' token") }
            return id
        }
        unknownId = try required("[UNK]")
        clsId = try required("[CLS]")
        sepId = try required("[SEP]")
        padId = try required("[PAD]")
        maskId = vocab[TokenKey("[MASK]")]
        self.maxWordLength = Swift.max(1, maxWordLength)
        splitter = BertTextSplitter(lowercase: lowercase, stripAccents: stripAccents ?? lowercase)
        let specials = [padId, unknownId, clsId, sepId] + (maskId.map { [$0] } ?? [])
        special = SpecialTokenMatcher(specials.map { ($0, vocabulary[$0]) })
    }

    /// Reads a `vocab.txt` (one token per line, id = line number) and builds the tokenizer.
    public convenience init(vocabFile path: String, lowercase: Bool = true, reader: CheckedFiles = CheckedFiles()) throws {
        try self.init(vocabText: reader.contents(path, limit: 256 << 20), file: path, lowercase: lowercase)
    }

    /// Builds the tokenizer from the bytes of a `vocab.txt` (`file` names it in errors).
    public convenience init(vocabText data: Data, file: String, lowercase: Bool = true) throws {
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        do { try self.init(vocabulary: lines, lowercase: lowercase) } catch let e as TokenizerError {
            throw FileReadError.cannotRead(path: file, reason: e.description)
        }
    }

    /// Builds the tokenizer from a `tokenizer.json` whose model is WordPiece: its vocabulary (by id), the lowercasing
    /// and accent stripping of its BERT normalizer, and its longest word.
    public convenience init(tokenizerJSON data: Data) throws {
        let root: JSONValue, vocab: [(key: String, value: JSONValue)]
        do { (root, vocab) = try JSONValue.parse(data, entriesAt: ["model", "vocab"]) } catch {
            throw TokenizerError.invalidVocabulary("tokenizer.json is not valid JSON: \(error)")
        }
        guard root["model"]?["type"]?.stringValue == "WordPiece" else {
            throw TokenizerError.unsupportedModel("\(root["model"]?["type"]?.stringValue ?? "?") (a BERT model needs WordPiece)")
        }
        var tokens = [String](repeating: "", count: vocab.count)
        for (t, v) in vocab {
            guard let id = v.intValue, id >= 0, id < tokens.count else {
                throw TokenizerError.invalidVocabulary("ids of a WordPiece vocabulary must be 0..<\(vocab.count)")
            }
            tokens[id] = t
        }
        let normalizer = root["normalizer"]
        let lowercase = normalizer?["lowercase"]?.boolValue ?? true
        let strip = normalizer?["strip_accents"]?.boolValue
        try self.init(vocabulary: tokens, lowercase: lowercase, stripAccents: strip,
                      maxWordLength: root["model"]?["max_input_chars_per_word"]?.intValue ?? 100)
    }

    /// The vocabulary size.
    public var vocabularySize: Int { tokens.count }

    /// The id of a vocabulary entry (`"##ing"`), if any.
    public func id(of token: String) -> Int? { vocab[TokenKey(token)] }

    /// The vocabulary entry of `id`, if any.
    public func token(of id: Int) -> String? { id >= 0 && id < tokens.count ? tokens[id] : nil }

    /// The ids of `text`, framed as `[CLS] … [SEP]` when `addSpecialTokens`.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        var out: [Int] = addSpecialTokens ? [clsId] : []
        let scalars = Array(text.unicodeScalars)
        var start = 0
        for (range, id) in special.matches(in: scalars) {
            encodeOrdinary(scalars[start..<range.lowerBound], into: &out)
            out.append(id)
            start = range.upperBound
        }
        encodeOrdinary(scalars[start...], into: &out)
        if addSpecialTokens { out.append(sepId) }
        return out
    }

    /// The vocabulary pieces of `text` without framing (`["un", "##aff", "##able"]`).
    public func tokenize(_ text: String) -> [String] {
        encode(text, addSpecialTokens: false).map { tokens[$0] }
    }

    private func encodeOrdinary(_ scalars: ArraySlice<Unicode.Scalar>, into out: inout [Int]) {
        guard !scalars.isEmpty else { return }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        for word in splitter.words(String(text)) { pieces(of: word, into: &out) }
    }

    /// Greedy longest-match-first WordPiece of one word.
    func pieces(of word: [Unicode.Scalar], into out: inout [Int]) {
        guard word.count <= maxWordLength else { out.append(unknownId); return }
        let utf8 = word.map { s -> [UInt8] in var b: [UInt8] = []; UTF8.encode(s) { b.append($0) }; return b }
        var found: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int? = nil
            while start < end {
                var key: [UInt8] = start > 0 ? [0x23, 0x23] : []
                for k in start..<end { key += utf8[k] }
                if let id = vocab[TokenKey(bytes: key)] { match = id; break }
                end -= 1
            }
            guard let id = match else { out.append(unknownId); return }
            found.append(id)
            start = end
        }
        out += found
    }

    /// The text of `ids`: pieces joined by spaces, `##` continuations glued to the piece before, `[CLS]`, `[SEP]`
    /// and `[PAD]` left out. Lossy by nature (case, accents and spacing around punctuation are gone).
    public func decode(_ ids: [Int]) throws -> String {
        var out = ""
        for id in ids {
            guard id >= 0 && id < tokens.count else { throw TokenizerError.unknownTokenId(id, vocabularySize: tokens.count) }
            if id == clsId || id == sepId || id == padId { continue }
            let t = tokens[id]
            // Compared as bytes: "##ि" does not start with "##" as Swift compares characters (the mark joins the "#").
            if t.utf8.starts(with: "##".utf8) { out += String(decoding: t.utf8.dropFirst(2), as: UTF8.self) } else { out += (out.isEmpty ? "" : " ") + t }
        }
        return out
    }
}
