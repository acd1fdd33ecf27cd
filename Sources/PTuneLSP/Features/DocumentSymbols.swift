import PTuneCore
import PTuneLang

/// A document's outline as the protocol's symbols.
enum DocumentSymbols {
    /// The protocol's `SymbolKind` number for a declaration.
    static func kind(_ kind: BindingKind) -> Int {
        switch kind {
        case .function: return 12          // Function
        case .dim, .frozen: return 14      // Constant
        case .model, .frozenModel: return 5 // Class
        case .encoder: return 19           // Object
        case .data: return 23              // Struct
        case .param: return 8              // Field
        case .let, .loopVariable, .parameter, .history: return 13 // Variable
        }
    }

    /// A `DocumentSymbol`, with its children.
    static func nested(_ e: OutlineEntry, in doc: Document) -> JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(e.name),
            "kind": .int(kind(e.kind)),
            "range": doc.lines.range(e.span.start, e.span.end).json,
            "selectionRange": doc.lines.range(e.nameSpan.start, e.nameSpan.end).json,
            "detail": .string(detail(e)),
        ]
        if !e.children.isEmpty { o["children"] = .array(e.children.map { nested($0, in: doc) }) }
        return .object(o)
    }

    /// `SymbolInformation`s: the entry, then its children named with it as their container.
    static func flat(_ e: OutlineEntry, container: String?, in doc: Document) -> [JSONValue] {
        var o: [String: JSONValue] = [
            "name": .string(e.name),
            "kind": .int(kind(e.kind)),
            "location": .object(["uri": .string(doc.uri), "range": doc.lines.range(e.span.start, e.span.end).json]),
        ]
        if let container { o["containerName"] = .string(container) }
        return [.object(o)] + e.children.flatMap { flat($0, container: e.name, in: doc) }
    }

    /// `param · tensor [virtual, embed] float64`, `fn · (a, b) -> tensor [2, 4]`.
    static func detail(_ e: OutlineEntry) -> String {
        e.detail.isEmpty ? e.kind.rawValue : e.kind.rawValue + " · " + e.detail
    }
}
