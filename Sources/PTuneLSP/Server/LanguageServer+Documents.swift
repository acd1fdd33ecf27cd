import Foundation
import PTuneCore
import PTuneLang

extension LanguageServer {
    // MARK: - Text synchronisation

    /// `textDocument/didOpen`.
    func open(_ params: JSONValue) throws(ResponseError) {
        let item = params["textDocument"]
        guard let uri = item?["uri"]?.stringValue else { throw ResponseError.missing("textDocument.uri", "a string") }
        guard let text = item?["text"]?.stringValue else { throw ResponseError.missing("textDocument.text", "a string") }
        let version = item?["version"]?.intValue ?? 0
        if let open = documents[uri] {
            open.reset(text: text, version: version, encoding: client.encoding)
        } else {
            documents[uri] = Document(uri: uri, version: version, text: text, encoding: client.encoding)
        }
    }

    /// `textDocument/didChange`: full or incremental changes.
    func change(_ params: JSONValue) throws(ResponseError) {
        let doc = try document(params)
        guard let changes = params["contentChanges"]?.arrayValue else { throw ResponseError.missing("contentChanges", "an array") }
        try doc.apply(changes, version: params["textDocument"]?["version"]?.intValue, encoding: client.encoding)
    }

    /// `textDocument/didClose`: forgets the document and clears its diagnostics.
    func close(_ params: JSONValue) throws(ResponseError) {
        let doc = try document(params)
        documents[doc.uri] = nil
        if diagnosed.remove(doc.uri) != nil {
            writer.notify(ServerNotification.publishDiagnostics.rawValue,
                          .object(["uri": .string(doc.uri), "diagnostics": .array([])]))
        }
    }

    /// `textDocument/didSave` and `workspace/didChangeWatchedFiles`: the open documents that import a saved or
    /// changed file are checked again (imports are read from disk, as `ptune check` reads them).
    func filesChanged(_ params: JSONValue) {
        var uris: [String] = []
        if let uri = params["textDocument"]?["uri"]?.stringValue { uris.append(uri) }
        for change in params["changes"]?.arrayValue ?? [] { if let uri = change["uri"]?.stringValue { uris.append(uri) } }
        let paths = Set(uris.compactMap(DocumentURI.path).map { DocumentURI.canonical($0) ?? $0 })
        guard !paths.isEmpty else { return }
        for doc in documents.values {
            guard let analysis = doc.analysis else { continue }
            if analysis.importedPaths.contains(where: paths.contains) {
                doc.analysis = nil
                doc.diagnosticsSent = false
            }
        }
    }

    /// The open document a request's `textDocument.uri` names.
    func document(_ params: JSONValue) throws(ResponseError) -> Document {
        guard let uri = params["textDocument"]?["uri"]?.stringValue else { throw ResponseError.missing("textDocument.uri", "a string") }
        guard let doc = documents[uri] else { throw ResponseError(.invalidParams, "the document '\(uri)' is not open") }
        return doc
    }

    /// The document's analysis, made now if its text changed since the last one.
    func analysis(of doc: Document) -> SourceAnalysis {
        if let a = doc.analysis { return a }
        let a = SourceAnalysis(doc.source, options: options)
        doc.analysis = a
        return a
    }

    /// The byte offset of a request's `position` in `doc`.
    func offset(_ params: JSONValue, in doc: Document) throws(ResponseError) -> Int {
        guard let p = Position(params["position"]) else { throw ResponseError.missing("position", "a position") }
        return doc.lines.offset(of: p)
    }

    // MARK: - Diagnostics

    /// Checks every document whose text changed and publishes its diagnostics.
    func publishDiagnostics() {
        for doc in documents.values where !doc.diagnosticsSent {
            let analysis = analysis(of: doc)
            let diagnostics = DiagnosticMapping(document: doc, analysis: analysis, encoding: client.encoding).json
            doc.diagnosticsSent = true
            if diagnostics.isEmpty { diagnosed.remove(doc.uri) } else { diagnosed.insert(doc.uri) }
            writer.notify(ServerNotification.publishDiagnostics.rawValue, .object([
                "uri": .string(doc.uri), "version": .int(doc.version), "diagnostics": .array(diagnostics),
            ]))
        }
    }
}
