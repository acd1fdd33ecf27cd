import PTuneCore
import PTuneNN

extension Compiler {
    /// `let`, `dim`, `param`, `frozen`, `model`, `encoder`, `data`.
    mutating func declaration(_ kind: DeclKind, _ name: String, _ nameSpan: SourceSpan, _ valueExpr: Expr,
                              _ span: SourceSpan, topLevel: Bool) -> Exec {
        if kind != .let && !topLevel {
            error(.topLevelOnly("'\(kind.rawValue)'"), at: span)
            return { _ in .next }
        }
        var value = valueExpr
        if topLevel, let o = overrides[name], kind == .dim || (kind == .let && Compiler.isLiteral(valueExpr)) {
            usedOverrides.insert(name)
            value = o.expression(at: valueExpr.span)
        }
        if kind == .encoder, case let .call(.name(n, ns), args, cs) = value, resolve(n) == nil,
           registry.global(n + "_encoder") != nil {
            // `encoder pe = mlp(virtual, embed)` means the MLP prompt encoder, not an MLP layer.
            value = .call(.name(n + "_encoder", ns), args, cs)
        }
        let c = expression(value)
        var type = c.type
        let bindingKind = BindingKind(kind)
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
            case .none, .bool, .string, .tensor, .list, .range, .record, .function, .builtin, .model, .encoder,
                 .dataset, .optimizer, .schedule:
                error(.badDim(name, "must be a positive integer, got \(c.type.kindText)"), at: value.span)
                type = .dim(Dim(nil, name: name))
            }
        case .param, .frozen:
            switch c.type {
            case .tensor, .unknown, .number: break
            case .model where kind == .frozen: break
            case .none, .dim, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                error(.wrongKind(context: "'\(kind.rawValue) \(name)'", expected: "a tensor", got: c.type.kindText), at: value.span)
            }
            if case let .number(v) = c.type { type = .tensor(TensorType(shape: [], dtype: dtype)); _ = v }
            if kind == .param, case let .tensor(t) = type, t.dtype == .int64 {
                error(.wrongKind(context: "'param \(name)'", expected: "a float tensor (only floats carry gradients)", got: type.kindText), at: value.span)
            }
        case .model, .frozenModel:
            expectKind(c.type, .model, "'model \(name)'", value.span)
        case .encoder:
            expectKind(c.type, .encoder, "'encoder \(name)'", value.span)
        case .data:
            if case .dataset = c.type {} else if c.type != .unknown {
                error(.wrongKind(context: "'data \(name)'", expected: "a dataset", got: c.type.kindText), at: value.span)
            }
        }
        let finalKind: BindingKind = kind == .frozen && c.type == .model ? .frozenModel : bindingKind
        let code = c.code
        let store = storeCode(name, nameSpan, kind: finalKind, type: type, topLevel: topLevel)
        let valueSpan = value.span
        let dtypeHere = dtype
        return { m in
            let v: Value
            do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: valueSpan) }
            do {
                try store(m, try Compiler.prepare(v, kind: finalKind, name: name, dtype: dtypeHere))
            } catch {
                throw RuntimeFailure.located(error, at: valueSpan)
            }
            return .next
        }
    }

    /// The value a declaration stores: params become trainable leaves, frozen tensors constants, frozen models
    /// frozen; dims must be positive integers.
    static func prepare(_ v: Value, kind: BindingKind, name: String, dtype: DType) throws -> Value {
        switch kind {
        case .dim:
            guard case let .number(x) = v, let n = Value.exactInt(x), n > 0 else {
                throw RuntimeFailure(.badDim(name, "must be a positive integer, got \(v.debugText)"))
            }
            return .number(Double(n))
        case .param:
            let t: Tensor
            switch v {
            case let .tensor(x): t = x
            case let .param(p): t = p.value
            case let .number(x): t = try Tensor(scalar: x, dtype: dtype)
            case .none, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                throw RuntimeFailure(.wrongKind(context: "'param \(name)'", expected: "a tensor", got: v.kindText))
            }
            return .param(try Parameter(t, name: name))
        case .frozen:
            switch v {
            case let .tensor(t): return .tensor(t.detached())
            case let .param(p): return .tensor(p.value.detached())
            case let .number(x): return .tensor(try Tensor(scalar: x, dtype: dtype))
            case let .model(mo): mo.freeze(); return v
            case .none, .bool, .string, .list, .range, .record, .function, .builtin, .encoder, .dataset, .optimizer,
                 .schedule:
                throw RuntimeFailure(.wrongKind(context: "'frozen \(name)'", expected: "a tensor", got: v.kindText))
            }
        case .frozenModel, .model:
            guard case let .model(mo) = v else {
                throw RuntimeFailure(.wrongKind(context: "'model \(name)'", expected: "a model", got: v.kindText))
            }
            if kind == .frozenModel { mo.freeze() }
            return v
        case .encoder:
            guard case .encoder = v else {
                throw RuntimeFailure(.wrongKind(context: "'encoder \(name)'", expected: "an encoder", got: v.kindText))
            }
            return v
        case .data:
            guard case .dataset = v else {
                throw RuntimeFailure(.wrongKind(context: "'data \(name)'", expected: "a dataset", got: v.kindText))
            }
            return v
        case .let, .function, .loopVariable, .parameter, .history:
            return v
        }
    }

    /// Declares `name` and returns code that stores its value.
    mutating func storeCode(_ name: String, _ span: SourceSpan, kind: BindingKind, type: LangType,
                            topLevel: Bool) -> (Machine, Value) throws -> Void {
        if topLevel {
            pending[name] = nil
            let slot = globals.declare(name, kind: kind, type: type, span: span)
            if slot >= Machine.maxGlobals { error(.tooManyNames(Machine.maxGlobals), at: span) }
            return { m, v in
                m.globals[slot] = v
                m.initialized[slot] = true
            }
        }
        let slot = declareLocal(name, kind: kind, type: type, span: span)
        return { m, v in m.stack[m.base + slot] = v }
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
        case .none, .name, .chain, .unary, .binary, .call, .member, .index: return false
        }
    }

    // MARK: - Functions

    /// `fn name(params) = expr` or `{ … }`.
    mutating func functionDeclaration(_ f: FunctionDecl) -> Exec {
        pending[f.name] = nil
        let slot = globals.declare(f.name, kind: .function, type: .function(f.name, arity: f.parameters.count), span: f.nameSpan)
        globals.bindings[slot].parameterNames = f.parameters.map(\.name)
        globals.bindings[slot].decl = f
        if slot >= Machine.maxGlobals { error(.tooManyNames(Machine.maxGlobals), at: f.nameSpan) }
        // A fresh frame: parameters in the first slots.
        let saved = (scopes, nextLocal, frameSize, function, loopDepth)
        scopes = [[:]]
        nextLocal = 0
        frameSize = 0
        function = (f.name, [])
        loopDepth = 0
        for p in f.parameters { _ = declareLocal(p.name, kind: .parameter, type: .unknown, span: p.span) }
        let body: Code
        var result: LangType = .unknown
        switch f.body {
        case let .expression(e):
            let c = expression(e)
            body = c.code
            result = c.type
        case let .block(stmts):
            let b = block(stmts)
            body = { m in
                let flow = try b(m)
                guard case .returned = flow else { return .none }
                let v = m.returnValue
                m.returnValue = .none
                return v
            }
            if let returns = function?.returns, let first = returns.first, returns.allSatisfy({ $0 == first }) { result = first }
        }
        let frame = Swift.max(frameSize, f.parameters.count)
        (scopes, nextLocal, frameSize, function, loopDepth) = saved
        globals.bindings[slot].returnType = result
        let fn = UserFunction(name: f.name, parameterNames: f.parameters.map(\.name), frameSize: frame, span: f.span, body: body)
        return { m in
            m.globals[slot] = .function(fn)
            m.initialized[slot] = true
            return .next
        }
    }

    // MARK: - Assignment

    /// `x = v`, `x -= v` (in place for a param), `opt.lr = v`.
    mutating func assignment(_ target: Expr, _ op: AssignOp, _ valueExpr: Expr, _ span: SourceSpan) -> Exec {
        let value = expression(valueExpr)
        let valueCode = value.code
        switch target {
        case let .name(name, nameSpan):
            guard let b = resolve(name) ?? reservePending(name) else {
                error(.assignToUndeclared(name), at: nameSpan)
                return { _ in .next }
            }
            if b.kind == .param && op != .assign, let arith = op.binary {
                return paramUpdate(b, arith, valueCode, span)
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
                return { _ in .next }
            }
            var newType = value.type
            if let arith = op.binary {
                let current = nameLoad(b, nameSpan)
                let combined = binary(arith, Compiled(type: b.type, code: current), value, span)
                newType = combined.type
                return store(b, combined.code, span)
            }
            if b.type != .unknown && !Compiler.sameKind(b.type, newType) { setType(of: b, .unknown) }
            _ = newType
            return store(b, valueCode, span)
        case let .member(base, member, _):
            let recv = expression(base)
            let recvCode = recv.code
            return { m in
                let r = try recvCode(m)
                var v = try valueCode(m)
                do {
                    if let arith = op.binary { v = try Operators.binary(arith, try Members.property(r, member), v) }
                    try Members.setProperty(r, member, v)
                } catch { throw RuntimeFailure.located(error, at: span) }
                return .next
            }
        case .number, .string, .bool, .none, .list, .tensor, .chain, .unary, .binary, .call, .index:
            error(.invalidAssignmentTarget(op.rawValue), at: target.span)
            return { _ in .next }
        }
    }

    /// Code storing into a binding's slot.
    func store(_ b: Binding, _ code: @escaping Code, _ span: SourceSpan) -> Exec {
        let slot = b.slot
        if b.isGlobal {
            return { m in
                let v: Value
                do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: span) }
                m.globals[slot] = v
                m.initialized[slot] = true
                return .next
            }
        }
        return { m in
            let v: Value
            do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: span) }
            m.stack[m.base + slot] = v
            return .next
        }
    }

    /// `p -= lr * g` on a param: an in-place update that keeps it the same trainable leaf (not recorded).
    func paramUpdate(_ b: Binding, _ op: BinaryOp, _ valueCode: @escaping Code, _ span: SourceSpan) -> Exec {
        let load = nameLoad(b, span)
        return { m in
            do {
                guard case let .param(p) = try load(m) else { throw RuntimeFailure(.internalError("param slot holds no param")) }
                let rhs = try valueCode(m)
                try Tensor.withoutRecording {
                    let updated = try Operators.binary(op, .tensor(p.value.detached()), rhs)
                    guard let t = updated.tensorValue else {
                        throw RuntimeFailure(.wrongKind(context: "an update of param '\(p.name)'", expected: "a tensor", got: updated.kindText))
                    }
                    try p.assign(t.shape == p.value.shape ? t : t.broadcasted(to: p.value.shape))
                }
            } catch { throw RuntimeFailure.located(error, at: span) }
            return .next
        }
    }

    /// Whether two static types are of the same kind (ignoring shapes and constants).
    static func sameKind(_ a: LangType, _ b: LangType) -> Bool {
        a.kindWord == b.kindWord
    }
}
