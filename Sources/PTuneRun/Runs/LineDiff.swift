/// A line diff of two texts (longest common subsequence), shown as unified-diff hunks with `context` lines around
/// each change.
public enum LineDiff {
    /// One line of the diff.
    enum Edit: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The hunks of the diff from `old` to `new` (empty when equal). Texts beyond `limit` lines each are compared
    /// only as wholes.
    public static func unified(_ old: String, _ new: String, oldName: String, newName: String, context: Int = 2,
                               limit: Int = 3000) -> String {
        guard old != new else { return "" }
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard a.count <= limit, b.count <= limit else { return "--- \(oldName)\n+++ \(newName)\n(the texts differ; too long to compare line by line)\n" }
        let edits = diff(a, b)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        let changed = edits.indices.filter { if case .same = edits[$0] { return false } else { return true } }
        var i = 0
        while i < changed.count {
            var end = i
            while end + 1 < changed.count && changed[end + 1] - changed[end] <= 2 * context + 1 { end += 1 }
            let lo = max(0, changed[i] - context), hi = min(edits.count - 1, changed[end] + context)
            // Line numbers of the hunk's first line in each text.
            var oldLine = 1, newLine = 1
            for e in edits[..<lo] {
                switch e {
                case .same: oldLine += 1; newLine += 1
                case .removed: oldLine += 1
                case .added: newLine += 1
                }
            }
            let hunk = edits[lo...hi]
            let oldCount = hunk.filter { if case .added = $0 { return false } else { return true } }.count
            let newCount = hunk.filter { if case .removed = $0 { return false } else { return true } }.count
            out += "@@ -\(oldLine),\(oldCount) +\(newLine),\(newCount) @@\n"
            for e in hunk {
                switch e {
                case let .same(s): out += " " + s + "\n"
                case let .removed(s): out += "-" + s + "\n"
                case let .added(s): out += "+" + s + "\n"
                }
            }
            i = end + 1
        }
        return out
    }

    /// The edits turning `a` into `b`.
    static func diff(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count
        // lcs[i][j]: the length of the longest common subsequence of a[i...] and b[j...].
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits: [Edit] = [], i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                edits.append(.same(a[i])); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                edits.append(.removed(a[i])); i += 1
            } else {
                edits.append(.added(b[j])); j += 1
            }
        }
        return edits
    }
}
