import PTuneCore

extension Checker {
    /// Checks one statement.
    mutating func statement(_ s: Stmt, topLevel: Bool = false) -> CheckedStmt {
        switch s {
        case let .seed(e, span):
            let c = expression(e)
            expectNumber(c.type, "'seed'", at: e.span)
            return .seed(c.expr, span, valueSpan: e.span)
        case let .dtype(name, nameSpan, _):
            if !topLevel { error(.topLevelOnly("'dtype'"), at: s.span) }
            guard let d = DType(rawValue: name), d.isFloatingPoint else {
                error(.unknownDType(name), at: nameSpan)
                return .nothing
            }
            dtype = d
            return .dtype(d)
        case let .declare(kind, name, nameSpan, value, span):
            return declaration(kind, name, nameSpan, value, span, topLevel: topLevel)
        case let .function(f):
            return topLevel ? functionDeclaration(f) : localFunction(f)
        case let .ifElse(cond, then, otherwise, _):
            let c = condition(cond)
            let a = inScope { $0.block(then) }
            let b = otherwise.map { o in inScope { $0.block(o) } }
            return .ifElse(c, cond.span, a, b)
        case let .forIn(name, nameSpan, iterable, body, _):
            return forLoop(name, nameSpan, iterable, body)
        case let .whileLoop(cond, body, _):
            let c = condition(cond)
            loopDepth += 1
            let b = inScope { $0.block(body) }
            loopDepth -= 1
            return .whileLoop(c, cond.span, b)
        case let .train(t):
            return train(t, topLevel: topLevel)
        case let .print(items, span):
            return .print(items.map { expression($0).expr }, span)
        case let .assert(cond, message, span):
            let c = condition(cond)
            let msg = message.map { expression($0).expr }
            return .assert(c, cond.span, msg, span)
        case let .save(what, path, span):
            return save(what, path, span)
        case let .load(name, nameSpan, path, span):
            return load(name, nameSpan, path, span)
        case let .importFile(path, span):
            if !topLevel { error(.topLevelOnly("'import'"), at: span); return .nothing }
            return importFile(path, span)
        case let .returnValue(e, span):
            guard function != nil else { error(.returnOutsideFunction, at: span); return .nothing }
            guard let e else { return .returnValue(nil) }
            let c = expression(e)
            function?.returns.append(c.type)
            return .returnValue(c.expr)
        case let .breakLoop(span):
            if loopDepth == 0 { error(.outsideLoop("break"), at: span) }
            return .breakLoop
        case let .continueLoop(span):
            if loopDepth == 0 { error(.outsideLoop("continue"), at: span) }
            return .continueLoop
        case let .assign(target, op, value, span):
            return assignment(target, op, value, span)
        case let .expression(e, _):
            // A top-level expression is checked by `checkProgram` (the REPL wants its value).
            if topLevel { return .nothing }
            return .evaluate(expression(e).expr)
        }
    }

    /// A block's statements. Local functions declared one after another form a group whose members may call each
    /// other (a function sees only what is declared before it otherwise).
    mutating func block(_ statements: [Stmt]) -> [CheckedStmt] {
        var out: [CheckedStmt] = []
        var i = statements.startIndex
        while i < statements.endIndex {
            var group: [FunctionDecl] = []
            var j = i
            while j < statements.endIndex, case let .function(f) = statements[j],
                  !group.contains(where: { $0.name == f.name }) {
                group.append(f)
                j += 1
            }
            if group.count > 1 {
                out.append(localFunctionGroup(group))
                i = j
            } else {
                out.append(statement(statements[i]))
                i += 1
            }
        }
        return out
    }

    /// A condition: a bool or a one-element tensor.
    mutating func condition(_ e: Expr) -> CheckedExpr {
        let c = expression(e)
        switch c.type {
        case .bool, .unknown: break
        case let .tensor(t):
            if let shape = t.shape, shape.contains(where: { ($0.value ?? 1) != 1 }) {
                error(.wrongKind(context: "a condition", expected: "a bool", got: c.type.kindText), at: e.span)
            }
        case .none, .number, .dim, .string, .list, .numberList, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            error(.wrongKind(context: "a condition", expected: "a bool", got: c.type.kindText), at: e.span)
        }
        return c.expr
    }

    /// Reports a static type that cannot be a number.
    mutating func expectNumber(_ t: LangType, _ context: String, at span: SourceSpan) {
        switch t {
        case .number, .dim, .unknown: return
        case .tensor, .none, .bool, .string, .list, .numberList, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            error(.wrongKind(context: context, expected: "a number", got: t.kindText), at: span)
        }
    }

    /// `for name in iterable { body }`: a range and a rank-1 tensor give numbers, a list its elements, a tensor its
    /// rows.
    mutating func forLoop(_ name: String, _ nameSpan: SourceSpan, _ iterable: Expr, _ body: [Stmt]) -> CheckedStmt {
        let it = expression(iterable)
        let elementType: LangType
        switch it.type {
        case .range: elementType = .number(nil)
        case let .list(e): elementType = e
        case let .numberList(t):
            elementType = t.shape.map { $0.count <= 1 ? .number(nil) : .numberList(TensorType(shape: Array($0.dropFirst()), dtype: t.dtype)) } ?? .unknown
        case let .tensor(t):
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
            c.recordDeclaration(name, nameSpan, kind: .loopVariable, type: elementType.widened, isGlobal: false, visibility: .followingBlock)
            c.loopDepth += 1
            let b = c.block(body)
            c.loopDepth -= 1
            return .forIn(slot: slot, it.expr, iterable.span, b)
        }
    }
}
