import PTuneCore

extension CodeGen {
    /// Compiles one checked expression.
    static func expression(_ e: CheckedExpr) -> Code {
        switch e {
        case let .constant(v):
            return { _ in v }
        case let .load(slot, span):
            return load(slot, span)
        case let .list(items):
            let codes = items.map { CodeBox(code: expression($0)) }
            return { m in
                var out: [Value] = []
                out.reserveCapacity(codes.count)
                for c in codes { out.append(try c.code(m)) }
                return .list(out)
            }
        case let .record(names, items):
            let codes = items.map { CodeBox(code: expression($0)) }
            return { m in
                var values: [Value] = []
                values.reserveCapacity(codes.count)
                for c in codes { values.append(try c.code(m)) }
                return .record(Record(Array(zip(names, values))))
            }
        case let .conditional(cond, condSpan, then, otherwise):
            let c = expression(cond), a = expression(then), b = expression(otherwise)
            return { m in try Control.truth(c, m, condSpan) ? try a(m) : try b(m) }
        case let .tensorLiteral(lit, span):
            return { _ in
                do { return try Value.numbers(lit) } catch { throw RuntimeFailure.located(error, at: span) }
            }
        case let .sizes(items, span):
            let codes = items.map { CodeBox(code: expression($0)) }
            return { m in
                var out: [Value] = []
                for c in codes {
                    let v = try c.code(m)
                    guard case let .number(x) = v, Value.exactInt(x) != nil else {
                        throw RuntimeFailure(.wrongKind(context: "a size in '->'", expected: "an integer", got: v.kindText), at: span)
                    }
                    out.append(v)
                }
                return .list(out)
            }
        case let .unary(op, x, span):
            return unary(op, expression(x), span)
        case let .binary(op, a, b, span):
            return binary(op, expression(a), expression(b), span)
        case let .builtinCall(b, plan, args, span):
            return builtinCall(b, plan, args.map { CodeBox(code: expression($0)) }, span)
        case let .userCall(callee, name, args, span):
            return userCall(expression(callee), name, args.map { CodeBox(code: expression($0)) }, span)
        case let .dynamicCall(callee, args, labels, span):
            return dynamicCall(expression(callee), args.map { CodeBox(code: expression($0)) }, labels, span)
        case let .methodCall(receiver, name, args, labels, span):
            return methodCall(expression(receiver), name, args.map { CodeBox(code: expression($0)) }, labels, span)
        case let .member(base, name, span):
            let rc = expression(base)
            let listMember = ValueKind.list.propertyNames.contains(name)
            return { m in
                var v = try rc(m)
                do {
                    // A list of numbers has a tensor's members where a list has none of the name.
                    if case .list = v, !listMember { v = try v.tensorIfNumbers(dtype: m.defaultDType) }
                    return try Members.property(v, name)
                } catch { throw RuntimeFailure.located(error, at: span) }
            }
        case let .index(base, subscripts, span):
            return index(expression(base), subscripts, span)
        case let .closure(f):
            return closure(f, f.span)
        case let .invalid(span):
            return { _ in throw RuntimeFailure(.internalError("ran code that failed to check"), at: span) }
        }
    }

    // MARK: - Operators

    static func unary(_ op: UnaryOp, _ code: @escaping Code, _ span: SourceSpan) -> Code {
        switch op {
        case .negate:
            return { m in
                do { return try Operators.negate(try code(m).tensorIfNumbers(dtype: m.defaultDType)) } catch { throw RuntimeFailure.located(error, at: span) }
            }
        case .plus:
            return code
        case .not:
            return { m in
                let v = try code(m)
                if case let .bool(b) = v { return .bool(!b) }
                do { return try Operators.not(v) } catch { throw RuntimeFailure.located(error, at: span) }
            }
        }
    }

    static func binary(_ op: BinaryOp, _ ac: @escaping Code, _ bc: @escaping Code, _ span: SourceSpan) -> Code {
        switch op {
        case .and:
            return { m in
                guard try Control.truth(ac, m, span) else { return .bool(false) }
                return .bool(try Control.truth(bc, m, span))
            }
        case .or:
            return { m in
                if try Control.truth(ac, m, span) { return .bool(true) }
                return .bool(try Control.truth(bc, m, span))
            }
        case .add, .subtract, .multiply, .divide, .remainder, .matmul, .power, .equal, .notEqual, .less, .lessEqual,
             .greater, .greaterEqual, .rangeInclusive, .rangeExclusive:
            let f = Operators.function(op)
            return { m in
                let x = try ac(m)
                let y = try bc(m)
                do {
                    if case .list = x { return try Operators.withNumberLists(op, x, y, dtype: m.defaultDType, f) }
                    if case .list = y { return try Operators.withNumberLists(op, x, y, dtype: m.defaultDType, f) }
                    return try f(x, y)
                } catch { throw RuntimeFailure.located(error, at: span) }
            }
        }
    }

    // MARK: - Indexing

    static func index(_ bc: @escaping Code, _ subscripts: [CheckedSubscript], _ span: SourceSpan) -> Code {
        var parts: [(Machine) throws -> IndexPart] = []
        for s in subscripts {
            switch s {
            case let .at(e, at):
                let code = expression(e)
                parts.append { m in try IndexPart.from(try code(m), at: at) }
            case let .slice(start, end, step, sspan):
                let s0 = start.map(expression), s1 = end.map(expression), s2 = step.map(expression)
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
        return { m in
            var v = try bc(m)
            var ps: [IndexPart] = []
            ps.reserveCapacity(parts.count)
            for p in parts { ps.append(try p(m)) }
            do {
                // Several indices into a list of numbers ask for a tensor: `xs[1, 0]`.
                if ps.count > 1, case .list = v { v = try v.tensorIfNumbers(dtype: m.defaultDType) }
                return try Operators.index(v, ps)
            } catch { throw RuntimeFailure.located(error, at: span) }
        }
    }
}
