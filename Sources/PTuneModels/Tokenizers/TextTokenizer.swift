/// A tokenizer: text to token ids and back. Encoding never fails (every string has an encoding, with an unknown
/// token where the vocabulary has no piece); decoding fails only on ids outside the vocabulary.
public protocol TextTokenizer: Sendable {
    /// The number of ids (the vocabulary size).
    var vocabularySize: Int { get }
    /// The ids of `text`; `addSpecialTokens` adds the model's framing tokens ([CLS] … [SEP] for BERT; nothing for
    /// SmolLM2, which adds no BOS).
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]
    /// The text of `ids`, or ``TokenizerError/unknownTokenId(_:vocabularySize:)``.
    func decode(_ ids: [Int]) throws -> String
    /// The id of a token written as it appears in the vocabulary, if any.
    func id(of token: String) -> Int?
    /// The vocabulary entry of an id, if any.
    func token(of id: Int) -> String?
}

extension TextTokenizer {
    /// The ids of `text` with the model's framing tokens.
    public func encode(_ text: String) -> [Int] { encode(text, addSpecialTokens: true) }

    /// The framing tokens ``encode(_:addSpecialTokens:)`` puts before a text's own ids (Gemma's and Llama's `<bos>`,
    /// BERT's `[CLS]`; none for SmolLM2): what a causal model's prompt starts with.
    public var leadingSpecialTokens: [Int] {
        let plain = encode("a", addSpecialTokens: false), framed = encode("a", addSpecialTokens: true)
        guard !plain.isEmpty, framed.count >= plain.count else { return [] }
        for start in 0...(framed.count - plain.count) where Array(framed[start..<(start + plain.count)]) == plain {
            return Array(framed[..<start])
        }
        return []
    }
}

/// Why a tokenizer could not be built, or an id could not be decoded.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The vocabulary is unusable (why).
    case invalidVocabulary(String)
    /// The tokenizer kind is not one ptune implements (what it is).
    case unsupportedModel(String)
    /// The pre-tokenizer named in the model file is not one ptune implements.
    case unsupportedPreTokenizer(String)
    /// An id outside `0..<vocabularySize`.
    case unknownTokenId(Int, vocabularySize: Int)

    /// A lowercase message.
    public var description: String {
        switch self {
        case let .invalidVocabulary(why): return "invalid tokenizer vocabulary: \(why)"
        case let .unsupportedModel(m): return "unsupported tokenizer: \(m)"
        case let .unsupportedPreTokenizer(p): return "unsupported pre-tokenizer '\(p)'"
        case let .unknownTokenId(id, n): return "token id \(id) is out of range for a vocabulary of \(n)"
        }
    }
}

/// A vocabulary key compared by its exact UTF-8 bytes: Swift's `String` equality is canonical equivalence, which
/// would merge distinct vocabulary entries such as "é" and "e\u{301}".
struct TokenKey: Hashable, Sendable {
    let bytes: [UInt8]
    init(_ s: String) { bytes = Array(s.utf8) }
    init<C: Collection>(bytes: C) where C.Element == UInt8 { self.bytes = Array(bytes) }
}
