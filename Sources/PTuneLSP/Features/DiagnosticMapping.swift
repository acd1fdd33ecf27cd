import PTuneCore
import PTuneLang

/// A document's diagnostics in the protocol's terms: exactly the errors `ptune check` reports for its text, each
/// with the range of its span (positions in the agreed encoding) and its notes as related information. An error
/// inside an imported file is shown on the `import` that leads to it, its message prefixed with its place there
/// (`lib.pt:2:1: …`, as `ptune check` prints it), and located precisely in its related information.
struct DiagnosticMapping {
    let document: Document
    let analysis: SourceAnalysis
    let encoding: PositionEncoding

    /// The `Diagnostic` objects.
    var json: [JSONValue] {
        analysis.diagnostics.map { d in
            var range = TextRange.origin
            var message = d.message.description
            var related: [JSONValue] = []
            if let span = d.span {
                if isInDocument(span) {
                    range = document.lines.range(span.start, span.end)
                } else {
                    if let site = analysis.importSite(of: span.file) { range = document.lines.range(site.start, site.end) }
                    message = "\(span): \(message)"
                    if let location = location(span) { related.append(relatedInformation(location, d.message.description)) }
                }
            }
            for note in d.notes {
                guard let span = note.span, let location = location(span) else { continue }
                related.append(relatedInformation(location, note.message.description))
            }
            var o: [String: JSONValue] = [
                "range": range.json,
                "severity": .int(DiagnosticMapping.severity(d.severity)),
                "source": .string("ptune"),
                "message": .string(message),
            ]
            if !related.isEmpty { o["relatedInformation"] = .array(related) }
            return .object(o)
        }
    }

    /// Whether `span` is in the document: in its text, or in the file itself read again by an import cycle.
    func isInDocument(_ span: SourceSpan) -> Bool {
        analysis.isOwnSource(span.file) || (document.canonicalPath != nil && analysis.path(of: span.file) == document.canonicalPath)
    }

    /// The protocol's number for a severity.
    static func severity(_ s: Severity) -> Int {
        switch s {
        case .error: return 1
        case .warning: return 2
        case .note: return 3
        }
    }

    /// The `Location` of a span in the document or in a file it imports.
    func location(_ span: SourceSpan) -> JSONValue? {
        DiagnosticMapping.location(span, document: document, analysis: analysis, encoding: encoding)
    }

    /// The `Location` of a span in `document` or in a file its analysis read; nil for a source with no file.
    static func location(_ span: SourceSpan, document: Document, analysis: SourceAnalysis, encoding: PositionEncoding) -> JSONValue? {
        let path = analysis.path(of: span.file)
        if analysis.isOwnSource(span.file) || (path != nil && path == document.canonicalPath) {
            return .object(["uri": .string(document.uri), "range": document.lines.range(span.start, span.end).json])
        }
        guard let path else { return nil }
        let lines = LineIndex(span.file.bytes, encoding: encoding)
        return .object(["uri": .string(DocumentURI.uri(path: path)), "range": lines.range(span.start, span.end).json])
    }

    private func relatedInformation(_ location: JSONValue, _ message: String) -> JSONValue {
        .object(["location": location, "message": .string(message)])
    }
}
