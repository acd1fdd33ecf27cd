import PTuneCore
import PTuneLang

/// A document the editor has open: its text as the editor holds it (not as saved), its version, and the analysis
/// of that text, made again when first needed after a change.
final class Document {
    /// The document's URI.
    let uri: String
    /// The file the URI names (nil for a buffer that is not a `file:` URI).
    let path: String?
    /// That file's path with symbolic links resolved (nil when it is not saved), as the checker names files it
    /// imports: an import cycle leads back to the document itself.
    let canonicalPath: String?
    /// The editor's version of the text.
    private(set) var version: Int
    /// The text, as UTF-8.
    private(set) var bytes: [UInt8]
    /// Positions ↔ byte offsets of the text.
    private(set) var lines: LineIndex
    /// The analysis of the current text (nil after a change, until it is made again).
    var analysis: SourceAnalysis?
    /// Whether the diagnostics of the current analysis were sent.
    var diagnosticsSent = false

    init(uri: String, version: Int, text: String, encoding: PositionEncoding) {
        self.uri = uri
        path = DocumentURI.path(uri)
        canonicalPath = path.flatMap(DocumentURI.canonical)
        self.version = version
        bytes = Array(text.utf8)
        lines = LineIndex(bytes, encoding: encoding)
    }

    /// The text as a ptune source: named by its file, its relative paths (and imports) resolving in its folder,
    /// as `ptune check` would read the file.
    var source: SourceFile {
        if let path { return SourceFile.script(at: path, bytes: bytes) }
        let name = uri.split(separator: "/").last.map(String.init) ?? uri
        return SourceFile(name: name, bytes: bytes, directory: nil)
    }

    /// Applies the content changes of a `didChange` notification, in order: a change with a `range` replaces that
    /// range, one without replaces the whole text.
    func apply(_ changes: [JSONValue], version: Int?, encoding: PositionEncoding) throws(ResponseError) {
        for change in changes {
            guard let text = change["text"]?.stringValue else { throw ResponseError.missing("contentChanges[].text", "a string") }
            if let rangeJSON = change["range"], !rangeJSON.isNull {
                guard let range = TextRange(rangeJSON) else { throw ResponseError.missing("contentChanges[].range", "a range") }
                let start = lines.offset(of: range.start), end = Swift.max(start, lines.offset(of: range.end))
                bytes.replaceSubrange(start..<end, with: Array(text.utf8))
            } else {
                bytes = Array(text.utf8)
            }
            lines = LineIndex(bytes, encoding: encoding)
        }
        if let version { self.version = version }
        analysis = nil
        diagnosticsSent = false
    }

    /// Replaces the whole text (a `didOpen` of a document already open).
    func reset(text: String, version: Int, encoding: PositionEncoding) {
        bytes = Array(text.utf8)
        lines = LineIndex(bytes, encoding: encoding)
        self.version = version
        analysis = nil
        diagnosticsSent = false
    }
}
