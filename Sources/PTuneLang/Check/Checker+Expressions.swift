import PTuneCore

extension Checker {
    /// Checks one expression.
    mutating func expression(_ e: Expr) -> Checked {
        guard stack.hasRoom() else {
            if !reportedStack { error(.nestedTooDeeply(Parser.maxDepth), at: e.span) }
            reportedStack = true
            return Checked(type: .unknown, expr: .constant(.none))
        }
        switch e {
        case let .number(v, _):
            return Checked(type: .number(v), expr: .constant(.number(v)))
        case let .string(s, _):
            return Checked(type: .string, expr: .constant(.string(s)))
        case let .bool(b, _):
            return Checked(type: .bool, expr: .constant(.bool(b)))
        case .none:
            return Checked(type: .none, expr: .constant(.none))
        case let .name(n, span):
            return name(n, span)
        case let .list(items, _):
            let cs = items.map { expression($0) }
            let elem = cs.first.map { f in cs.allSatisfy { Checker.sameKind($0.type, f.type) } ? f.type.widened : .unknown } ?? .unknown
            return Checked(type: .list(elem), expr: .list(cs.map(\.expr)))
        case let .tensor(lit, span):
            return tensorLiteral(lit, span)
        case let .chain(items, span):
            let cs = items.map { expression($0) }
            for (c, item) in zip(cs, items) { expectNumber(c.type, "a size in '->'", at: item.span) }
            return Checked(type: .list(.number(nil)), expr: .sizes(cs.map(\.expr), span))
        case let .unary(op, x, span):
            return unary(op, expression(x), span)
        case let .binary(op, a, b, span):
            return binary(op, expression(a), expression(b), span)
        case let .call(callee, args, span):
            return call(callee, args, span)
        case let .member(base, name, span):
            return member(base, name, span)
        case let .index(base, subs, span):
            return index(base, subs, span)
        case let .record(fields, _):
            var seen: Set<String> = []
            for f in fields where !seen.insert(f.name).inserted {
                error(.duplicateField(f.name), at: f.nameSpan)
            }
            let cs = fields.map { expression($0.value) }
            // Encoders and models keep what is known of their widths (a record of encoders, one per task, is checked
            // against the model it feeds); other fields forget their constants and shapes.
            return Checked(type: .record(RecordType(zip(fields, cs).map { ($0.name, $1.type.isEncoderOrModel ? $1.type : $1.type.widened) })),
                           expr: .record(fields.map(\.name), cs.map(\.expr)))
        case let .lambda(f, _):
            return lambda(f)
        case let .conditional(cond, then, otherwise, _):
            let c = condition(cond)
            let a = expression(then), b = expression(otherwise)
            let type: LangType = a.type == b.type ? a.type : Checker.sameKind(a.type, b.type) ? a.type.widened : .unknown
            return Checked(type: type, expr: .conditional(c, cond.span, a.expr, b.expr))
        }
    }

    // MARK: - Names

    mutating func name(_ n: String, _ span: SourceSpan) -> Checked {
        if let b = resolve(n) {
            recordReference(span, to: b)
            let type: LangType = b.kind == .function ? .function(b.name, arity: b.parameterNames.count) : b.type
            return Checked(type: type, expr: .load(b.location, span))
        }
        if pending[n] != nil {
            if function != nil, let b = reservePending(n) {
                recordReference(span, to: b)
                return Checked(type: .unknown, expr: .load(b.location, span))
            }
            error(.usedBeforeDeclaration(n), at: span, notes: pending[n].map { [Diagnostic(.declaredHere(n), at: $0, severity: .note)] } ?? [])
            return Checked(type: .unknown, expr: .invalid(span))
        }
        if let b = registry.global(n) {
            recordBuiltin(span, b)
            return Checked(type: .builtin(n), expr: .constant(.builtin(b)))
        }
        error(.unknownName(n, suggestion: Suggestions.closest(to: n, in: visibleNames())), at: span)
        return Checked(type: .unknown, expr: .invalid(span))
    }

    // MARK: - Literals

    mutating func tensorLiteral(_ lit: TensorLiteral, _ span: SourceSpan) -> Checked {
        var shape: [Int] = []
        var level = lit
        while case let .list(items) = level {
            shape.append(items.count)
            guard let first = items.first else { break }
            level = first
        }
        func ragged(_ l: TensorLiteral, _ depth: Int) -> String? {
            switch l {
            case .scalar: return depth == shape.count ? nil : "a number where a list of \(shape[depth]) was expected"
            case let .list(items):
                guard depth < shape.count else { return "a list where a number was expected" }
                guard items.count == shape[depth] else { return "a list of \(items.count) where \(shape[depth]) items were expected" }
                for i in items { if let r = ragged(i, depth + 1) { return r } }
                return nil
            }
        }
        if let why = ragged(lit, 0) { error(.raggedLiteral(why), at: span) }
        return Checked(type: .numberList(TensorType(shape: shape.map { Dim($0) }, dtype: dtype)), expr: .tensorLiteral(lit, span))
    }

    // MARK: - Operators

    mutating func unary(_ op: UnaryOp, _ x: Checked, _ span: SourceSpan) -> Checked {
        var type: LangType = .unknown
        do { type = try TypeRules.unary(op, x.type) } catch { self.error(error, at: span) }
        return Checked(type: type, expr: .unary(op, x.expr, span))
    }

    mutating func binary(_ op: BinaryOp, _ a: Checked, _ b: Checked, _ span: SourceSpan) -> Checked {
        let type: LangType
        do { type = try TypeRules.binary(op, a.type, b.type) } catch {
            self.error(error, at: span)
            type = .unknown
        }
        return Checked(type: type, expr: .binary(op, a.expr, b.expr, span))
    }

    // MARK: - Members and indexing

    mutating func member(_ base: Expr, _ name: String, _ span: SourceSpan) -> Checked {
        let r = expression(base)
        var type: LangType = .unknown
        do { type = try TypeRules.member(r.type, name, registry: registry) } catch { self.error(error, at: span) }
        recordMember(span, name, .property(name: name, receiver: r.type, type: type))
        return Checked(type: type, expr: .member(r.expr, name, span))
    }

    mutating func index(_ base: Expr, _ subs: [Subscript], _ span: SourceSpan) -> Checked {
        let b = expression(base)
        var parts: [CheckedSubscript] = []
        var kinds: [IndexPart.Static] = []
        for s in subs {
            switch s {
            case let .at(e):
                let c = expression(e)
                if case .string = c.type { kinds.append(.key) } else {
                    // A one-element tensor (`xs[i]` with `i` from a tensor literal) works as an index too.
                    if case let .tensor(t) = c.type, t.shape?.allSatisfy({ $0.value == 1 }) ?? true {} else {
                        expectNumber(c.type, "an index", at: e.span)
                    }
                    kinds.append(.at)
                }
                parts.append(.at(c.expr, e.span))
            case let .slice(start, end, step, sspan):
                let bounds = [start, end, step].map { $0.map { expression($0) } }
                for (c, ex) in zip(bounds, [start, end, step]) { if let c, let ex { expectNumber(c.type, "a slice bound", at: ex.span) } }
                kinds.append(start == nil && end == nil && step == nil ? .all : .slice)
                parts.append(.slice(bounds[0]?.expr, bounds[1]?.expr, bounds[2]?.expr, sspan))
            }
        }
        var type: LangType = .unknown
        do { type = try TypeRules.index(b.type, kinds) } catch { self.error(error, at: span) }
        return Checked(type: type, expr: .index(b.expr, parts, span))
    }

    /// Whether two static types are of the same kind (ignoring shapes and constants).
    static func sameKind(_ a: LangType, _ b: LangType) -> Bool {
        a.kind == b.kind
    }
}
