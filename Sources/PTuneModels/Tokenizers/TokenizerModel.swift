import PTuneCore

/// The model of a Hugging Face tokenizer: how one pre-tokenized word becomes ids (tokenizer.json's `model`).
enum TokenizerModel: Sendable {
    case bpe(BPEModel)
    case wordPiece(WordPieceModel)
    /// Whole words looked up, else the unknown token.
    case wordLevel(vocab: [TokenKey: Int], unknown: Int?)

    /// The ids of one word, appended to `out`.
    func encode(_ word: [Unicode.Scalar], into out: inout [Int]) {
        switch self {
        case let .bpe(m): m.encode(word, into: &out)
        case let .wordPiece(m): m.encode(word, into: &out)
        case let .wordLevel(vocab, unknown):
            var s = String.UnicodeScalarView()
            s.append(contentsOf: word)
            if let id = vocab[TokenKey(String(s))] { out.append(id) } else if let u = unknown { out.append(u) }
        }
    }
}

/// Byte-pair encoding as Hugging Face's `BPE` model: each character a symbol (with byte fallback or the unknown
/// token when the vocabulary lacks it), then merges by rank, lowest first and leftmost among equals.
struct BPEModel: Sendable {
    let vocab: [TokenKey: Int]
    /// (left id, right id) packed → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    let unknown: Int?
    let byteFallback: Bool
    let fuseUnknown: Bool
    let ignoreMerges: Bool
    let prefix: String
    let suffix: String
    /// The ids of `<0x00>` … `<0xFF>`, where the vocabulary has them.
    let byteIds: [Int?]

    init(vocab: [TokenKey: Int], merges: [(String, String)], unknown: String?, byteFallback: Bool, fuseUnknown: Bool,
         ignoreMerges: Bool, prefix: String, suffix: String) throws {
        self.vocab = vocab
        var table: [UInt64: (rank: Int32, id: Int32)] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let x = vocab[TokenKey(a)], let y = vocab[TokenKey(b)] else {
                throw TokenizerError.invalidVocabulary("merge '\(a) \(b)' names a token outside the vocabulary")
            }
            let joined = !prefix.isEmpty && b.utf8.starts(with: prefix.utf8) ? a + String(decoding: b.utf8.dropFirst(prefix.utf8.count), as: UTF8.self) : a + b
            guard let z = vocab[TokenKey(joined)] else {
                throw TokenizerError.invalidVocabulary("merge '\(a) \(b)' makes '\(joined)', which is not in the vocabulary")
            }
            let key = UInt64(UInt32(x)) << 32 | UInt64(UInt32(y))
            table[key] = (Int32(truncatingIfNeeded: rank), Int32(truncatingIfNeeded: z))  // a repeated pair: the last wins, as in the reference
        }
        self.merges = table
        if let unknown {
            guard let u = vocab[TokenKey(unknown)] else { throw TokenizerError.invalidVocabulary("unknown token '\(unknown)' is not in the vocabulary") }
            self.unknown = u
        } else {
            self.unknown = nil
        }
        self.byteFallback = byteFallback
        self.fuseUnknown = fuseUnknown
        self.ignoreMerges = ignoreMerges
        self.prefix = prefix
        self.suffix = suffix
        byteIds = (0..<256).map { vocab[TokenKey(BPEModel.byteToken(UInt8($0)))] }
    }

    /// `<0x0A>`: how byte fallback spells a byte.
    static func byteToken(_ b: UInt8) -> String {
        let hex = String(b, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }

    func encode(_ word: [Unicode.Scalar], into out: inout [Int]) {
        guard !word.isEmpty else { return }
        if ignoreMerges {
            var s = String.UnicodeScalarView(); s.append(contentsOf: word)
            if let id = vocab[TokenKey(String(s))] { out.append(id); return }
        }
        var ids: [Int32] = []
        ids.reserveCapacity(word.count)
        var lastWasUnknown = false
        for (i, c) in word.enumerated() {
            var piece = String(c)
            if i > 0 { piece = prefix + piece }
            if i == word.count - 1 { piece += suffix }
            if let id = vocab[TokenKey(piece)] {
                ids.append(Int32(id)); lastWasUnknown = false; continue
            }
            if byteFallback {
                var bytes: [Int32] = []
                UTF8.encode(c) { b in if let id = byteIds[Int(b)] { bytes.append(Int32(id)) } }
                if bytes.count == c.utf8.count { ids += bytes; lastWasUnknown = false; continue }
            }
            if let u = unknown {
                if !(fuseUnknown && lastWasUnknown) { ids.append(Int32(u)) }
                lastWasUnknown = true
            }
        }
        BPEMerge.apply(&ids, merges)
        out += ids.map { Int($0) }
    }
}

/// WordPiece as Hugging Face's model: a word longer than `maxChars` is the unknown token; otherwise the longest
/// vocabulary pieces from the left, later ones written with `prefix`; a word with no piece at some position is the
/// unknown token.
struct WordPieceModel: Sendable {
    let vocab: [TokenKey: Int]
    let unknown: Int
    let prefix: [UInt8]
    let maxChars: Int

    func encode(_ word: [Unicode.Scalar], into out: inout [Int]) {
        guard word.count <= maxChars else { out.append(unknown); return }
        let utf8 = word.map { s -> [UInt8] in var b: [UInt8] = []; UTF8.encode(s) { b.append($0) }; return b }
        var found: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int? = nil
            while start < end {
                var key: [UInt8] = start > 0 ? prefix : []
                for k in start..<end { key += utf8[k] }
                if let id = vocab[TokenKey(bytes: key)] { match = id; break }
                end -= 1
            }
            guard let id = match else { out.append(unknown); return }
            found.append(id)
            start = end
        }
        out += found
    }
}

/// The merge loop shared by the BPE tokenizers: merges by rank, lowest first and leftmost among equal ranks, with a
/// heap of candidate pairs over a linked list of symbols (O(n log n)).
enum BPEMerge {
    static func apply(_ ids: inout [Int32], _ merges: [UInt64: (rank: Int32, id: Int32)]) {
        let n = ids.count
        if n < 2 { return }
        var prev = (0..<n).map { Int32($0) - 1 }
        var next = (0..<n).map { $0 + 1 < n ? Int32($0 + 1) : -1 }
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap()
        func rank(_ a: Int32, _ b: Int32) -> (rank: Int32, id: Int32)? { merges[UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))] }
        for i in 0..<(n - 1) {
            if let m = rank(ids[i], ids[i + 1]) { heap.push(UInt64(UInt32(m.rank)) << 32 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let r = Int32(truncatingIfNeeded: top >> 32), i = Int(top & 0xFFFF_FFFF)
            guard alive[i], next[i] >= 0 else { continue }
            let j = Int(next[i])
            guard let m = rank(ids[i], ids[j]), m.rank == r else { continue }
            ids[i] = m.id
            alive[j] = false
            next[i] = next[j]
            if next[j] >= 0 { prev[Int(next[j])] = Int32(i) }
            if prev[i] >= 0, let p = rank(ids[Int(prev[i])], ids[i]) { heap.push(UInt64(UInt32(p.rank)) << 32 | UInt64(prev[i])) }
            if next[i] >= 0, let q = rank(ids[i], ids[Int(next[i])]) { heap.push(UInt64(UInt32(q.rank)) << 32 | UInt64(i)) }
        }
        var out: [Int32] = []
        out.reserveCapacity(n)
        var k = 0
        while k >= 0 { out.append(ids[k]); k = Int(next[k]) }
        ids = out
    }
}
