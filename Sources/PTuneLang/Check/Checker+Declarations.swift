import PTuneCore

extension Checker {
    /// `let`, `dim`, `param`, `frozen`, `model`, `encoder`, `data`.
    mutating func declaration(_ kind: DeclKind, _ name: String, _ nameSpan: SourceSpan, _ valueExpr: Expr,
                              _ span: SourceSpan, topLevel: Bool) -> CheckedStmt {
        if kind != .let && !topLevel {
            error(.topLevelOnly("'\(kind.rawValue)'"), at: span)
            return .nothing
        }
        var value = valueExpr
        if topLevel, let o = overrides[name], kind == .dim || (kind == .let && Checker.isLiteral(valueExpr)) {
            usedOverrides.insert(name)
            value = o.expression(at: valueExpr.span)
            // A `let` keeps the kind of its literal: `--set lr=abc` for `let lr = 0.1` is refused before anything runs.
            if kind == .let, let here = Checker.literal(valueExpr), let given = Checker.literal(value),
               let want = Checker.literalKind(here), let got = Checker.literalKind(given), want != got {
                error(.badOverride("\(name)=\(o.text): '\(name)' is \(want) here, so its value must be one too, not \(got)"), at: valueExpr.span)
            }
        }
        if kind == .encoder, case let .call(.name(n, ns), args, cs) = value, resolve(n) == nil,
           registry.global(n + "_encoder") != nil {
            // `encoder pe = mlp(virtual, embed)` means the MLP prompt encoder, not an MLP layer.
            value = .call(.name(n + "_encoder", ns), args, cs)
        }
        var c: Checked
        if kind == .let, case let .lambda(f, _) = value {
            c = lambda(f, named: name)
        } else {
            c = expression(value)
        }
        var type = c.type
        switch kind {
        case .let:
            if assigned.contains(name) { type = type.widened }
        case .dim:
            switch c.type {
            case .number, .dim:
                let d = ShapeRules.dim(from: c.type)
                if let v = d.value, v <= 0 { error(.badDim(name, "must be a positive integer, got \(v)"), at: value.span) }
                if case let .number(x) = c.type, let x, Value.exactInt(x) == nil {
                    error(.badDim(name, "must be a positive integer, got \(Value.format(x))"), at: value.span)
                }
                type = .dim(Dim(d.value, name: name))
            case .unknown:
                type = .dim(Dim(nil, name: name))
            case .none, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin, .model,
                 .encoder, .dataset, .optimizer, .schedule:
                error(.badDim(name, "must be a positive integer, got \(c.type.kindText)"), at: value.span)
                type = .dim(Dim(nil, name: name))
            }
        case .param, .frozen:
            switch c.type {
            case .tensor, .unknown, .number: break
            case let .numberList(t): type = .tensor(t)
            case let .list(e) where TypeRules.tensorOperand(.list(e)) != nil: type = .tensor(TensorType(shape: nil, dtype: dtype))
            case .model where kind == .frozen: break
            case .none, .dim, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                error(.wrongKind(context: "'\(kind.rawValue) \(name)'", expected: "a tensor", got: c.type.kindText), at: value.span)
            }
            if case .number = c.type { type = .tensor(TensorType(shape: [], dtype: dtype)) }
            if kind == .param, case let .tensor(t) = type, t.dtype == .int64 {
                error(.wrongKind(context: "'param \(name)'", expected: "a float tensor (only floats carry gradients)", got: type.kindText), at: value.span)
            }
        case .model, .frozenModel:
            if case .model = c.type {} else { expectKind(c.type, .model(.unknown), "'model \(name)'", value.span) }
        case .encoder:
            if case .encoder = c.type {} else { expectKind(c.type, .encoder(.unknown), "'encoder \(name)'", value.span) }
        case .data:
            if case .dataset = c.type {} else if c.type != .unknown {
                error(.wrongKind(context: "'data \(name)'", expected: "a dataset", got: c.type.kindText), at: value.span)
            }
            if let columns = Checker.literalTextColumns(value) { globals.literalColumns["\(nameSpan)"] = columns }
        }
        let finalKind: BindingKind = kind == .frozen && c.type.isModel ? .frozenModel : BindingKind(kind)
        recordDeclaration(name, nameSpan, kind: finalKind, type: type, isGlobal: topLevel, visibility: topLevel ? .global : .restOfBlock)
        let slot = declare(name, nameSpan, kind: finalKind, type: type, topLevel: topLevel)
        return .declare(c.expr, valueSpan: value.span, kind: finalKind, name: name, dtype: dtype, into: slot)
    }

    /// Declares `name` (a global at the top level, else a local of the current scope) and returns its slot.
    mutating func declare(_ name: String, _ span: SourceSpan, kind: BindingKind, type: LangType, topLevel: Bool) -> Slot {
        if topLevel {
            pending[name] = nil
            let slot = globals.declare(name, kind: kind, type: type, span: span)
            if slot >= Machine.maxGlobals { error(.tooManyNames(Machine.maxGlobals), at: span) }
            return .global(slot, name: name)
        }
        return .local(declareLocal(name, kind: kind, type: type, span: span))
    }

    /// Reports a static type that is known to be some other kind than `want`.
    mutating func expectKind(_ t: LangType, _ want: LangType, _ context: String, _ span: SourceSpan) {
        if t == .unknown || t == want { return }
        error(.wrongKind(context: context, expected: want.kindText, got: t.kindText), at: span)
    }

    /// Whether an expression is a literal (`--set` may replace a `let` of one).
    static func isLiteral(_ e: Expr) -> Bool {
        switch e {
        case .number, .string, .bool, .tensor: return true
        case let .list(items, _): return items.allSatisfy(isLiteral)
        case .none, .name, .chain, .unary, .binary, .call, .member, .index, .record, .conditional, .lambda: return false
        }
    }

    /// What kind of literal a value is, in words (`a number`, `a string`, `a bool`, `a list`); nil for none.
    static func literalKind(_ v: Value) -> String? {
        switch v {
        case .number: return "a number"
        case .string: return "a string"
        case .bool: return "a bool"
        case .list: return "a list"
        case .none, .tensor, .param, .range, .record, .function, .builtin, .model, .encoder, .dataset, .optimizer, .schedule:
            return nil
        }
    }

    /// The value a literal expression denotes (`3`, `"max"`, `[1, 2]`), or nil for anything that must run first.
    static func literal(_ e: Expr) -> Value? {
        switch e {
        case let .number(v, _): return .number(v)
        case let .string(s, _): return .string(s)
        case let .bool(b, _): return .bool(b)
        case .none: return Value.none
        case let .tensor(lit, _): return literalList(lit)
        case let .list(items, _):
            var out: [Value] = []
            for i in items { guard let v = literal(i) else { return nil }; out.append(v) }
            return .list(out)
        case let .unary(.negate, .number(v, _), _): return .number(-v)
        case .name, .chain, .unary, .binary, .call, .member, .index, .record, .conditional, .lambda: return nil
        }
    }

    /// A tensor literal as nested lists of numbers.
    static func literalList(_ l: TensorLiteral) -> Value {
        switch l {
        case let .scalar(v): return .number(v)
        case let .list(items): return .list(items.map(literalList))
        }
    }

    // MARK: - Functions

    /// `fn name(params) = expr` or `{ … }` at the top level: a global that sees globals.
    mutating func functionDeclaration(_ f: FunctionDecl) -> CheckedStmt {
        pending[f.name] = nil
        let slot = globals.declare(f.name, kind: .function, type: .function(f.name, arity: f.parameters.count), span: f.nameSpan)
        globals.bindings[slot].parameterNames = f.parameters.map(\.name)
        globals.bindings[slot].decl = f
        let defaults = parameterDefaults(f)
        globals.bindings[slot].parameterDefaults = defaults
        if slot >= Machine.maxGlobals { error(.tooManyNames(Machine.maxGlobals), at: f.nameSpan) }
        let (checked, result) = functionBody(f, defaults: defaults, own: globals.bindings[slot])
        globals.bindings[slot].returnType = result
        recordDeclaration(f.name, f.nameSpan, kind: .function, type: .function(f.name, arity: f.parameters.count), isGlobal: true,
                          visibility: .global, parameters: f.parameters.map(\.name), returnType: result)
        return .function(checked, into: .global(slot, name: f.name))
    }

    // MARK: - Assignment

    /// `x = v`, `x -= v` (in place for a param), `opt.lr = v`.
    mutating func assignment(_ target: Expr, _ op: AssignOp, _ valueExpr: Expr, _ span: SourceSpan) -> CheckedStmt {
        let value = expression(valueExpr)
        switch target {
        case let .name(name, nameSpan):
            guard let b = resolve(name) ?? reservePending(name) else {
                error(.assignToUndeclared(name), at: nameSpan)
                return .nothing
            }
            recordReference(nameSpan, to: b)
            if b.place != .frame {
                error(.cannotAssign(name, kind: "captured value", hint: "a function keeps the values it sees from around it as they were when it was made; return a new value instead"), at: nameSpan)
                return .nothing
            }
            if b.kind == .param && op != .assign, let arith = op.binary {
                return .updateParam(.load(b.location, span), arith, value.expr, span)
            }
            guard b.kind.isReassignable else {
                let hint: String
                switch b.kind {
                case .param: hint = "update it in place with '-=' or train it with an optimizer"
                case .dim: hint = "dims are fixed once declared (override them with --set)"
                case .frozen, .frozenModel: hint = "frozen values never change"
                case .let, .loopVariable, .parameter, .history, .model, .encoder, .data, .function: hint = "declare a new name with 'let'"
                }
                error(.cannotAssign(name, kind: b.kind.rawValue, hint: hint), at: nameSpan)
                return .nothing
            }
            if let arith = op.binary {
                let combined = binary(arith, Checked(type: b.type, expr: .load(b.location, nameSpan)), value, span)
                return .assign(b.location, combined.expr, span)
            }
            if b.type != .unknown && !Checker.sameKind(b.type, value.type) { setType(of: b, .unknown) }
            return .assign(b.location, value.expr, span)
        case let .member(base, member, _):
            let recv = expression(base)
            return .setMember(recv.expr, member, op.binary, value.expr, span)
        case .number, .string, .bool, .none, .list, .tensor, .chain, .unary, .binary, .call, .index, .record, .conditional,
             .lambda:
            error(.invalidAssignmentTarget(op.rawValue), at: target.span)
            return .nothing
        }
    }
}
