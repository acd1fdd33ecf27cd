import Foundation
import PTuneCore
import PTuneLang
import PTuneREPL

extension LanguageServer {
    /// `textDocument/completion`: the REPL's completer over the document up to the cursor, with the names in scope
    /// there.
    func complete(_ params: JSONValue) throws(ResponseError) -> JSONValue {
        let doc = try document(params)
        let offset = try self.offset(params, in: doc)
        let analysis = analysis(of: doc)
        let source = DocumentCompletionSource(analysis: analysis, offset: offset)
        let folder = doc.source.directory ?? FileManager.default.currentDirectoryPath
        let completer = Completer(source: source, baseDirectory: folder, metaCommands: false)
        let result = completer.complete(bytes: Array(doc.bytes[..<offset]))
        let range = doc.lines.range(Swift.min(result.start, offset), offset)
        return CompletionItems(result: result, source: source, range: range, defaultRange: client.defaultEditRange).json
    }

    /// `completionItem/resolve`: a builtin's item gains its help.
    func resolveCompletion(_ item: JSONValue) -> JSONValue {
        guard case var .object(o) = item, let name = item["data"]?["builtin"]?.stringValue,
              let text = HoverText(markdown: client.markdownCompletion).help(named: name) else { return item }
        o["documentation"] = .object([
            "kind": .string(client.markdownCompletion ? "markdown" : "plaintext"), "value": .string(text),
        ])
        return .object(o)
    }

    /// `textDocument/hover`: the type and shape of a name, the help of a builtin, a method or a statement keyword.
    func hover(_ params: JSONValue) throws(ResponseError) -> JSONValue {
        let doc = try document(params)
        let offset = try self.offset(params, in: doc)
        let analysis = analysis(of: doc)
        let hover = HoverText(markdown: client.markdownHover)
        let text: String
        let span: SourceSpan
        if let o = analysis.occurrence(at: offset) {
            text = hover.text(for: o.referent, in: analysis)
            span = o.span
        } else if let t = analysis.token(at: offset), let statement = LanguageServer.statement(t) {
            text = hover.help(.statement(statement))
            span = t.span
        } else {
            return .null
        }
        return .object([
            "contents": .object(["kind": .string(client.markdownHover ? "markdown" : "plaintext"), "value": .string(text)]),
            "range": doc.lines.range(span.start, span.end).json,
        ])
    }

    /// The statement a keyword (`for`, `dim`) or a contextual word not used as a name (`train`, `model`) begins.
    static func statement(_ t: Token) -> StatementHelp? {
        switch t.kind {
        case .keyword, .identifier: return StatementHelp(rawValue: t.text)
        case .number, .string, .punctuation, .newline, .eof, .invalid: return nil
        }
    }

    /// `textDocument/definition`: where a name is declared (in the document or in a file it imports), or the file
    /// an `import` reads.
    func definition(_ params: JSONValue) throws(ResponseError) -> JSONValue {
        let doc = try document(params)
        let offset = try self.offset(params, in: doc)
        let analysis = analysis(of: doc)
        guard let o = analysis.occurrence(at: offset) else { return .null }
        switch o.referent {
        case let .declared(d):
            guard let span = d.span else { return .null }
            return DiagnosticMapping.location(span, document: doc, analysis: analysis, encoding: client.encoding) ?? .null
        case let .parameterLabel(_, p):
            guard let span = p.span else { return .null }
            return DiagnosticMapping.location(span, document: doc, analysis: analysis, encoding: client.encoding) ?? .null
        case let .importedFile(path):
            return .object(["uri": .string(DocumentURI.uri(path: path)), "range": TextRange.origin.json])
        case .builtin, .method, .property, .argument:
            return .null
        }
    }

    /// `textDocument/documentSymbol`: the document's declarations, nested (functions hold their locals) when the
    /// client can show that.
    func documentSymbols(_ params: JSONValue) throws(ResponseError) -> JSONValue {
        let doc = try document(params)
        let outline = analysis(of: doc).outline
        if client.hierarchicalSymbols { return .array(outline.map { DocumentSymbols.nested($0, in: doc) }) }
        return .array(outline.flatMap { DocumentSymbols.flat($0, container: nil, in: doc) })
    }
}
