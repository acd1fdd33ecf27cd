import Foundation
import PTuneCore

extension Compiler {
    /// `import "other.pt"`: the file's statements are checked and run here, once per session.
    mutating func importFile(_ path: String, _ span: SourceSpan) -> Exec {
        let resolved: String
        do { resolved = try access.resolve(path, relativeTo: span.file.directory, forWriting: false) } catch {
            self.error(error, at: span)
            return { _ in .next }
        }
        if importStack.contains(resolved) {
            error(.importCycle(path), at: span)
            return { _ in .next }
        }
        if globals.imported.contains(resolved) { return { _ in .next } }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            error(.fileError(path: path, "cannot read the file"), at: span)
            return { _ in .next }
        }
        let file = SourceFile(name: path, bytes: Array(data), directory: (resolved as NSString).deletingLastPathComponent)
        let parsed = Parser.parse(file)
        if !parsed.diagnostics.isEmpty {
            if !silent { diagnostics += parsed.diagnostics }
            return { _ in .next }
        }
        globals.imported.insert(resolved)
        importStack.append(resolved)
        let saved = (nextLocal, frameSize, pending)
        let compiled = compileProgram(parsed.statements)
        (nextLocal, frameSize, pending) = saved
        importStack.removeLast()
        frameSize = Swift.max(frameSize, compiled.map(\.frameSize).max() ?? 0)
        let steps: [(Exec, Code?)] = compiled.map { ($0.exec, $0.value) }
        return { m in
            for (exec, value) in steps {
                if let value { _ = try value(m) } else { _ = try exec(m) }
            }
            return .next
        }
    }

    /// `save x to "file"`.
    mutating func save(_ what: Expr, _ path: Expr, _ span: SourceSpan) -> Exec {
        _ = expression(what)
        let p = expression(path)
        if p.type != .string && p.type != .unknown { error(.wrongKind(context: "'save … to'", expected: "a path string", got: p.type.kindText), at: path.span) }
        return { _ in throw RuntimeFailure(.unavailable("'save'"), at: span) }
    }

    /// `load x from "file"`.
    mutating func load(_ name: String, _ nameSpan: SourceSpan, _ path: Expr, _ span: SourceSpan) -> Exec {
        if resolve(name) == nil { error(.unknownName(name, suggestion: Suggestions.closest(to: name, in: visibleNames())), at: nameSpan) }
        let p = expression(path)
        if p.type != .string && p.type != .unknown { error(.wrongKind(context: "'load … from'", expected: "a path string", got: p.type.kindText), at: path.span) }
        return { _ in throw RuntimeFailure(.unavailable("'load'"), at: span) }
    }
}
