/// "Did you mean …?": the closest candidate by edit distance, if it is close enough to be a likely typo.
enum Suggestions {
    /// The candidate nearest to `name`, when at most a third of its letters (and at least one) differ.
    static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        let limit = Swift.max(1, name.count / 3)
        var best: (String, Int)?
        for c in candidates where c != name {
            let d = distance(name, c, limit: limit)
            if d <= limit, best.map({ d < $0.1 || (d == $0.1 && c < $0.0) }) ?? true { best = (c, d) }
        }
        return best?.0
    }

    /// Damerau–Levenshtein (optimal string alignment) distance, stopping early past `limit`.
    static func distance(_ a: String, _ b: String, limit: Int) -> Int {
        let x = Array(a.lowercased().unicodeScalars), y = Array(b.lowercased().unicodeScalars)
        if Swift.abs(x.count - y.count) > limit { return limit + 1 }
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev2 = [Int](repeating: 0, count: y.count + 1)
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var v = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] { v = Swift.min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = Swift.min(rowMin, v)
            }
            if rowMin > limit { return limit + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[y.count]
    }
}
