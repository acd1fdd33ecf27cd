/// How a call's arguments map to a builtin's parameters, decided once when the call is compiled (or at run time
/// for a call whose callee is only known then).
struct BindingPlan {
    /// Where an argument goes.
    enum Target {
        case parameter(Int)
        case variadic(Int)
        case named(Int, String)
    }

    /// One target per argument, in source order.
    var targets: [Target]
    /// Whether each parameter got an argument.
    var given: [Bool]
    /// Each parameter's value before arguments are placed (its default, or `none`).
    var defaults: [Value]
    /// The variadic parameter's index, if any.
    var variadic: Int?

    /// Matches `labels` (one per argument, nil for positional ones) against `b`'s parameters.
    init(_ b: Builtin, labels: [String?]) throws(Message) {
        let params = b.parameters
        targets = []
        given = Array(repeating: false, count: params.count)
        defaults = params.map { $0.defaultValue ?? .none }
        variadic = params.firstIndex { $0.isVariadic }
        var next = 0
        for label in labels {
            if let label {
                if b.parameterIndex(label) == nil, let rest = params.firstIndex(where: { $0.isNamedRest }) {
                    targets.append(.named(rest, label))
                    given[rest] = true
                    continue
                }
                guard let i = b.parameterIndex(label), !params[i].isNamedRest else {
                    let names = b.parameterNames
                    throw .unknownArgument(function: b.messageName, label: label, accepted: names,
                                           suggestion: Suggestions.closest(to: label, in: names))
                }
                if given[i] && !params[i].isVariadic { throw .duplicateArgument(function: b.name, name: label) }
                given[i] = true
                targets.append(params[i].isVariadic ? .variadic(i) : .parameter(i))
                continue
            }
            while next < params.count && ((given[next] && !params[next].isVariadic) || params[next].isNamedRest) { next += 1 }
            guard next < params.count else {
                throw .tooManyArguments(function: b.messageName, max: params.count, got: labels.filter { $0 == nil }.count)
            }
            given[next] = true
            if params[next].isVariadic {
                targets.append(.variadic(next))
            } else {
                targets.append(.parameter(next))
                next += 1
            }
        }
        for (i, p) in params.enumerated() where !given[i] && p.defaultValue == nil {
            throw .missingArgument(function: b.messageName, name: p.name)
        }
    }

    /// Writes the parameter values for evaluated arguments (in source order) into `out`.
    func bind(_ values: [Value], into out: Arguments) {
        for (i, d) in defaults.enumerated() { out[i] = d }
        var rest: [Value] = []
        var named: [(String, Value)] = []
        var namedIndex: Int?
        for (k, v) in values.enumerated() {
            switch targets[k] {
            case let .parameter(i): out[i] = v
            case .variadic: rest.append(v)
            case let .named(i, label):
                named.append((label, v))
                namedIndex = i
            }
        }
        if let ni = namedIndex { out[ni] = .record(Record(named)) }
        if let vi = variadic {
            // `concat([a, b])` passes the list itself.
            if rest.count == 1, case .list = rest[0] { out[vi] = rest[0] } else { out[vi] = .list(rest) }
        }
    }

    /// Whether the call fills a variadic parameter and no named-rest one (the second fast path).
    var isPositionalVariadic: Bool {
        guard variadic != nil else { return false }
        for t in targets { if case .named = t { return false } }
        return true
    }

    /// Whether the arguments fill the first parameters in order and the rest take their defaults (the fast path).
    var isPositionalPrefix: Bool {
        guard variadic == nil, targets.count <= defaults.count else { return false }
        for (k, t) in targets.enumerated() {
            guard case let .parameter(i) = t, i == k else { return false }
        }
        return true
    }

    /// Whether arguments arrive exactly in parameter order with nothing variadic (the fastest path).
    var isDirect: Bool {
        guard variadic == nil, targets.count == defaults.count else { return false }
        for (k, t) in targets.enumerated() {
            guard case let .parameter(i) = t, i == k else { return false }
        }
        return true
    }
}
