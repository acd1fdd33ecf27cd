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
        let w = expression(what)
        let p = expression(path)
        if p.type != .string && p.type != .unknown { error(.wrongKind(context: "'save … to'", expected: "a path string", got: p.type.kindText), at: path.span) }
        var name = "tensor"
        if case let .name(n, _) = what { name = n }
        let wc = w.code, pc = p.code
        return { m in
            do {
                let v = try wc(m)
                guard case let .string(given) = try pc(m) else { throw RuntimeFailure(.wrongKind(context: "'save … to'", expected: "a path string", got: "something else")) }
                try Persistence.save(v, name: name, to: try m.resolve(given, forWriting: true))
            } catch { throw RuntimeFailure.located(error, at: span) }
            return .next
        }
    }

    /// `load x from "file"`.
    mutating func load(_ name: String, _ nameSpan: SourceSpan, _ path: Expr, _ span: SourceSpan) -> Exec {
        guard let b = resolve(name) else {
            error(.unknownName(name, suggestion: Suggestions.closest(to: name, in: visibleNames())), at: nameSpan)
            return { _ in .next }
        }
        switch b.kind {
        case .let, .param, .encoder, .model, .frozenModel, .loopVariable, .parameter, .history: break
        case .dim, .frozen, .data, .function:
            error(.cannotAssign(name, kind: b.kind.rawValue, hint: "load weights into a param, a let, a model or an encoder"), at: nameSpan)
        }
        let p = expression(path)
        if p.type != .string && p.type != .unknown { error(.wrongKind(context: "'load … from'", expected: "a path string", got: p.type.kindText), at: path.span) }
        let current = nameLoad(b, nameSpan), pc = p.code
        let replace = store(b, { m in m.returnValue }, span)
        return { m in
            do {
                guard case let .string(given) = try pc(m) else { throw RuntimeFailure(.wrongKind(context: "'load … from'", expected: "a path string", got: "something else")) }
                let path = try m.resolve(given, forWriting: false)
                if let v = try Persistence.load(into: try current(m), name: name, from: path) {
                    m.returnValue = v
                    _ = try replace(m)
                    m.returnValue = .none
                }
            } catch { throw RuntimeFailure.located(error, at: span) }
            return .next
        }
    }
}
