/// The BPE merge loop and the GPT-2 byte-to-unicode alphabet.
extension ByteLevelBPE {
    /// Encodes one pre-tokenized piece: one symbol per byte, then merges by rank (lowest first, leftmost among equal
    /// ranks) using a heap of candidate pairs over a linked list of symbols: O(n log n), so a 10 MB run of letters
    /// is slow but never quadratic.
    func bpe(_ bytes: [UInt8], into out: inout [Int]) {
        var ids: [Int32] = []
        ids.reserveCapacity(bytes.count)
        for b in bytes where byteIds[Int(b)] >= 0 { ids.append(Int32(byteIds[Int(b)])) }
        let n = ids.count
        if n == 0 { return }
        if n == 1 { out.append(Int(ids[0])); return }
        var prev = (0..<n).map { Int32($0) - 1 }
        var next = (0..<n).map { $0 + 1 < n ? Int32($0 + 1) : -1 }
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap()
        func rank(_ a: Int32, _ b: Int32) -> (rank: Int32, id: Int32)? { merges[UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))] }
        for i in 0..<(n - 1) {
            if let m = rank(ids[i], ids[i + 1]) { heap.push(UInt64(UInt32(m.rank)) << 32 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let r = Int32(truncatingIfNeeded: top >> 32), i = Int(top & 0xFFFF_FFFF)
            guard alive[i], next[i] >= 0 else { continue }
            let j = Int(next[i])
            // Stale entry: the pair at i changed since it was pushed.
            guard let m = rank(ids[i], ids[j]), m.rank == r else { continue }
            ids[i] = m.id
            alive[j] = false
            next[i] = next[j]
            if next[j] >= 0 { prev[Int(next[j])] = Int32(i) }
            if prev[i] >= 0, let p = rank(ids[Int(prev[i])], ids[i]) {
                heap.push(UInt64(UInt32(p.rank)) << 32 | UInt64(prev[i]))
            }
            if next[i] >= 0, let q = rank(ids[i], ids[Int(next[i])]) {
                heap.push(UInt64(UInt32(q.rank)) << 32 | UInt64(i))
            }
        }
        var k = 0
        while k >= 0 { out.append(Int(ids[k])); k = Int(next[k]) }
    }

    /// GPT-2's map from bytes to printable characters: printable Latin-1 bytes stand for themselves, the others
    /// (control bytes, space, …) move to U+0100 and up, so every byte string is a string of visible characters.
    public static let byteToUnicode: [Unicode.Scalar] = {
        var visible = Array(33...126) + Array(161...172) + Array(174...255)
        var chars = visible
        var extra = 0
        for b in 0..<256 where !visible.contains(b) {
            visible.append(b)
            chars.append(256 + extra)
            extra += 1
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for (b, c) in zip(visible, chars) { table[b] = Unicode.Scalar(UInt32(c)) ?? " " }
        return table
    }()

    /// The inverse of ``byteToUnicode``.
    static let unicodeToByte: [Unicode.Scalar: UInt8] = {
        var m: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in byteToUnicode.enumerated() { m[c] = UInt8(b) }
        return m
    }()
}

/// A binary min-heap of packed `(rank << 32 | position)` keys: lowest rank first, then leftmost position.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ x: UInt64) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[p] <= items[i] { break }
            items.swapAt(p, i)
            i = p
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return top }
        items[0] = last
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && items[l] < items[m] { m = l }
            if r < n && items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
