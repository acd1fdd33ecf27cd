import PTuneCore

/// What the server needs to know of the client's capabilities, from `initialize`.
struct ClientCapabilities {
    /// What a position's `character` counts.
    var encoding = PositionEncoding.utf16
    /// Whether hovers may be Markdown (else plain text).
    var markdownHover = false
    /// Whether document symbols may nest (`DocumentSymbol`; else a flat list of `SymbolInformation`).
    var hierarchicalSymbols = false
    /// Whether completion documentation may be Markdown.
    var markdownCompletion = false
    /// Whether a completion list may give the range its items replace once for all (`itemDefaults.editRange`)
    /// rather than in each item.
    var defaultEditRange = false

    /// The capabilities `initialize`'s parameters declare.
    init(_ params: JSONValue) {
        let caps = params["capabilities"]
        encoding = PositionEncoding.negotiate(caps?["general"]?["positionEncodings"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let text = caps?["textDocument"]
        markdownHover = text?["hover"]?["contentFormat"]?.arrayValue?.contains(.string("markdown")) ?? false
        hierarchicalSymbols = text?["documentSymbol"]?["hierarchicalDocumentSymbolSupport"]?.boolValue ?? false
        markdownCompletion = text?["completion"]?["completionItem"]?["documentationFormat"]?.arrayValue?
            .contains(.string("markdown")) ?? false
        defaultEditRange = text?["completion"]?["completionList"]?["itemDefaults"]?.arrayValue?
            .contains(.string("editRange")) ?? false
    }

    init() {}
}
