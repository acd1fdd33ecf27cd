/// A plain-text table with aligned columns, printed by the benchmark.
struct Table {
    let title: String
    let header: [String]
    var rows: [[String]] = []

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in
                i == 0 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ")
        }
        var out = "\n## \(title)\n" + line(header) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }
}

/// Formats a number with a fixed number of decimals.
func fmt(_ v: Double, _ decimals: Int = 1) -> String {
    guard v.isFinite else { return "–" }
    return String(format: "%.\(decimals)f", v)
}

/// Formats a large count with thousands separators.
func grouped(_ v: Double) -> String {
    guard v.isFinite else { return "–" }
    let n = Int(v.rounded())
    let s = String(abs(n))
    var out = ""
    for (i, ch) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + String(out.reversed())
}
