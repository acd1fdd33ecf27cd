import Foundation
import PTuneCore

extension BuiltinRegistry {
    /// Results as tables: a list of records (one per run of a sweep) shown as aligned text or written as CSV. The
    /// columns are the fields in the order they first appear; a row without a field leaves its cell empty.
    static let tableBuiltins: [Builtin] = [
        Builtin("table", [.receiver("rows", .list)], returns: "string", topic: .io,
                summary: "a list of records as an aligned text table: a header of field names, one line per record (numbers right-aligned)",
                example: "print table(results)", result: .string,
                run: { a, _ in
                    let t = try ResultTable(try a.list(0), "table")
                    return .string(t.text)
                }),
        Builtin("write_csv", [.receiver("path", .string), .required("rows", "list of records")], returns: "none", topic: .io,
                summary: "writes a list of records as CSV atomically: a header of field names, one line per record, numbers in their shortest exact form",
                example: "write_csv(\"sweep.csv\", results)", result: .none,
                run: { a, m in
                    let t = try ResultTable(try a.list(1), "write_csv")
                    try m.files.write(Data(t.csv.utf8), to: try a.string(0))
                    return .none
                }),
    ]
}

/// A list of records as columns and cells: numbers (a one-element tensor counts as its number), strings, bools,
/// and `none` as an empty cell.
struct ResultTable {
    /// Field names, in order of first appearance.
    var columns: [String] = []
    /// Per row, the cell of each column (nil: the row has no such field).
    var rows: [[Value?]] = []

    init(_ items: [Value], _ builtin: String) throws {
        var records: [Record] = []
        for (i, item) in items.enumerated() {
            guard case let .record(r) = item else {
                throw RuntimeFailure(.badArgument(function: builtin, "rows must be records such as {lr: 0.01, loss: 0.5}; row \(i) is \(item.kindText)"))
            }
            records.append(r)
            for n in r.names where !columns.contains(n) { columns.append(n) }
        }
        for r in records {
            rows.append(try columns.map { c in try r[c].map { try ResultTable.cell($0, column: c, builtin) } })
        }
    }

    /// A cell's value: tensors of one element become numbers; other kinds have no place in a table.
    static func cell(_ v: Value, column: String, _ builtin: String) throws -> Value {
        switch v {
        case .number, .string, .bool, .none: return v
        case let .tensor(t) where t.count == 1: return .number(try t.scalarValue())
        case .tensor, .param, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset, .optimizer, .schedule:
            throw RuntimeFailure(.badArgument(function: builtin, "the field '\(column)' holds \(v.kindText); a table holds numbers, strings and bools"))
        }
    }

    /// A cell as text (numbers in their shortest exact form).
    static func text(_ v: Value?) -> String {
        switch v {
        case nil, .none?: return ""
        case let .number(x)?: return Value.format(x)
        case let .string(s)?: return s
        case let .bool(b)?: return b ? "true" : "false"
        case let v?: return v.description
        }
    }

    /// CSV: fields with a comma, quote or line break are quoted, quotes doubled.
    var csv: String {
        func quoted(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = columns.map(quoted).joined(separator: ",") + "\n"
        for row in rows { out += row.map { quoted(ResultTable.text($0)) }.joined(separator: ",") + "\n" }
        return out
    }

    /// Aligned columns separated by two spaces; numbers right-aligned, the rest left-aligned.
    var text: String {
        let cells = rows.map { $0.map(ResultTable.text) }
        let widths = columns.indices.map { c in ([columns[c]] + cells.map { $0[c] }).map(\.count).max() ?? 0 }
        let numeric = columns.indices.map { c in rows.allSatisfy { row in
            if case .number? = row[c] { return true }
            return row[c] == nil
        } }
        func line(_ items: [String]) -> String {
            items.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - items[c].count)
                return numeric[c] ? pad + items[c] : items[c] + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(columns)] + cells.map(line)).joined(separator: "\n")
    }
}
