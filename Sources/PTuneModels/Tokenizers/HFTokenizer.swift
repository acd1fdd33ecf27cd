import Foundation
import PTuneCore

/// A tokenizer as Hugging Face's `tokenizers` library defines one (a `tokenizer.json`): added tokens matched whole,
/// then a normalizer, a pre-tokenizer, a model (BPE, WordPiece or WordLevel), a post-processor that frames the ids,
/// and a decoder. Ids equal the library's.
public final class HFTokenizer: TextTokenizer {
    /// A token matched whole in the text before anything else sees it (`<|im_start|>`, `[CLS]`, `<start_of_turn>`).
    public struct AddedToken: Sendable {
        public let id: Int
        public let content: String
        /// Whether it is a special (control) token.
        public let special: Bool
        let scalars: [Unicode.Scalar]
        let singleWord: Bool, leftStrip: Bool, rightStrip: Bool, normalized: Bool
    }

    /// The vocabulary by id (added tokens included).
    public let tokens: [String]
    /// The added tokens.
    public let addedTokens: [AddedToken]
    let vocab: [TokenKey: Int]
    let normalizer: TokenizerNormalizer?
    let preTokenizer: TokenizerPreTokenizer?
    let model: TokenizerModel
    let decoder: TokenizerDecoder?
    /// The ids put before and after a single sequence when special tokens are added.
    let framing: (before: [Int], after: [Int])
    /// Added tokens matched in the raw text, and those matched after normalization (their content normalized).
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher

    init(vocab: [TokenKey: Int], added: [AddedToken], normalizer: TokenizerNormalizer?, preTokenizer: TokenizerPreTokenizer?,
         model: TokenizerModel, decoder: TokenizerDecoder?, framing: (before: [Int], after: [Int])) throws {
        var all = vocab
        for a in added { all[TokenKey(a.content)] = a.id }
        guard let maxId = all.values.max(), maxId < Int(Int32.max), all.values.allSatisfy({ $0 >= 0 }) else {
            throw TokenizerError.invalidVocabulary("ids must lie in 0..<2^31")
        }
        var tokens = [String](repeating: "", count: maxId + 1)
        for (k, id) in vocab { tokens[id] = String(decoding: k.bytes, as: UTF8.self) }
        for a in added { tokens[a.id] = a.content }
        self.tokens = tokens
        self.vocab = all
        addedTokens = added
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.decoder = decoder
        for id in framing.before + framing.after where id < 0 || id > maxId {
            throw TokenizerError.invalidVocabulary("post-processor id \(id) is outside the vocabulary")
        }
        self.framing = framing
        rawMatcher = AddedTokenMatcher(added.filter { !$0.normalized }.map { ($0.scalars, $0) })
        normalizedMatcher = AddedTokenMatcher(added.filter { $0.normalized }.map { ((normalizer?.apply($0.scalars) ?? $0.scalars), $0) })
    }

    /// The number of ids.
    public var vocabularySize: Int { tokens.count }

    /// The id of a vocabulary entry as the file spells it.
    public func id(of token: String) -> Int? { vocab[TokenKey(token)] }

    /// The vocabulary entry of `id`.
    public func token(of id: Int) -> String? { id >= 0 && id < tokens.count ? tokens[id] : nil }

    /// The ids of `text`; `addSpecialTokens` frames them as the post-processor says (`[CLS] … [SEP]`, `<bos> …`).
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        var out: [Int] = addSpecialTokens ? framing.before : []
        let scalars = Array(text.unicodeScalars)
        var start = 0
        for (range, token) in rawMatcher.matches(in: scalars) {
            encodeNormalizing(Array(scalars[start..<range.lowerBound]), startsText: start == 0, into: &out)
            out.append(token.id)
            start = range.upperBound
        }
        encodeNormalizing(Array(scalars[start...]), startsText: start == 0, into: &out)
        if addSpecialTokens { out += framing.after }
        return out
    }

    private func encodeNormalizing(_ s: [Unicode.Scalar], startsText: Bool, into out: inout [Int]) {
        guard !s.isEmpty else { return }
        let normalized = normalizer?.apply(s) ?? s
        var start = 0
        for (range, token) in normalizedMatcher.matches(in: normalized) {
            encodeWords(Array(normalized[start..<range.lowerBound]), startsText: startsText && start == 0, into: &out)
            out.append(token.id)
            start = range.upperBound
        }
        encodeWords(Array(normalized[start...]), startsText: startsText && start == 0, into: &out)
    }

    private func encodeWords(_ s: [Unicode.Scalar], startsText: Bool, into out: inout [Int]) {
        guard !s.isEmpty else { return }
        let words = preTokenizer?.apply([s], firstStartsText: startsText) ?? [s]
        for w in words { model.encode(w, into: &out) }
    }

    /// The text of `ids`: token strings through the decoder (special tokens kept, as transformers' `decode` does by
    /// default).
    public func decode(_ ids: [Int]) throws -> String {
        var pieces: [String] = []
        pieces.reserveCapacity(ids.count)
        for id in ids {
            guard id >= 0 && id < tokens.count else { throw TokenizerError.unknownTokenId(id, vocabularySize: tokens.count) }
            pieces.append(tokens[id])
        }
        guard let decoder else { return pieces.joined(separator: " ") }
        return decoder.apply(pieces).joined()
    }
}

/// Finds added tokens in text: leftmost first, longest at a position, honouring single-word, left-strip and
/// right-strip. Candidates are grouped by first scalar, so a vocabulary with thousands of added tokens stays fast.
struct AddedTokenMatcher: Sendable {
    private let byFirst: [Unicode.Scalar: [(scalars: [Unicode.Scalar], token: HFTokenizer.AddedToken)]]

    init(_ tokens: [(scalars: [Unicode.Scalar], token: HFTokenizer.AddedToken)]) {
        var m: [Unicode.Scalar: [(scalars: [Unicode.Scalar], token: HFTokenizer.AddedToken)]] = [:]
        for t in tokens { if let f = t.scalars.first { m[f, default: []].append(t) } }
        byFirst = m.mapValues { $0.sorted { $0.scalars.count > $1.scalars.count } }
    }

    func matches(in s: [Unicode.Scalar]) -> [(Range<Int>, HFTokenizer.AddedToken)] {
        guard !byFirst.isEmpty else { return [] }
        var out: [(Range<Int>, HFTokenizer.AddedToken)] = []
        var i = 0, floor = 0
        scan: while i < s.count {
            guard let candidates = byFirst[s[i]] else { i += 1; continue }
            for (p, token) in candidates where i + p.count <= s.count {
                var ok = true
                for k in 1..<p.count where s[i + k] != p[k] { ok = false; break }
                guard ok else { continue }
                var lo = i, hi = i + p.count
                if token.singleWord {
                    let before = lo > 0 && TokenizerPreTokenizer.isWord(s[lo - 1])
                    let after = hi < s.count && TokenizerPreTokenizer.isWord(s[hi])
                    if before || after { continue }
                }
                if token.leftStrip { while lo > floor && s[lo - 1].properties.isWhitespace { lo -= 1 } }
                if token.rightStrip { while hi < s.count && s[hi].properties.isWhitespace { hi += 1 } }
                out.append((lo..<hi, token))
                i = hi; floor = hi
                continue scan
            }
            i += 1
        }
        return out
    }
}
