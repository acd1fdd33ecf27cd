extension CodeGen {
    /// A call of a builtin bound when checking. Arguments are evaluated straight into stack slots reserved for the
    /// call (see `Arguments`); the common shapes of call get closures without loops or copies.
    static func builtinCall(_ b: Builtin, _ plan: BindingPlan, _ codes: [CodeBox], _ span: SourceSpan) -> Code {
        let n = b.parameters.count
        if plan.isDirect {
            switch codes.count {
            case 0:
                return { m in try Invoke.builtin(b, base: m.top, m, span) }
            case 1:
                let c0 = codes[0].code
                return { m in
                    let base = try Invoke.reserve(1, m, span)
                    defer { Invoke.release(base, 1, m) }
                    m.stack[base] = try c0(m)
                    return try Invoke.builtin(b, base: base, m, span)
                }
            case 2:
                let c0 = codes[0].code, c1 = codes[1].code
                return { m in
                    let base = try Invoke.reserve(2, m, span)
                    defer { Invoke.release(base, 2, m) }
                    m.stack[base] = try c0(m)
                    m.stack[base + 1] = try c1(m)
                    return try Invoke.builtin(b, base: base, m, span)
                }
            default:
                return { m in
                    let base = try Invoke.reserve(n, m, span)
                    defer { Invoke.release(base, n, m) }
                    for (i, c) in codes.enumerated() { m.stack[base + i] = try c.code(m) }
                    return try Invoke.builtin(b, base: base, m, span)
                }
            }
        }
        if plan.isPositionalPrefix {
            // `mse(a, b)` of `mse(pred, target, reduction: "mean")`: the arguments, then the defaults.
            let tail = Array(plan.defaults[codes.count...])
            let k = codes.count
            return { m in
                let base = try Invoke.reserve(n, m, span)
                defer { Invoke.release(base, n, m) }
                for (i, c) in codes.enumerated() { m.stack[base + i] = try c.code(m) }
                for (i, d) in tail.enumerated() { m.stack[base + k + i] = d }
                return try Invoke.builtin(b, base: base, m, span)
            }
        }
        if plan.isPositionalVariadic, let vi = plan.variadic {
            // `concat(a, b, axis: 1)`: arguments straight into place, the variadic ones into one list.
            let targets = plan.targets
            let defaults = plan.defaults
            let count = targets.filter { if case .variadic = $0 { return true } else { return false } }.count
            return { m in
                let base = try Invoke.reserve(n, m, span)
                defer { Invoke.release(base, n, m) }
                for (i, d) in defaults.enumerated() { m.stack[base + i] = d }
                var list: [Value] = []
                list.reserveCapacity(count)
                for (k, c) in codes.enumerated() {
                    let v = try c.code(m)
                    if case let .parameter(i) = targets[k] { m.stack[base + i] = v } else { list.append(v) }
                }
                if list.count == 1, case .list = list[0] { m.stack[base + vi] = list[0] } else { m.stack[base + vi] = .list(list) }
                return try Invoke.builtin(b, base: base, m, span)
            }
        }
        return { m in
            var vals: [Value] = []
            vals.reserveCapacity(codes.count)
            for c in codes { vals.append(try c.code(m)) }
            return try Invoke.builtin(b, plan, vals, m, span)
        }
    }

    /// A call of a function declared with `fn`: `load` reads it from its slot; the arguments are in parameter order.
    static func userCall(_ load: @escaping Code, _ name: String, _ codes: [CodeBox], _ span: SourceSpan) -> Code {
        { m in
            guard case let .function(f) = try load(m) else {
                throw RuntimeFailure(.notCallable("'\(name)'"), at: span)
            }
            return try Invoke.call(f, codes: codes, m, span)
        }
    }

    /// A call whose callee is only known at run time (a model, an encoder, a function value).
    static func dynamicCall(_ callee: @escaping Code, _ codes: [CodeBox], _ labels: [String?], _ span: SourceSpan) -> Code {
        { m in
            let f = try callee(m)
            var vals: [Value] = []
            vals.reserveCapacity(codes.count)
            for c in codes { vals.append(try c.code(m)) }
            return try Invoke.callValue(f, vals, labels: labels, m, span)
        }
    }

    /// `recv.name(args)` where the receiver's kind is only known at run time.
    static func methodCall(_ receiver: @escaping Code, _ name: String, _ codes: [CodeBox], _ labels: [String?],
                           _ span: SourceSpan) -> Code {
        { m in
            let v = try receiver(m)
            var vals: [Value] = []
            vals.reserveCapacity(codes.count)
            for c in codes { vals.append(try c.code(m)) }
            return try Invoke.callMethod(v, name, vals, labels: labels, m, span)
        }
    }
}
