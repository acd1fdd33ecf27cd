/// GPT-2 byte-level BPE, as SmolLM2 uses it (built from GGUF metadata with ``init(gguf:)``).
///
/// Encoding: special (control) tokens are matched first as whole strings, leftmost-longest; the text between them
/// is split by the pre-tokenizer (SmolLM2: each ASCII digit alone, then the GPT-2 pattern); each piece's UTF-8
/// bytes start as one symbol per byte (the byte-to-unicode alphabet's tokens) and adjacent symbols merge by
/// rank, lowest first and leftmost among equals, until no listed merge applies. No BOS is added. Decoding maps
/// each token's characters back to bytes, so `decode(encode(s)) == s` for every string whose bytes all have a
/// symbol in the vocabulary (a byte without one is dropped, as the reference drops it).
public final class ByteLevelBPE: TextTokenizer {
    /// The vocabulary, by id, as written in the model file (byte-level characters: "Ġthe" is " the").
    public let tokens: [String]
    /// The ids matched as whole strings before pre-tokenization (SmolLM2: ids 0–16, `<|im_start|>`…).
    public let specialIds: [Int]
    /// The pre-tokenizer's name (`"smollm"` or `"gpt2"`).
    public let preTokenizerName: String
    let preTokenizer: GPT2PreTokenizer
    let vocab: [TokenKey: Int]
    /// Token id of each byte's single-character symbol, or -1 where the vocabulary has none.
    let byteIds: [Int]
    /// (left id, right id) packed → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    let special: SpecialTokenMatcher
    /// For decoding: each token's bytes (byte-level characters mapped back; special tokens as their text).
    let tokenBytes: [[UInt8]]

    /// Builds the tokenizer from its vocabulary, its merges (`"Ġ t"`: two tokens separated by one space, in rank
    /// order) and the ids to match as whole strings. `preTokenizer` is `"smollm"` (digits isolated) or `"gpt2"`.
    public init(tokens: [String], merges: [String], specialIds: [Int], preTokenizer: String = "smollm") throws {
        guard !tokens.isEmpty, tokens.count < Int(Int32.max) else {
            throw TokenizerError.invalidVocabulary("\(tokens.count) tokens")
        }
        switch preTokenizer {
        case "smollm": self.preTokenizer = GPT2PreTokenizer(isolateDigits: true)
        case "gpt2", "default": self.preTokenizer = GPT2PreTokenizer(isolateDigits: false)
        default: throw TokenizerError.unsupportedPreTokenizer(preTokenizer)
        }
        preTokenizerName = preTokenizer
        self.tokens = tokens
        var vocab: [TokenKey: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where vocab[TokenKey(t)] == nil { vocab[TokenKey(t)] = i }
        self.vocab = vocab

        let alphabet = ByteLevelBPE.byteToUnicode
        // A byte without a symbol in the vocabulary (SmolLM2 lacks 0x04, 0x06, 0x13, 0x14, 0x16, 0x1D and bytes
        // that never occur in UTF-8) is dropped when encoding, as the reference does with no unknown token.
        self.byteIds = (0..<256).map { vocab[TokenKey(String(alphabet[$0]))] ?? -1 }
        guard byteIds.contains(where: { $0 >= 0 }) else {
            throw TokenizerError.invalidVocabulary("no token for any byte symbol: not a byte-level vocabulary")
        }

        var table: [UInt64: (rank: Int32, id: Int32)] = [:]
        table.reserveCapacity(merges.count)
        for (rank, m) in merges.enumerated() {
            let u = Array(m.utf8)
            guard let sp = u.firstIndex(of: 0x20) else { continue }
            let left = TokenKey(bytes: u[..<sp]), right = TokenKey(bytes: u[(sp + 1)...])
            guard let a = vocab[left], let b = vocab[right], let c = vocab[TokenKey(bytes: left.bytes + right.bytes)] else { continue }
            let key = UInt64(a) << 32 | UInt64(b)
            if table[key] == nil { table[key] = (Int32(truncatingIfNeeded: rank), Int32(c)) }
        }
        self.merges = table

        let specials = Array(Set(specialIds.filter { $0 >= 0 && $0 < tokens.count })).sorted()
        self.specialIds = specials
        special = SpecialTokenMatcher(specials.map { ($0, tokens[$0]) }.filter { !$0.1.isEmpty })

        let inverse = ByteLevelBPE.unicodeToByte
        let specialSet = Set(specials)
        tokenBytes = tokens.enumerated().map { i, t in
            if specialSet.contains(i) { return Array(t.utf8) }
            var out: [UInt8] = []
            for s in t.unicodeScalars {
                if let b = inverse[s] { out.append(b) } else { out += Array(String(s).utf8) }
            }
            return out
        }
    }

    /// The vocabulary size.
    public var vocabularySize: Int { tokens.count }

    /// The id of a vocabulary entry written in byte-level characters (`"Ġpositive"`), if any.
    public func id(of token: String) -> Int? { vocab[TokenKey(token)] }

    /// The vocabulary entry of `id`, if any.
    public func token(of id: Int) -> String? { id >= 0 && id < tokens.count ? tokens[id] : nil }

    /// The ids of `text` (no BOS is ever added: `addSpecialTokens` has no effect for SmolLM2).
    public func encode(_ text: String, addSpecialTokens: Bool = false) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var out: [Int] = []
        out.reserveCapacity(scalars.count / 3 + 1)
        var buffer: [UInt8] = []
        var start = 0
        for (range, id) in special.matches(in: scalars) {
            encodeOrdinary(scalars, start..<range.lowerBound, into: &out, buffer: &buffer)
            out.append(id)
            start = range.upperBound
        }
        encodeOrdinary(scalars, start..<scalars.count, into: &out, buffer: &buffer)
        return out
    }

    /// Pre-tokenizes and BPE-encodes the text between special tokens.
    private func encodeOrdinary(_ s: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Int], buffer: inout [UInt8]) {
        guard !range.isEmpty else { return }
        let span = Array(s[range])
        for piece in preTokenizer.split(span) {
            buffer.removeAll(keepingCapacity: true)
            for i in piece { UTF8.encode(span[i]) { buffer.append($0) } }
            bpe(buffer, into: &out)
        }
    }

    /// The text of `ids`: each token's bytes, concatenated, read as UTF-8 (invalid sequences become U+FFFD, as the
    /// reference does when ids are cut mid-character).
    public func decode(_ ids: [Int]) throws -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard id >= 0 && id < tokens.count else { throw TokenizerError.unknownTokenId(id, vocabularySize: tokens.count) }
            bytes += tokenBytes[id]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
