import PTuneCore

extension SourceAnalysis {
    /// The names in scope at byte `offset`: the top-level names declared by the statements before it (every
    /// top-level name, inside a function body), then the locals of the enclosing functions, loops and blocks
    /// declared before it. A later name shadows an earlier one of the same name.
    public func scope(at offset: Int) -> [Declaration] {
        var byName: [String: Int] = [:]
        var out: [Declaration] = []
        func add(_ d: Declaration) {
            if let i = byName[d.name] { out[i] = d } else { byName[d.name] = out.count; out.append(d) }
        }
        let table = globalTable(at: offset)
        for b in table.bindings where table.slots[b.name] == b.slot { add(Declaration(b)) }
        for d in index.declarations where !d.isGlobal && isVisible(d, at: offset) { add(d) }
        return out
    }

    /// The static type of `expression` (one expression, in ptune syntax) at byte `offset`, with the names in scope
    /// there; nil when it does not parse.
    public func type(of expression: String, at offset: Int) -> LangType? {
        let parsed = Parser.parse(SourceFile(name: "<expression>", text: expression))
        guard parsed.diagnostics.isEmpty, parsed.statements.count == 1, case let .expression(e, _) = parsed.statements[0] else {
            return nil
        }
        var c = Checker(globals: globalTable(at: offset), dtype: dtype(at: offset), overrides: [], registry: registry, access: access)
        var locals: [String: Binding] = [:]
        for d in index.declarations where !d.isGlobal && isVisible(d, at: offset) {
            locals[d.name] = Binding(name: d.name, slot: locals.count, kind: d.kind, type: d.type, span: d.span, isGlobal: false)
        }
        c.scopes = [locals]
        c.nextLocal = locals.count
        return c.expression(e).type
    }

    /// The members of the value `expression` denotes at byte `offset` (`lm` → its properties and methods), each
    /// with what it is: a property with its type, or a method.
    public func members(of expression: String, at offset: Int) -> [(name: String, referent: Referent)] {
        guard let t = type(of: expression, at: offset) else { return [] }
        return Session.members(of: t, registry: registry).map { name in
            if let kind = t.kind, let m = registry.method(kind, name) { return (name, .method(m)) }
            let type = (try? TypeRules.member(t, name, registry: registry)) ?? .unknown
            return (name, .property(name: name, receiver: t, type: type))
        }
    }

    /// The labels a call of `callee` accepts at byte `offset`: a builtin's or a declared function's parameters, a
    /// method's (`opt.step`), or `train`'s options.
    public func parameterNames(of callee: String, at offset: Int) -> [String] {
        if callee == "train" { return TrainOptionName.allCases.map(\.rawValue) }
        if let dot = callee.lastIndex(of: ".") {
            let method = String(callee[callee.index(after: dot)...])
            guard let kind = type(of: String(callee[..<dot]), at: offset)?.kind else { return [] }
            return registry.method(kind, method)?.parameterNames ?? []
        }
        if let d = scope(at: offset).last(where: { $0.name == callee }) { return d.kind == .function ? d.parameters : [] }
        return registry.global(callee)?.parameterNames ?? []
    }

    /// The builtins callable by name.
    public var builtinNames: [String] { registry.globalNames }

    /// The builtin called `name`, if any.
    public func builtin(named name: String) -> Builtin? { registry.global(name) }

    // MARK: - Scopes

    /// The top-level names at `offset`: after the last top-level statement that ends before it, or every one when
    /// `offset` is inside a function (a body may use names declared later).
    func globalTable(at offset: Int) -> GlobalTable {
        let enclosing = statements.first { $0.span.start <= offset && offset <= $0.span.end && isOwnSource($0.span.file) }
        if let enclosing, case .function = enclosing { return tables.last?.table ?? GlobalTable() }
        return tables.last { $0.end <= offset }?.table ?? GlobalTable()
    }

    /// The default float dtype at `offset`: the last top-level `dtype` statement before it.
    func dtype(at offset: Int) -> DType {
        var d = DType.float32
        for s in statements where s.span.end <= offset {
            if case let .dtype(name, _, _) = s, let t = DType(rawValue: name), t.isFloatingPoint { d = t }
        }
        return d
    }

    /// Whether the local `d` can be used at `offset`.
    func isVisible(_ d: Declaration, at offset: Int) -> Bool {
        guard let span = d.span.map({ $0 }) ?? visibilitySpan(d), isOwnSource(span.file) else { return false }
        switch d.visibility {
        case .global:
            return true
        case let .within(s):
            return s.start <= offset && offset <= s.end
        case .followingBlock:
            guard let block = blocks.first(where: { $0.lowerBound >= span.end }) else { return false }
            return block.lowerBound < offset && offset < block.upperBound
        case .restOfBlock:
            guard span.end <= offset else { return false }
            guard let block = blocks.last(where: { $0.contains(span.start) }) else { return true }
            return offset < block.upperBound
        }
    }

    /// The span that places a declaration with no name span (`batch`): the statement it is visible in.
    private func visibilitySpan(_ d: Declaration) -> SourceSpan? {
        if case let .within(s) = d.visibility { return s }
        return nil
    }
}
