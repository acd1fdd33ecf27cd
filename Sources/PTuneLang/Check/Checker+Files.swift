import Foundation
import PTuneCore

extension Checker {
    /// How many files deep imports may nest (each nested import is checked, compiled and run inside the one that
    /// imports it).
    static let maxImportDepth = 100

    /// `import "other.pt"`: the file's statements are checked here and run in its place, once per session.
    mutating func importFile(_ path: String, _ span: SourceSpan) -> CheckedStmt {
        let resolved: String
        do { resolved = try access.resolve(path, relativeTo: span.file.directory, forWriting: false) } catch {
            self.error(error, at: span)
            return .nothing
        }
        if importStack.contains(resolved) {
            error(.importCycle(path), at: span)
            return .nothing
        }
        if globals.imported.contains(resolved) { return .nothing }
        guard importStack.count < Checker.maxImportDepth else {
            error(.importsTooDeep(Checker.maxImportDepth), at: span)
            return .nothing
        }
        let data: Data
        do { data = try CheckedFiles(access: access).contents(resolved, limit: SourceFile.maxBytes) } catch {
            self.error(.fileError(path: path, (error as? FileReadError)?.reason ?? "\(error)"), at: span)
            return .nothing
        }
        let file = SourceFile(name: path, bytes: Array(data), directory: (resolved as NSString).deletingLastPathComponent)
        recordImport(span, path: resolved, file: file)
        let parsed = Parser.parse(file)
        if !parsed.diagnostics.isEmpty {
            if !silent { diagnostics += parsed.diagnostics }
            return .nothing
        }
        globals.imported.insert(resolved)
        importStack.append(resolved)
        let saved = (nextLocal, frameSize, pending)
        let checked = checkProgram(parsed.statements)
        (nextLocal, frameSize, pending) = saved
        importStack.removeLast()
        frameSize = Swift.max(frameSize, checked.map(\.frameSize).max() ?? 0)
        return .importFile(checked)
    }

    /// `save x to "file"`.
    mutating func save(_ what: Expr, _ path: Expr, _ span: SourceSpan) -> CheckedStmt {
        let w = expression(what)
        let p = expression(path)
        if p.type != .string && p.type != .unknown { error(.wrongKind(context: "'save … to'", expected: "a path string", got: p.type.kindText), at: path.span) }
        var name = "tensor"
        if case let .name(n, _) = what { name = n }
        return .save(w.expr, to: p.expr, name: name, span)
    }

    /// `load x from "file"`.
    mutating func load(_ name: String, _ nameSpan: SourceSpan, _ path: Expr, _ span: SourceSpan) -> CheckedStmt {
        guard let b = resolve(name) else {
            error(.unknownName(name, suggestion: Suggestions.closest(to: name, in: visibleNames())), at: nameSpan)
            return .nothing
        }
        recordReference(nameSpan, to: b)
        switch b.kind {
        case .let, .param, .encoder, .model, .frozenModel, .loopVariable, .parameter, .history: break
        case .dim, .frozen, .data, .function:
            error(.cannotAssign(name, kind: b.kind.rawValue, hint: "load weights into a param, a let, a model or an encoder"), at: nameSpan)
        }
        let p = expression(path)
        if p.type != .string && p.type != .unknown { error(.wrongKind(context: "'load … from'", expected: "a path string", got: p.type.kindText), at: path.span) }
        return .load(b.location, name: name, nameSpan, from: p.expr, span)
    }
}
