/// What an export reads from checked expressions: where they are, and user functions inlined so the pattern of a
/// loss or eval can be seen through `fn scores(d, enc) = label_logits(…)`.
extension CheckedExpr {
    /// Where the expression is written, when it knows (constants, lists and records do not).
    var span: SourceSpan? {
        switch self {
        case .constant, .record: return nil
        case let .closure(f): return f.span
        case let .list(items): return items.lazy.compactMap(\.span).first
        case let .load(_, s), let .tensorLiteral(_, s), let .sizes(_, s), let .unary(_, _, s), let .binary(_, _, _, s),
             let .builtinCall(_, _, _, s), let .userCall(_, _, _, s), let .dynamicCall(_, _, _, s),
             let .methodCall(_, _, _, _, s), let .member(_, _, s), let .index(_, _, s), let .conditional(_, s, _, _),
             let .invalid(s):
            return s
        }
    }

    /// The expression with the running frame's local slots `0..<env.count` replaced by `env` (a function body with
    /// its arguments put in); nil when it reads a local slot beyond them.
    func substituting(_ env: [CheckedExpr]) -> CheckedExpr? {
        func sub(_ e: CheckedExpr) -> CheckedExpr? { e.substituting(env) }
        func all(_ es: [CheckedExpr]) -> [CheckedExpr]? {
            var out: [CheckedExpr] = []
            for e in es { guard let s = sub(e) else { return nil }; out.append(s) }
            return out
        }
        switch self {
        case .constant, .tensorLiteral, .invalid:
            return self
        case .closure:
            // A function made inside reads the frame it is made in: not inlined.
            return nil
        case let .load(slot, _):
            guard case let .local(i) = slot else { return self }
            return i < env.count ? env[i] : nil
        case let .list(items): return all(items).map { .list($0) }
        case let .record(names, items): return all(items).map { .record(names, $0) }
        case let .sizes(items, s): return all(items).map { .sizes($0, s) }
        case let .unary(op, x, s): return sub(x).map { .unary(op, $0, s) }
        case let .binary(op, a, b, s):
            guard let a = sub(a), let b = sub(b) else { return nil }
            return .binary(op, a, b, s)
        case let .builtinCall(b, plan, args, s): return all(args).map { .builtinCall(b, plan, $0, s) }
        case let .userCall(callee, name, args, s):
            guard let c = sub(callee), let a = all(args) else { return nil }
            return .userCall(c, name: name, a, s)
        case let .dynamicCall(callee, args, labels, s):
            guard let c = sub(callee), let a = all(args) else { return nil }
            return .dynamicCall(c, a, labels: labels, s)
        case let .methodCall(recv, name, args, labels, s):
            guard let r = sub(recv), let a = all(args) else { return nil }
            return .methodCall(r, name, a, labels: labels, s)
        case let .member(base, name, s): return sub(base).map { .member($0, name, s) }
        case let .conditional(c, s, a, b):
            guard let c = sub(c), let a = sub(a), let b = sub(b) else { return nil }
            return .conditional(c, s, a, b)
        case let .index(base, subs, s):
            guard let b = sub(base) else { return nil }
            var out: [CheckedSubscript] = []
            for x in subs {
                switch x {
                case let .at(e, sp):
                    guard let e = sub(e) else { return nil }
                    out.append(.at(e, sp))
                case let .slice(a, b, c, sp):
                    var parts: [CheckedExpr?] = []
                    for part in [a, b, c] {
                        guard let part else { parts.append(nil); continue }
                        guard let x = sub(part) else { return nil }
                        parts.append(x)
                    }
                    out.append(.slice(parts[0], parts[1], parts[2], sp))
                }
            }
            return .index(b, out, s)
        }
    }

    /// The argument bound to parameter `i` of a builtin call (its default when not given).
    static func argument(_ i: Int, _ plan: BindingPlan, _ args: [CheckedExpr]) -> CheckedExpr {
        for (k, t) in plan.targets.enumerated() where k < args.count {
            if case let .parameter(p) = t, p == i { return args[k] }
        }
        return .constant(i < plan.defaults.count ? plan.defaults[i] : .none)
    }
}
