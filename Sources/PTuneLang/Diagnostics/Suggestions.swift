/// "Did you mean …?": the closest candidate by edit distance, if it is close enough to be a likely typo. The cost is
/// bounded whatever the names: at most ``maxEdits`` edits are considered, candidates whose length is further off
/// than that are skipped at once, and the distance is computed only within that band (a 300,000-character name
/// costs a few million steps per candidate of similar length, not ninety billion).
enum Suggestions {
    /// The most edits a suggestion may be away.
    static let maxEdits = 8

    /// The candidate nearest to `name`, when at most a third of its letters (at least one, at most ``maxEdits``)
    /// differ.
    static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        let x = Array(name.lowercased().unicodeScalars)
        let limit = Swift.max(1, Swift.min(x.count / 3, maxEdits))
        var best: (String, Int)?
        for c in candidates where c != name {
            // Lengths first (cheap in UTF-8): a candidate more than `limit` letters longer or shorter cannot match.
            let bytes = c.utf8.count
            if bytes + limit < x.count || bytes > 4 * (x.count + limit) { continue }
            let d = distance(x, Array(c.lowercased().unicodeScalars), limit: limit)
            if d <= limit, best.map({ d < $0.1 || (d == $0.1 && c < $0.0) }) ?? true { best = (c, d) }
        }
        return best?.0
    }

    /// Damerau–Levenshtein (optimal string alignment) distance, stopping early past `limit`.
    static func distance(_ a: String, _ b: String, limit: Int) -> Int {
        distance(Array(a.lowercased().unicodeScalars), Array(b.lowercased().unicodeScalars), limit: limit)
    }

    /// The distance between two letter sequences, or `limit + 1` when it is larger than `limit`. Only the cells
    /// within `limit` of the diagonal are computed; the others are known to be past the limit.
    static func distance(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar], limit: Int) -> Int {
        if Swift.abs(x.count - y.count) > limit { return limit + 1 }
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        let far = limit + 1
        var prev2 = [Int](repeating: far, count: y.count + 1)
        var prev = (0...y.count).map { Swift.min($0, far) }
        var cur = [Int](repeating: far, count: y.count + 1)
        for i in 1...x.count {
            let lo = Swift.max(1, i - limit), hi = Swift.min(y.count, i + limit)
            cur[0] = Swift.min(i, far)
            if lo > 1 { cur[lo - 1] = far }
            var rowMin = cur[0]
            if lo <= hi {
                for j in lo...hi {
                    let cost = x[i - 1] == y[j - 1] ? 0 : 1
                    var v = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                    if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] { v = Swift.min(v, prev2[j - 2] + 1) }
                    cur[j] = Swift.min(v, far)
                    rowMin = Swift.min(rowMin, cur[j])
                }
            }
            if hi < y.count { cur[hi + 1] = far }
            if rowMin > limit { return far }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return Swift.min(prev[y.count], far)
    }
}
