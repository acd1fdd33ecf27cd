import PTuneLang

/// `:vars`: a table of the names the session holds.
extension REPL {
    /// One row of the table.
    struct VariableRow: Equatable {
        /// The name.
        var name: String
        /// How it was declared: `param`, `frozen`, `let`, `dim`, `fn`, …
        var kind: String
        /// Its type and shape, or a summary for functions, models and encoders.
        var detail: String
        /// How many numbers it holds, for values with parameters and frozen tensors.
        var parameterCount: Int?
        /// Whether training may change it (`param`, encoders), is fixed (`frozen`, frozen models), or neither (nil).
        var trainable: Bool?

        /// The row of one binding.
        init(_ b: BindingInfo) {
            let holdsParameters = b.parameterCount != nil
            let frozenTensor = b.kind == .frozen
            name = b.name
            kind = b.kind.rawValue
            parameterCount = b.parameterCount ?? (frozenTensor ? b.shape.map { $0.reduce(1, *) } : nil)
            trainable = holdsParameters ? b.isTrainable : (frozenTensor ? false : nil)
            detail = b.type
            if let shape = b.shape, !b.type.contains("[") {
                detail += " [" + shape.map(String.init).joined(separator: ", ") + "]"
            }
            if b.kind == .function || b.type == "unknown" || b.type.hasPrefix("model") || b.type.hasPrefix("encoder") { detail = b.summary }
        }

        /// The row's cells, in the table's column order.
        var cells: [String] {
            [name, kind, detail, parameterCount.map(REPL.grouped) ?? "", trainable.map { $0 ? "trainable" : "frozen" } ?? ""]
        }
    }

    /// `:vars`: name, kind, type, parameter count (right-aligned), trainable or frozen.
    func vars() {
        let rows = session.bindings().map { VariableRow($0).cells }
        guard !rows.isEmpty else { console.out("(nothing defined yet)\n"); return }
        let header = ["name", "kind", "type", "params", ""]
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == 3 ? String(repeating: " ", count: widths[i] - c.count) + c
                : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        console.out(line(header) + rows.map(line).joined())
    }

    /// 1234567 → `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
}
