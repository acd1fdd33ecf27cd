/// Finds special tokens (`<|im_start|>`, `[CLS]`…) written in text, leftmost first and longest at a position, as
/// whole strings compared scalar by scalar.
struct SpecialTokenMatcher: Sendable {
    /// Candidates by first scalar, longest first.
    private let byFirst: [Unicode.Scalar: [(scalars: [Unicode.Scalar], id: Int)]]

    init(_ tokens: [(id: Int, text: String)]) {
        var m: [Unicode.Scalar: [(scalars: [Unicode.Scalar], id: Int)]] = [:]
        for (id, text) in tokens {
            let s = Array(text.unicodeScalars)
            guard let first = s.first else { continue }
            m[first, default: []].append((s, id))
        }
        byFirst = m.mapValues { $0.sorted { $0.scalars.count > $1.scalars.count } }
    }

    /// Whether there is nothing to match.
    var isEmpty: Bool { byFirst.isEmpty }

    /// The non-overlapping matches in `s`, in order.
    func matches(in s: [Unicode.Scalar]) -> [(range: Range<Int>, id: Int)] {
        guard !byFirst.isEmpty else { return [] }
        var out: [(range: Range<Int>, id: Int)] = []
        var i = 0
        scan: while i < s.count {
            if let candidates = byFirst[s[i]] {
                for c in candidates where i + c.scalars.count <= s.count {
                    var ok = true
                    for k in 1..<c.scalars.count where s[i + k] != c.scalars[k] { ok = false; break }
                    if ok {
                        out.append((i..<(i + c.scalars.count), c.id))
                        i += c.scalars.count
                        continue scan
                    }
                }
            }
            i += 1
        }
        return out
    }
}
