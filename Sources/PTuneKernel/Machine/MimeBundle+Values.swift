import PTuneCore
import PTuneLang
import PTuneREPL

/// The forms results take in a notebook: values as text and, for tensors and datasets, HTML tables; `:vars` as a
/// table; charts as SVG; training progress as a bar.
extension MimeBundle {
    /// Axes longer than this many rows or columns show their first and last ``edgeItems`` only.
    static let longAxis = 24
    /// How many leading and trailing rows or columns a long axis shows.
    static let edgeItems = 5

    /// A bare expression's value: the REPL's text, and an HTML table for a rank-1 or rank-2 tensor and a dataset.
    public static func value(_ v: Value) -> MimeBundle {
        switch v {
        case let .tensor(t): return MimeBundle(plain: v.debugText, html: tensorTable(t))
        case let .param(p): return MimeBundle(plain: v.debugText, html: tensorTable(p.value.detached(), caption: "param "))
        case let .dataset(d): return MimeBundle(plain: v.debugText, html: datasetTable(d))
        case .none, .number, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .optimizer, .schedule:
            return MimeBundle(plain: v.debugText)
        }
    }

    /// `:vars`: the aligned text and an HTML table.
    public static func variables(_ rows: [VariableRow]) -> MimeBundle {
        guard !rows.isEmpty else { return MimeBundle(plain: VariableRow.text(rows)) }
        let body = rows.map { row in
            row.cells.enumerated().map { i, cell in
                "<td" + (i == 3 ? " style=\"text-align:right\"" : "") + ">" + (i == 2 ? "<code>\(escape(cell))</code>" : escape(cell)) + "</td>"
            }.joined()
        }
        return MimeBundle(plain: VariableRow.text(rows), html: table(header: VariableRow.header, rows: body, caption: nil))
    }

    /// A chart `plot(…)` drew: the terminal drawing as text, and SVG.
    public static func chart(_ spec: PlotSpec, width: Int, height: Int) -> MimeBundle {
        var text = TerminalPlot.render(spec, width: width, height: height)
        if text.hasSuffix("\n") { text.removeLast() }
        return MimeBundle(plain: text, svg: SVGPlot.render(spec))
    }

    /// An HTML table of a rank-1 (one row) or rank-2 tensor, long axes cut to their ends, with the shape and dtype
    /// as its caption; nil for other ranks.
    static func tensorTable(_ t: Tensor, caption prefix: String = "") -> String? {
        guard t.rank == 1 || t.rank == 2 else { return nil }
        let rows = t.rank == 1 ? 1 : t.shape[0], columns = t.shape[t.rank - 1]
        let shownRows = shown(rows), shownColumns = shown(columns)
        let values = t.doubles
        let format = Tensor.numberFormat(shownRows.compactMap { $0 }.flatMap { r in shownColumns.compactMap { $0 }.map { values[r * columns + $0] } },
                                         dtype: t.dtype, precision: 4)
        let body = shownRows.map { r in
            shownColumns.map { c -> String in
                guard let r, let c else { return "<td>…</td>" }
                return "<td>" + format(values[r * columns + c]) + "</td>"
            }.joined()
        }
        return table(header: nil, rows: body, caption: prefix + "shape \(Shape.describe(t.shape)) \(t.dtype)", numeric: true)
    }

    /// The first rows of a dataset: one column per field, tensors' rows shown as numbers or by shape.
    static func datasetTable(_ d: DatasetObject) -> String {
        let rows = shown(d.count).prefix(while: { $0 != nil }).prefix(edgeItems).compactMap { $0 }
        let body = rows.map { i in
            d.columns.map { column -> String in
                switch column {
                case let .strings(s): return "<td>" + escape(s[i]) + "</td>"
                case let .tensor(t):
                    if t.rank == 1 { return "<td>" + Tensor.shortest(t.doubles[i], dtype: t.dtype) + "</td>" }
                    return "<td><code>tensor \(Shape.describe(Array(t.shape.dropFirst())))</code></td>"
                }
            }.joined()
        }
        let more = d.count > rows.count ? ["<td colspan=\"\(d.names.count)\">… \(Count.grouped(d.count - rows.count)) more rows</td>"] : []
        return table(header: d.names, rows: body + more, caption: escape(d.description))
    }

    /// The positions an axis of length `n` shows: all, or its ends around a gap (nil).
    static func shown(_ n: Int) -> [Int?] {
        guard n > longAxis else { return Array(0..<n) }
        return Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n)
    }

    /// A table of ready-made `<td>` rows.
    static func table(header: [String]?, rows: [String], caption: String?, numeric: Bool = false) -> String {
        var html = "<table class=\"ptune\"" + (numeric ? " style=\"font-family:monospace\"" : "") + ">"
        if let caption { html += "<caption style=\"caption-side:bottom;text-align:left\">\(caption)</caption>" }
        if let header { html += "<thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>" }
        html += "<tbody>" + rows.map { "<tr>\($0)</tr>" }.joined() + "</tbody></table>"
        return html
    }

    /// `s` with the characters HTML gives meaning to escaped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
