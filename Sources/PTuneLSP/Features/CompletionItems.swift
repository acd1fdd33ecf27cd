import PTuneCore
import PTuneLang
import PTuneREPL

/// The kinds of completion item the protocol numbers (those the server uses).
enum CompletionItemKind: Int {
    case method = 2, function = 3, field = 5, variable = 6, `class` = 7, module = 9, property = 10, keyword = 14
    case file = 17, folder = 19, constant = 21, `struct` = 22

    /// The kind for a name declared as `kind`.
    init(_ kind: BindingKind) {
        switch kind {
        case .function: self = .function
        case .dim, .frozen: self = .constant
        case .model, .frozenModel, .encoder: self = .class
        case .data: self = .struct
        case .param, .let, .loopVariable, .parameter, .history: self = .variable
        }
    }
}

/// Turns the completer's candidates into the protocol's completion items: each with its kind, a one-line detail
/// (a type, a signature), an edit replacing the typed word, and an order that puts named arguments and the
/// document's own names first. Builtins carry their name in `data`, so `completionItem/resolve` adds their help.
struct CompletionItems {
    let result: CompletionResult
    let source: DocumentCompletionSource
    /// The text the candidates replace: from the start of the typed word to the cursor.
    let range: TextRange
    /// Whether the range is given once for the list (`itemDefaults.editRange`) instead of in every item.
    let defaultRange: Bool

    /// The `CompletionList`.
    var json: JSONValue {
        let scope = Dictionary(source.scope.map { ($0.name, $0) }, uniquingKeysWith: { _, later in later })
        let keywords = Set(Completer.keywords)
        let rangeJSON = range.json
        var items: [JSONValue] = []
        for (i, candidate) in result.candidates.enumerated() {
            var item = Item(label: candidate, kind: .variable, group: 1)
            switch result.kind {
            case .members:
                item.group = 0
                switch source.members[candidate] {
                case let .method(b)?:
                    item.kind = .method
                    item.detail = b.signature
                    item.builtin = (b.receiver?.rawValue ?? "") + "." + b.name
                case let .property(_, _, type)?:
                    item.kind = .field
                    item.detail = type.description
                case .declared?, .builtin?, .argument?, .parameterLabel?, .importedFile?, nil:
                    item.kind = .field
                }
                item.sortKey = String(i)
            case .paths:
                item.kind = candidate.hasSuffix("/") ? .folder : .file
            case .names, .metaCommands, .none:
                if candidate.hasSuffix(":") {
                    item.kind = .property
                    item.group = 0
                    item.newText = candidate + " "
                    item.filter = String(candidate.dropLast())
                    item.detail = "argument"
                } else if let d = scope[candidate] {
                    item.kind = CompletionItemKind(d.kind)
                    item.detail = d.kind == .function ? d.detail : d.summary
                } else if let b = source.analysis.builtin(named: candidate) {
                    item.kind = .function
                    item.group = 2
                    item.detail = b.signature
                    item.builtin = b.name
                } else if keywords.contains(candidate) {
                    item.kind = .keyword
                    item.group = 3
                }
            }
            items.append(item.json(range: defaultRange ? nil : rangeJSON))
        }
        var list: [String: JSONValue] = ["isIncomplete": .bool(false), "items": .array(items)]
        if defaultRange { list["itemDefaults"] = .object(["editRange": rangeJSON]) }
        return .object(list)
    }

    /// One candidate being described.
    private struct Item {
        var label: String
        var kind: CompletionItemKind
        /// Named arguments and members 0, the document's names 1, builtins 2, keywords 3.
        var group: Int
        var detail: String?
        var newText: String?
        var filter: String?
        var sortKey: String?
        /// The builtin (`name`, or `kind.name` for a method) whose help `completionItem/resolve` adds.
        var builtin: String?

        init(label: String, kind: CompletionItemKind, group: Int) {
            self.label = label
            self.kind = kind
            self.group = group
        }

        /// The item; with `range`, an edit of that range, else (the list's default range) the text to insert when
        /// it is not the label.
        func json(range: JSONValue?) -> JSONValue {
            var o: [String: JSONValue] = [
                "label": .string(label),
                "kind": .int(kind.rawValue),
                "sortText": .string("\(group)" + (sortKey.map { String(repeating: "0", count: Swift.max(0, 4 - $0.count)) + $0 } ?? label)),
            ]
            if let range {
                o["textEdit"] = .object(["range": range, "newText": .string(newText ?? label)])
            } else if let newText {
                o["insertText"] = .string(newText)
            }
            if let detail, !detail.isEmpty { o["detail"] = .string(detail) }
            if let filter { o["filterText"] = .string(filter) }
            if let builtin { o["data"] = .object(["builtin": .string(builtin)]) }
            return .object(o)
        }
    }
}
