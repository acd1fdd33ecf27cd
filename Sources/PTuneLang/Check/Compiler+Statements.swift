import PTuneCore

extension Compiler {
    /// Checks and compiles one statement.
    mutating func statement(_ s: Stmt, topLevel: Bool = false) -> Exec {
        switch s {
        case let .seed(e, span):
            let c = expression(e)
            expectNumber(c.type, "'seed'", at: e.span)
            let code = c.code
            return { m in
                let v: Value
                do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: span) }
                guard case let .number(x) = v, let n = Value.exactInt(x), n >= 0 else {
                    throw RuntimeFailure(.notInteger(context: "the seed", value: v.debugText), at: e.span)
                }
                m.reseed(UInt64(n))
                return .next
            }
        case let .dtype(name, nameSpan, _):
            if !topLevel { error(.topLevelOnly("'dtype'"), at: s.span) }
            guard let d = DType(rawValue: name), d.isFloatingPoint else {
                error(.unknownDType(name), at: nameSpan)
                return { _ in .next }
            }
            dtype = d
            return { m in m.defaultDType = d; return .next }
        case let .declare(kind, name, nameSpan, value, span):
            return declaration(kind, name, nameSpan, value, span, topLevel: topLevel)
        case let .function(f):
            if !topLevel { error(.topLevelOnly("'fn'"), at: f.span); return { _ in .next } }
            return functionDeclaration(f)
        case let .ifElse(cond, then, otherwise, _):
            let c = condition(cond)
            let a = inScope { $0.block(then) }
            let b = otherwise.map { o in inScope { $0.block(o) } }
            if let b {
                return { m in try Compiler.truth(c, m, cond.span) ? try a(m) : try b(m) }
            }
            return { m in try Compiler.truth(c, m, cond.span) ? try a(m) : .next }
        case let .forIn(name, nameSpan, iterable, body, span):
            return forLoop(name, nameSpan, iterable, body, span)
        case let .whileLoop(cond, body, _):
            let c = condition(cond)
            loopDepth += 1
            let b = inScope { $0.block(body) }
            loopDepth -= 1
            return { m in
                while try Compiler.truth(c, m, cond.span) {
                    try m.checkInterrupt()
                    switch try b(m) {
                    case .next, .continueLoop: continue
                    case .breakLoop: return .next
                    case .returned: return .returned
                    }
                }
                return .next
            }
        case let .train(t):
            return train(t, topLevel: topLevel)
        case let .print(items, span):
            let codes = items.map { expression($0) }
            return { m in
                var parts: [String] = []
                parts.reserveCapacity(codes.count)
                for c in codes {
                    do { parts.append(try c.code(m).description) } catch { throw RuntimeFailure.located(error, at: span) }
                }
                m.output.write(parts.joined(separator: " "))
                return .next
            }
        case let .assert(cond, message, span):
            let c = condition(cond)
            let msg = message.map { expression($0).code }
            return { m in
                if try Compiler.truth(c, m, cond.span) { return .next }
                let text = try msg.map { try $0(m).description }
                throw RuntimeFailure(.assertionFailed(text), at: span)
            }
        case let .save(what, path, span):
            return save(what, path, span)
        case let .load(name, nameSpan, path, span):
            return load(name, nameSpan, path, span)
        case let .importFile(path, span):
            if !topLevel { error(.topLevelOnly("'import'"), at: span); return { _ in .next } }
            return importFile(path, span)
        case let .returnValue(e, span):
            guard function != nil else { error(.returnOutsideFunction, at: span); return { _ in .next } }
            guard let e else { return { m in m.returnValue = .none; return .returned } }
            let c = expression(e)
            function?.returns.append(c.type)
            let code = c.code
            return { m in m.returnValue = try code(m); return .returned }
        case let .breakLoop(span):
            if loopDepth == 0 { error(.outsideLoop("break"), at: span) }
            return { _ in .breakLoop }
        case let .continueLoop(span):
            if loopDepth == 0 { error(.outsideLoop("continue"), at: span) }
            return { _ in .continueLoop }
        case let .assign(target, op, value, span):
            return assignment(target, op, value, span)
        case let .expression(e, _):
            // A top-level expression is compiled by `compileProgram` (the REPL wants its value).
            if topLevel { return { _ in .next } }
            let code = expression(e).code
            return { m in _ = try code(m); return .next }
        }
    }

    /// A block's statements as one piece of code.
    mutating func block(_ statements: [Stmt]) -> Exec {
        // Wrapped in `Step` so that the closures are not reabstracted by the array (see `Compiler.builtinCall`).
        let execs = statements.map { Step(exec: statement($0)) }
        switch execs.count {
        case 0: return { _ in .next }
        case 1: return execs[0].exec
        default:
            return { m in
                for e in execs {
                    let f = try e.exec(m)
                    if case .next = f { continue }
                    return f
                }
                return .next
            }
        }
    }

    /// A condition: a bool or a one-element tensor.
    mutating func condition(_ e: Expr) -> Code {
        let c = expression(e)
        switch c.type {
        case .bool, .unknown: break
        case let .tensor(t):
            if let shape = t.shape, shape.contains(where: { ($0.value ?? 1) != 1 }) {
                error(.wrongKind(context: "a condition", expected: "a bool", got: c.type.kindText), at: e.span)
            }
        case .none, .number, .dim, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            error(.wrongKind(context: "a condition", expected: "a bool", got: c.type.kindText), at: e.span)
        }
        return c.code
    }

    /// Evaluates a condition at run time.
    @inline(__always)
    static func truth(_ c: Code, _ m: Machine, _ span: SourceSpan) throws -> Bool {
        let v = try c(m)
        if case let .bool(b) = v { return b }
        do { return try Operators.truth(v) } catch { throw RuntimeFailure.located(error, at: span) }
    }

    /// Reports a static type that cannot be a number.
    mutating func expectNumber(_ t: LangType, _ context: String, at span: SourceSpan) {
        switch t {
        case .number, .dim, .unknown: return
        case .tensor, .none, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            error(.wrongKind(context: context, expected: "a number", got: t.kindText), at: span)
        }
    }

    // MARK: - Loops

    mutating func forLoop(_ name: String, _ nameSpan: SourceSpan, _ iterable: Expr, _ body: [Stmt],
                          _ span: SourceSpan) -> Exec {
        let it = expression(iterable)
        let elementType: LangType
        switch it.type {
        case .range: elementType = .number(nil)
        case let .list(e): elementType = e
        case let .tensor(t):
            // A rank-1 tensor yields its elements as numbers (`for a in [1, 2, 3]`); others yield rows.
            elementType = t.shape?.count == 1 ? .number(nil) : .tensor(TensorType(shape: t.shape.map { Array($0.dropFirst()) }, dtype: t.dtype))
        case .unknown: elementType = .unknown
        case .dataset, .none, .number, .dim, .bool, .string, .record, .function, .builtin, .model, .encoder,
             .optimizer, .schedule:
            error(.wrongKind(context: "'for … in'", expected: "a range, a list or a tensor (for a dataset, iterate over batches(data, size))",
                             got: it.type.kindText), at: iterable.span)
            elementType = .unknown
        }
        return inScope { c in
            let slot = c.declareLocal(name, kind: .loopVariable, type: elementType.widened, span: nameSpan)
            c.loopDepth += 1
            let b = c.block(body)
            c.loopDepth -= 1
            let itCode = it.code
            let itSpan = iterable.span
            return { m in
                let seq: Value
                do { seq = try itCode(m) } catch { throw RuntimeFailure.located(error, at: itSpan) }
                switch seq {
                case let .range(lo, hi):
                    var i = lo
                    while i < hi {
                        try m.checkInterrupt()
                        m.stack[m.base + slot] = .number(Double(i))
                        switch try b(m) {
                        case .next, .continueLoop: break
                        case .breakLoop: return .next
                        case .returned: return .returned
                        }
                        i += 1
                    }
                    return .next
                case let .list(items):
                    for v in items {
                        try m.checkInterrupt()
                        m.stack[m.base + slot] = v
                        switch try b(m) {
                        case .next, .continueLoop: continue
                        case .breakLoop: return .next
                        case .returned: return .returned
                        }
                    }
                    return .next
                case .tensor, .param:
                    guard let t = seq.tensorValue, t.rank >= 1 else {
                        throw RuntimeFailure(.wrongKind(context: "'for … in'", expected: "a tensor with at least one axis", got: seq.kindText), at: itSpan)
                    }
                    let elements = t.rank == 1 ? t.doubles : []
                    for i in 0..<t.shape[0] {
                        try m.checkInterrupt()
                        if t.rank == 1 {
                            m.stack[m.base + slot] = .number(elements[i])
                        } else {
                            do { m.stack[m.base + slot] = .tensor(try t.indexed([.at(i)])) } catch { throw RuntimeFailure.located(error, at: itSpan) }
                        }
                        switch try b(m) {
                        case .next, .continueLoop: continue
                        case .breakLoop: return .next
                        case .returned: return .returned
                        }
                    }
                    return .next
                case .none, .number, .bool, .string, .record, .function, .builtin, .model, .encoder, .dataset,
                     .optimizer, .schedule:
                    throw RuntimeFailure(.wrongKind(context: "'for … in'", expected: "a range, a list or a tensor", got: seq.kindText), at: itSpan)
                }
            }
        }
    }
}
