import PTuneCore

extension Checker {
    /// `callee(args)`: a builtin, a user function, a method, or any callable value.
    mutating func call(_ callee: Expr, _ args: [Argument], _ span: SourceSpan) -> Checked {
        switch callee {
        case let .name(n, nameSpan):
            if let b = resolve(n) {
                recordReference(nameSpan, to: b)
                if b.kind == .function { return userCall(b, args, span) }
                return dynamicCall(Checked(type: b.type, expr: .load(b.location, nameSpan)), args, span, calleeExpr: callee)
            }
            if pending[n] == nil, let builtin = registry.global(n) {
                recordBuiltin(nameSpan, builtin)
                return builtinCall(builtin, receiver: nil, args, span)
            }
            return dynamicCall(name(n, nameSpan), args, span)
        case let .member(base, method, memberSpan):
            let recv = expression(base)
            guard let kind = recv.type.kind, kind != .record else {
                return dynamicMethodCall(recv, method, args, span)
            }
            // A list of numbers has the methods of a tensor too: `[1, 2, 3].sum()`.
            let numbersMethod = kind == .list && TypeRules.tensorOperand(recv.type) != nil ? registry.method(.tensor, method) : nil
            if let b = registry.method(kind, method) ?? numbersMethod {
                recordMember(memberSpan, method, .method(b))
                return builtinCall(b, receiver: recv, args, span, receiverExpr: base)
            }
            if kind == .dataset || kind == .model || kind == .encoder {
                // Datasets have columns and models properties that only the value knows.
                return dynamicMethodCall(recv, method, args, span)
            }
            let names = kind.propertyNames + registry.methodNames(kind)
            error(.unknownMember(kind: recv.type.kindText, member: method, available: names,
                                 suggestion: Suggestions.closest(to: method, in: names)), at: span)
            _ = args.map { expression($0.value) }
            return Checked(type: .unknown, expr: .invalid(span))
        case .number, .string, .bool, .none, .list, .tensor, .chain, .unary, .binary, .call, .index, .record, .conditional,
             .lambda:
            return dynamicCall(expression(callee), args, span)
        }
    }

    /// A call of a builtin known when checking: arguments bound to parameters once, the static rule applied.
    mutating func builtinCall(_ b: Builtin, receiver: Checked?, _ args: [Argument], _ span: SourceSpan,
                              receiverExpr: Expr? = nil) -> Checked {
        let argCs = args.map { expression($0.value) }
        recordLabels(args, builtin: b, function: nil)
        let all = (receiver.map { [$0] } ?? []) + argCs
        let labels = (receiver == nil ? [] : [nil]) + args.map(\.label)
        let plan: BindingPlan
        do { plan = try BindingPlan(b, labels: labels) } catch {
            let at = args.first { a in a.label.map { b.parameterIndex($0) == nil } ?? false }?.labelSpan ?? span
            self.error(error, at: at)
            return Checked(type: .unknown, expr: .invalid(span))
        }
        var types = plan.defaults.map { $0.staticType }
        var variadic: [LangType] = []
        for (k, c) in all.enumerated() {
            switch plan.targets[k] {
            case let .parameter(i): types[i] = c.type
            case let .variadic(i):
                variadic.append(c.type)
                types[i] = .list(.unknown)
            case let .named(i, label):
                var fields: [(String, LangType)] = []
                if case let .record(r) = types[i] { fields = Array(zip(r.names, r.types)) }
                fields.append((label, c.type))
                types[i] = .record(RecordType(fields))
            }
        }
        if let vi = plan.variadic, variadic.count == 1, case .list = variadic[0] { types[vi] = variadic[0]; variadic = [] }
        var exprs = [Expr?](repeating: nil, count: types.count)
        for (k, e) in ((receiver == nil ? [] : [receiverExpr]) + args.map(\.value)).enumerated() {
            if case let .parameter(i) = plan.targets[k], i < exprs.count { exprs[i] = e }
        }
        checkEncoderTarget(b, types, exprs, span)
        var type: LangType = .unknown
        do {
            type = try b.infer(CallTypes(types: types, variadic: variadic, given: plan.given, defaultDType: dtype, name: b.messageName,
                                         chains: chainDims(plan, args, receiver: receiver != nil, count: types.count)))
        } catch let m as Message {
            self.error(m, at: span)
        } catch {
            self.error(.internalError("\(error)"), at: span)
        }
        // The one builtin whose static type depends on a file: a model's widths are in its metadata.
        if b.name == "load", case let .string(request, _)? = exprs.first, let shape = describedModel(request, span) {
            type = .model(shape)
        }
        return Checked(type: type, expr: .builtinCall(b, plan, all.map(\.expr), span))
    }

    /// A call of a function declared with `fn`, by its slot.
    mutating func userCall(_ b: Binding, _ args: [Argument], _ span: SourceSpan) -> Checked {
        let argCs = args.map { expression($0.value) }
        recordLabels(args, builtin: nil, function: b)
        let params = b.parameterNames
        var ordered = [Checked?](repeating: nil, count: params.count)
        var next = 0
        var ok = true
        for (a, c) in zip(args, argCs) {
            if let label = a.label {
                guard let i = params.firstIndex(of: label) else {
                    error(.unknownArgument(function: b.name, label: label, accepted: params, suggestion: Suggestions.closest(to: label, in: params)),
                          at: a.labelSpan ?? span)
                    ok = false
                    continue
                }
                if ordered[i] != nil { error(.duplicateArgument(function: b.name, name: label), at: a.labelSpan ?? span); ok = false }
                ordered[i] = c
            } else {
                while next < params.count && ordered[next] != nil { next += 1 }
                guard next < params.count else {
                    error(.tooManyArguments(function: b.name, max: params.count, got: args.count), at: span)
                    ok = false
                    break
                }
                ordered[next] = c
            }
        }
        for (i, c) in ordered.enumerated() where c == nil && ok {
            if i < b.parameterDefaults.count, let v = b.parameterDefaults[i] {
                ordered[i] = Checked(type: v.staticType, expr: .constant(v))
                continue
            }
            error(.missingArgument(function: b.name, name: params[i]), at: span)
            ok = false
        }
        guard ok else { return Checked(type: .unknown, expr: .invalid(span)) }
        let resultType = callSiteType(b, ordered.map { $0?.type ?? .unknown }, span)
        return Checked(type: resultType, expr: .userCall(.load(b.location, span), name: b.name, ordered.compactMap { $0?.expr }, span))
    }

    /// The type of a call of `b` with arguments of `types`: the body re-checked with the parameters typed (Dex-style
    /// shapes flow through functions). For a function whose body is one expression, a mistake these arguments
    /// cause is reported at the call, with a note pointing into the body; block bodies (whose branches may not all
    /// run) only contribute their type.
    mutating func callSiteType(_ b: Binding, _ types: [LangType], _ span: SourceSpan) -> LangType {
        guard let decl = b.decl, types.contains(where: { $0 != .unknown }), inferenceDepth < 3, !silent || inferenceDepth > 0 else {
            return b.returnType
        }
        let key = CallInference.Key(decl, depth: inferenceDepth, silent: silent)
        if let known = inference.entry(key, types) { return reported(known, decl, span) }
        guard inference.hasBudget else { return b.returnType }
        var sub = self
        sub.diagnostics = []
        sub.inferenceDepth += 1
        sub.scopes = [[:]]
        sub.enclosing = []
        sub.captures = []
        sub.ownBinding = nil
        sub.nextLocal = 0
        sub.frameSize = 0
        sub.function = (decl.name, [])
        sub.loopDepth = 0
        for (p, t) in zip(decl.parameters, types) { _ = sub.declareLocal(p.name, kind: .parameter, type: t, span: p.span) }
        var result = b.returnType
        var first: Diagnostic?
        switch decl.body {
        case let .expression(e):
            result = sub.expression(e).type
            first = sub.diagnostics.first
        case let .block(stmts):
            sub.silent = true
            _ = sub.block(stmts)
            if let returns = sub.function?.returns, let t = returns.first, returns.allSatisfy({ $0 == t }) { result = t }
        }
        let entry = CallInference.Entry(arguments: types, result: sub.diagnostics.isEmpty ? result : .unknown, firstDiagnostic: first)
        inference.keep(key, entry)
        return reported(entry, decl, span)
    }

    /// A re-check's type at the call at `span`; the first mistake its arguments caused in an expression body is
    /// reported at the call, with a note pointing into the body.
    private mutating func reported(_ entry: CallInference.Entry, _ decl: FunctionDecl, _ span: SourceSpan) -> LangType {
        if let first = entry.firstDiagnostic, !silent {
            let note = Diagnostic(.calledFrom(decl.name), at: first.span, severity: .note)
            error(first.message, at: span, notes: [note])
            return .unknown
        }
        return entry.result
    }

    /// A call whose callee is only known at run time (a model, an encoder, a function value).
    mutating func dynamicCall(_ callee: Checked, _ args: [Argument], _ span: SourceSpan, calleeExpr: Expr? = nil) -> Checked {
        let argCs = args.map { expression($0.value) }
        var type: LangType = .unknown
        switch callee.type {
        case let .model(shape):
            if let x = argCs.first?.type.tensorType {
                do { type = try shape.applied(to: x, name: Checker.naming("the model", [calleeExpr], 0)) } catch { self.error(error, at: span) }
            }
        case let .encoder(shape):
            type = .tensor(TensorType(shape: shape.output.shape, dtype: dtype))
        case .unknown, .function, .builtin:
            break
        case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .dataset, .optimizer,
             .schedule:
            error(.notCallable(callee.type.kindText), at: span)
        }
        return Checked(type: type, expr: .dynamicCall(callee.expr, argCs.map(\.expr), labels: args.map(\.label), span))
    }

    /// `recv.name(args)` where the receiver's kind is only known at run time.
    mutating func dynamicMethodCall(_ recv: Checked, _ name: String, _ args: [Argument], _ span: SourceSpan) -> Checked {
        let argCs = args.map { expression($0.value) }
        if case let .record(r) = recv.type, r[name] == nil {
            error(.unknownMember(kind: "the record", member: name, available: r.names, suggestion: Suggestions.closest(to: name, in: r.names)), at: span)
        }
        return Checked(type: .unknown, expr: .methodCall(recv.expr, name, argCs.map(\.expr), labels: args.map(\.label), span))
    }
}
