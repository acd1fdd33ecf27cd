/// One entry of a source's outline: a declaration, where it is, and the declarations inside it.
public struct OutlineEntry: Sendable {
    /// The declared name.
    public let name: String
    /// How it is declared.
    public let kind: BindingKind
    /// What it holds, in one line (`tensor [virtual, embed] float64`, `(a, b) -> tensor [2, 4]`).
    public let detail: String
    /// The whole declaring statement.
    public let span: SourceSpan
    /// The name.
    public let nameSpan: SourceSpan
    /// The local declarations of a function's body.
    public let children: [OutlineEntry]
}

extension SourceAnalysis {
    /// The declarations of the source in order — dims, params, frozen tensors, models, encoders, data, functions
    /// (with the `let`s of their bodies), `let`s and training histories — with what the checker knows of each.
    public var outline: [OutlineEntry] { statements.flatMap { outlineEntries($0) } }

    private func outlineEntries(_ s: Stmt) -> [OutlineEntry] {
        guard isOwnSource(s.span.file) else { return [] }
        switch s {
        case let .declare(kind, name, nameSpan, _, span):
            let d = declaration(declaredAt: nameSpan)
            return [OutlineEntry(name: name, kind: d?.kind ?? BindingKind(kind), detail: d?.detail ?? "", span: span,
                                 nameSpan: nameSpan, children: [])]
        case let .function(f):
            let d = declaration(declaredAt: f.nameSpan)
            var children: [OutlineEntry] = []
            if case let .block(body) = f.body { children = body.flatMap { nested($0) } }
            return [OutlineEntry(name: f.name, kind: .function, detail: d?.detail ?? "", span: f.span, nameSpan: f.nameSpan,
                                 children: children)]
        case let .train(t):
            guard let r = t.result else { return [] }
            return [OutlineEntry(name: r.name, kind: .history, detail: declaration(declaredAt: r.span)?.detail ?? "",
                                 span: t.span, nameSpan: r.span, children: [])]
        case .seed, .dtype, .ifElse, .forIn, .whileLoop, .print, .assert, .save, .load, .importFile, .returnValue,
             .breakLoop, .continueLoop, .assign, .expression:
            return []
        }
    }

    /// The declarations inside a function body, its nested blocks included.
    private func nested(_ s: Stmt) -> [OutlineEntry] {
        switch s {
        case .declare, .train: return outlineEntries(s)
        case let .ifElse(_, a, b, _): return (a + (b ?? [])).flatMap { nested($0) }
        case let .forIn(_, _, _, body, _), let .whileLoop(_, body, _): return body.flatMap { nested($0) }
        case .seed, .dtype, .function, .print, .assert, .save, .load, .importFile, .returnValue, .breakLoop,
             .continueLoop, .assign, .expression:
            return []
        }
    }
}

extension Declaration {
    /// How the declaration reads in a hover: `param encoder: tensor [virtual, embed] float64`, `dim embed = 4`,
    /// `fn join(a, b) -> tensor [2, 4] float32`.
    public var summary: String {
        switch kind {
        case .dim:
            if case let .dim(d) = type, let v = d.value { return "dim \(name) = \(v)" }
            return "dim \(name)"
        case .function:
            return "fn \(name)" + detail
        case .frozenModel:
            return "model \(name) (frozen): \(type)"
        case .loopVariable:
            return "for \(name): \(type)"
        case .let, .param, .frozen, .model, .encoder, .data, .parameter, .history:
            return "\(kind.rawValue) \(name): \(type)"
        }
    }

    /// What the name holds, in one line: its type, or a function's parameters and result.
    public var detail: String {
        switch kind {
        case .function:
            return "(" + parameters.joined(separator: ", ") + ")" + (returnType == .unknown ? "" : " -> \(returnType)")
        case .dim:
            if case let .dim(d) = type, let v = d.value { return "= \(v)" }
            return "dim"
        case .let, .param, .frozen, .model, .frozenModel, .encoder, .data, .loopVariable, .parameter, .history:
            return type.description
        }
    }
}

extension LangType {
    /// A tensor's shape with the size of each named dim, when every size is known and some dim has a name:
    /// `[virtual, embed] = [2, 4]`; nil otherwise.
    public var namedShape: String? {
        guard case let .tensor(t) = self, let shape = t.shape, shape.contains(where: { $0.name != nil }) else { return nil }
        let sizes = shape.compactMap(\.value)
        guard sizes.count == shape.count else { return nil }
        return t.shapeText + " = [" + sizes.map(String.init).joined(separator: ", ") + "]"
    }
}
