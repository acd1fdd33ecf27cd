import Foundation

extension RunTable {
    /// The output formats.
    public enum Format: String, CaseIterable, Sendable {
        /// A Markdown table, columns aligned (numbers rounded for reading).
        case markdown
        /// CSV with every number in full (a group's as `NAME_mean`, `NAME_std`).
        case csv
        /// A JSON array of objects, numbers in full (a group's as `{"mean", "std", "n"}`).
        case json
    }

    /// The table in `format`.
    public func rendered(as format: Format) -> String {
        switch format {
        case .markdown: return markdown()
        case .csv: return csv()
        case .json: return json()
        }
    }

    /// A Markdown table; numbers right-aligned.
    public func markdown() -> String {
        let header = columns.map(\.name)
        let body = rows.map { $0.map(RunTable.readable) }
        let widths = header.indices.map { c in ([header[c]] + body.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + cells.indices.map { c in
                let pad = String(repeating: " ", count: max(0, widths[c] - cells[c].count))
                return columns[c].isSetting ? cells[c] + pad : pad + cells[c]
            }.joined(separator: " | ") + " |\n"
        }
        let rule = "|" + columns.indices.map { c in
            columns[c].isSetting ? String(repeating: "-", count: widths[c] + 2) : String(repeating: "-", count: widths[c] + 1) + ":"
        }.joined(separator: "|") + "|\n"
        return line(header) + rule + body.map(line).joined()
    }

    /// CSV with a header row.
    public func csv() -> String {
        var header: [String] = []
        for (c, column) in columns.enumerated() {
            if rows.contains(where: { if case .stat = $0[c] { return true } else { return false } }) {
                header += [column.name + "_mean", column.name + "_std"]
            } else {
                header.append(column.name)
            }
        }
        var out = header.map(RunTable.csvField).joined(separator: ",") + "\n"
        for row in rows {
            var fields: [String] = []
            for (c, cell) in row.enumerated() {
                let isStat = rows.contains { if case .stat = $0[c] { return true } else { return false } }
                switch cell {
                case let .text(s): fields.append(RunTable.csvField(s))
                case let .number(v, u): fields.append(RunTable.exact(v, u))
                case let .stat(m, s, _, u): fields += [RunTable.exact(m, u), RunTable.exact(s, u)]
                case .empty: fields += isStat ? ["", ""] : [""]
                }
            }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// A JSON array with one object per row, keys in column order.
    public func json() -> String {
        let objects = rows.map { row in
            "  {" + columns.indices.map { c in
                let value: String
                switch row[c] {
                case let .text(s): value = RunTable.jsonString(s)
                case let .number(v, u): value = RunTable.jsonNumber(v, u)
                case let .stat(m, s, n, u):
                    value = "{\"mean\": \(RunTable.jsonNumber(m, u)), \"std\": \(RunTable.jsonNumber(s, u)), \"n\": \(n)}"
                case .empty: value = "null"
                }
                return RunTable.jsonString(columns[c].name) + ": " + value
            }.joined(separator: ", ") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + (objects.isEmpty ? "" : "\n") + "]\n"
    }

    /// A cell for reading: metrics to four decimals, seconds to one, memory in MiB, a group's as `mean ± std`.
    static func readable(_ cell: Cell) -> String {
        switch cell {
        case let .text(s): return s
        case let .number(v, u): return rounded(v, u)
        case let .stat(m, s, n, u): return n > 1 && !(s == 0 && u == .integer) ? rounded(m, u) + " ± " + rounded(s, u) : rounded(m, u)
        case .empty: return ""
        }
    }

    /// `v` rounded for reading.
    static func rounded(_ v: Double, _ unit: Unit) -> String {
        guard v.isFinite else { return String(v) }
        switch unit {
        case .integer: return v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
        case .metric: return String(format: "%.4f", v)
        case .seconds: return String(format: "%.1f", v)
        case .stepSeconds: return String(format: "%.3f", v)
        case .bytes: return String(format: "%.0f MiB", v / 1_048_576)
        }
    }

    /// `v` in full: integers without a fraction, others in their shortest exact form.
    static func exact(_ v: Double, _ unit: Unit) -> String {
        if (unit == .integer || unit == .bytes) && v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        return String(v)
    }

    /// `v` as a JSON number (`null` when not finite).
    static func jsonNumber(_ v: Double, _ unit: Unit) -> String { v.isFinite ? exact(v, unit) : "null" }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// A CSV field, quoted when it holds a comma, quote or newline.
    static func csvField(_ s: String) -> String { TrainingReporter.csvField(s) }
}
