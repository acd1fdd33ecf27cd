import PTuneLang

/// One row of `:vars`: a name the session holds, with its kind, type and parameter count.
public struct VariableRow: Equatable, Sendable {
    /// The name.
    public var name: String
    /// How it was declared: `param`, `frozen`, `let`, `dim`, `fn`, …
    public var kind: String
    /// Its type and shape, or a summary for functions, models and encoders.
    public var detail: String
    /// How many numbers it holds, for values with parameters and frozen tensors.
    public var parameterCount: Int?
    /// Whether training may change it (`param`, encoders), is fixed (`frozen`, frozen models), or neither (nil).
    public var trainable: Bool?

    /// The column titles, in the order of ``cells``.
    public static let header = ["name", "kind", "type", "params", ""]

    /// The row of one binding.
    public init(_ b: BindingInfo) {
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

    /// The rows of every name in `session`, in declaration order.
    public static func rows(of session: Session) -> [VariableRow] { session.bindings().map(VariableRow.init) }

    /// The row's cells, in the table's column order.
    public var cells: [String] {
        [name, kind, detail, parameterCount.map(Count.grouped) ?? "", trainable.map { $0 ? "trainable" : "frozen" } ?? ""]
    }

    /// The rows as aligned text columns (parameter counts right-aligned), or a line saying there is nothing.
    public static func text(_ rows: [VariableRow]) -> String {
        guard !rows.isEmpty else { return "(nothing defined yet)" }
        let table = rows.map(\.cells)
        var widths = header.map(\.count)
        for row in table { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == 3 ? String(repeating: " ", count: widths[i] - c.count) + c
                : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + table.map(line)).joined(separator: "\n")
    }
}
