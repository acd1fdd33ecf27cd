import PTuneCore

extension Compiler {
    /// Checks and compiles one expression.
    mutating func expression(_ e: Expr) -> Compiled {
        switch e {
        case let .number(v, _):
            let val = Value.number(v)
            return Compiled(type: .number(v), code: { _ in val })
        case let .string(s, _):
            let val = Value.string(s)
            return Compiled(type: .string, code: { _ in val })
        case let .bool(b, _):
            let val = Value.bool(b)
            return Compiled(type: .bool, code: { _ in val })
        case .none:
            return Compiled(type: .none, code: { _ in .none })
        case let .name(n, span):
            return name(n, span)
        case let .list(items, _):
            let cs = items.map { expression($0) }
            let codes = cs
            let elem = cs.first.map { f in cs.allSatisfy { Compiler.sameKind($0.type, f.type) } ? f.type.widened : .unknown } ?? .unknown
            return Compiled(type: .list(elem), code: { m in
                var out: [Value] = []
                out.reserveCapacity(codes.count)
                for c in codes { out.append(try c.code(m)) }
                return .list(out)
            })
        case let .tensor(lit, span):
            return tensorLiteral(lit, span)
        case let .chain(items, span):
            let cs = items.map { expression($0) }
            for (c, item) in zip(cs, items) { expectNumber(c.type, "a size in '->'", at: item.span) }
            let codes = cs
            return Compiled(type: .list(.number(nil)), code: { m in
                var out: [Value] = []
                for c in codes {
                    let v = try c.code(m)
                    guard case let .number(x) = v, Value.exactInt(x) != nil else {
                        throw RuntimeFailure(.wrongKind(context: "a size in '->'", expected: "an integer", got: v.kindText), at: span)
                    }
                    out.append(v)
                }
                return .list(out)
            })
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
        }
    }

    // MARK: - Names

    mutating func name(_ n: String, _ span: SourceSpan) -> Compiled {
        if let b = resolve(n) {
            let type: LangType = b.kind == .function ? .function(b.name, arity: b.parameterNames.count) : b.type
            return Compiled(type: type, code: nameLoad(b, span))
        }
        if pending[n] != nil {
            if function != nil, let b = reservePending(n) {
                let slot = b.slot
                return Compiled(type: .unknown, code: { m in
                    guard m.initialized[slot] else {
                        throw RuntimeFailure(.uninitialized(n), at: span)
                    }
                    return m.globals[slot]
                })
            }
            error(.usedBeforeDeclaration(n), at: span, notes: pending[n].map { [Diagnostic(.declaredHere(n), at: $0, severity: .note)] } ?? [])
            return Compiled(type: .unknown, code: Compiler.failed(span))
        }
        if let b = registry.global(n) {
            let val = Value.builtin(b)
            return Compiled(type: .builtin(n), code: { _ in val })
        }
        error(.unknownName(n, suggestion: Suggestions.closest(to: n, in: visibleNames())), at: span)
        return Compiled(type: .unknown, code: Compiler.failed(span))
    }

    /// Code that reads a binding's slot.
    func nameLoad(_ b: Binding, _ span: SourceSpan) -> Code {
        let slot = b.slot
        if b.isGlobal {
            let name = b.name
            return { m in
                guard m.initialized[slot] else { throw RuntimeFailure(.uninitialized(name), at: span) }
                return m.globals[slot]
            }
        }
        return { m in m.stack[m.base + slot] }
    }

    // MARK: - Literals

    mutating func tensorLiteral(_ lit: TensorLiteral, _ span: SourceSpan) -> Compiled {
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
        return Compiled(type: .tensor(TensorType(shape: shape.map { Dim($0) }, dtype: dtype)), code: { m in
            do { return .tensor(try Tensor(literal: lit, dtype: m.defaultDType)) } catch { throw RuntimeFailure.located(error, at: span) }
        })
    }

    // MARK: - Operators

    mutating func unary(_ op: UnaryOp, _ x: Compiled, _ span: SourceSpan) -> Compiled {
        var type: LangType = .unknown
        do { type = try TypeRules.unary(op, x.type) } catch { self.error(error, at: span) }
        let code = x.code
        switch op {
        case .negate:
            return Compiled(type: type, code: { m in
                do { return try Operators.negate(try code(m)) } catch { throw RuntimeFailure.located(error, at: span) }
            })
        case .plus:
            return Compiled(type: type, code: code)
        case .not:
            return Compiled(type: type, code: { m in
                let v = try code(m)
                if case let .bool(b) = v { return .bool(!b) }
                do { return try Operators.not(v) } catch { throw RuntimeFailure.located(error, at: span) }
            })
        }
    }

    mutating func binary(_ op: BinaryOp, _ a: Compiled, _ b: Compiled, _ span: SourceSpan) -> Compiled {
        let type: LangType
        do { type = try TypeRules.binary(op, a.type, b.type) } catch {
            self.error(error, at: span)
            type = .unknown
        }
        let ac = a.code, bc = b.code
        switch op {
        case .and:
            return Compiled(type: type, code: { m in
                guard try Compiler.truth(ac, m, span) else { return .bool(false) }
                return .bool(try Compiler.truth(bc, m, span))
            })
        case .or:
            return Compiled(type: type, code: { m in
                if try Compiler.truth(ac, m, span) { return .bool(true) }
                return .bool(try Compiler.truth(bc, m, span))
            })
        case .add, .subtract, .multiply, .divide, .remainder, .matmul, .power, .equal, .notEqual, .less, .lessEqual,
             .greater, .greaterEqual, .rangeInclusive, .rangeExclusive:
            let f = Operators.function(op)
            return Compiled(type: type, code: { m in
                let x = try ac(m)
                let y = try bc(m)
                do { return try f(x, y) } catch { throw RuntimeFailure.located(error, at: span) }
            })
        }
    }

    // MARK: - Members and indexing

    mutating func member(_ base: Expr, _ name: String, _ span: SourceSpan) -> Compiled {
        let r = expression(base)
        var type: LangType = .unknown
        do { type = try Members.staticProperty(r.type, name, registry: registry) } catch { self.error(error, at: span) }
        let rc = r.code
        return Compiled(type: type, code: { m in
            let v = try rc(m)
            do { return try Members.property(v, name) } catch { throw RuntimeFailure.located(error, at: span) }
        })
    }

    mutating func index(_ base: Expr, _ subs: [Subscript], _ span: SourceSpan) -> Compiled {
        let b = expression(base)
        var parts: [(Machine) throws -> IndexPart] = []
        var kinds: [IndexPart.Static] = []
        for s in subs {
            switch s {
            case let .at(e):
                let c = expression(e)
                let code = c.code
                if case .string = c.type { kinds.append(.key) } else {
                    // A one-element tensor (`xs[i]` with `i` from a tensor literal) works as an index too.
                    if case let .tensor(t) = c.type, t.shape?.allSatisfy({ $0.value == 1 }) ?? true {} else {
                        expectNumber(c.type, "an index", at: e.span)
                    }
                    kinds.append(.at)
                }
                parts.append { m in try IndexPart.from(try code(m), at: e.span) }
            case let .slice(start, end, step, sspan):
                let codes = [start, end, step].map { $0.map { expression($0) } }
                for (c, ex) in zip(codes, [start, end, step]) { if let c, let ex { expectNumber(c.type, "a slice bound", at: ex.span) } }
                let s0 = codes[0]?.code, s1 = codes[1]?.code, s2 = codes[2]?.code
                kinds.append(start == nil && end == nil && step == nil ? .all : .slice)
                parts.append { m in
                    func bound(_ c: Code?) throws -> Int? {
                        guard let c else { return nil }
                        let v = try c(m)
                        if case .none = v { return nil }
                        guard case let .number(x) = v, let n = Value.exactInt(x) else {
                            throw RuntimeFailure(.notInteger(context: "a slice bound", value: v.debugText), at: sspan)
                        }
                        return n
                    }
                    return .slice(try bound(s0), try bound(s1), try bound(s2))
                }
            }
        }
        var type: LangType = .unknown
        do { type = try TypeRules.index(b.type, kinds) } catch { self.error(error, at: span) }
        let bc = b.code
        return Compiled(type: type, code: { m in
            let v = try bc(m)
            var ps: [IndexPart] = []
            ps.reserveCapacity(parts.count)
            for p in parts { ps.append(try p(m)) }
            do { return try Operators.index(v, ps) } catch { throw RuntimeFailure.located(error, at: span) }
        })
    }
}
