import PTuneCore

/// Calling things at run time: user functions (a frame on the machine's stack), builtins, models, encoders.
enum Invoke {
    /// The most "in a call to" notes one error collects (deep recursion would otherwise print thousands).
    static let maxNotes = 8

    /// Calls `f` with arguments computed by `args` (in parameter order).
    @inline(__always)
    static func call(_ f: UserFunction, codes args: [CodeBox], _ m: Machine, _ span: SourceSpan) throws -> Value {
        guard args.count == f.arity else {
            throw RuntimeFailure(.tooManyArguments(function: f.name, max: f.arity, got: args.count), at: span)
        }
        let saveTop = m.top, saveBase = m.base, saveFunction = m.currentFunction
        try enter(f, m, span)
        defer { leave(m, saveTop, saveBase, saveFunction) }
        for c in args {
            let v = try c.code(m)
            m.stack[m.top] = v
            m.top += 1
        }
        return try run(f, m, saveTop, span)
    }

    /// Calls `f` with argument values (in parameter order).
    static func call(_ f: UserFunction, values given: [Value], _ m: Machine, _ span: SourceSpan) throws -> Value {
        // Trailing parameters left out take their defaults.
        var args = given
        while args.count < f.arity, args.count < f.defaults.count, let v = f.defaults[args.count] { args.append(v) }
        guard args.count == f.arity else {
            throw RuntimeFailure(.tooManyArguments(function: f.name, max: f.arity, got: args.count), at: span)
        }
        let saveTop = m.top, saveBase = m.base, saveFunction = m.currentFunction
        try enter(f, m, span)
        defer { leave(m, saveTop, saveBase, saveFunction) }
        for v in args {
            m.stack[m.top] = v
            m.top += 1
        }
        return try run(f, m, saveTop, span)
    }

    @inline(__always)
    private static func enter(_ f: UserFunction, _ m: Machine, _ span: SourceSpan) throws {
        guard m.callDepth < m.options.limits.maxCallDepth else {
            throw RuntimeFailure(.recursionTooDeep(m.options.limits.maxCallDepth), at: span)
        }
        // The machine's local slots and the thread's stack bound calls too, whatever --max-depth allows.
        guard m.top + Swift.max(f.frameSize, f.arity) <= m.stackCapacity, m.stackGuard.hasRoom() else {
            throw RuntimeFailure(.stackExhausted(m.callDepth), at: span)
        }
        // A call is where recursion spends its time (fib(47) is 3·10⁹ calls within any depth limit): it
        // answers Ctrl-C and the time limit here, as loops do at their iterations.
        try m.checkStop()
        m.callDepth += 1
    }

    @inline(__always)
    private static func leave(_ m: Machine, _ saveTop: Int, _ saveBase: Int, _ saveFunction: UserFunction?) {
        var i = saveTop
        while i < m.top { m.stack[i] = .none; i += 1 }
        m.top = saveTop
        m.base = saveBase
        m.currentFunction = saveFunction
        m.callDepth -= 1
    }

    @inline(__always)
    private static func run(_ f: UserFunction, _ m: Machine, _ frame: Int, _ span: SourceSpan) throws -> Value {
        m.base = frame
        m.top = frame + Swift.max(f.frameSize, f.arity)
        m.currentFunction = f
        do {
            return try f.body(m)
        } catch {
            var r = RuntimeFailure.located(error, at: span)
            if r.notes.count < maxNotes { r.notes.append(Diagnostic(.calledFrom(f.name), at: span, severity: .note)) }
            throw r
        }
    }

    /// Reserves `count` argument slots on the machine's stack and returns the first; the caller frees them with
    /// ``release(_:_:_:)``.
    @inline(__always)
    static func reserve(_ count: Int, _ m: Machine, _ span: SourceSpan) throws -> Int {
        let base = m.top
        guard base + count <= m.stackCapacity else { throw RuntimeFailure(.stackExhausted(m.callDepth), at: span) }
        m.top = base + count
        return base
    }

    /// Clears argument slots reserved by ``reserve(_:_:_:)``.
    @inline(__always)
    static func release(_ base: Int, _ count: Int, _ m: Machine) {
        for i in 0..<count { m.stack[base + i] = .none }
        m.top = base
    }

    /// Runs a builtin on the parameter values in the slots from `base`, locating its errors at `span`.
    @inline(__always)
    static func builtin(_ b: Builtin, base: Int, _ m: Machine, _ span: SourceSpan) throws -> Value {
        var args = Arguments(builtin: b, slots: m.stack + base, count: b.parameters.count)
        args.listDType = m.defaultDType
        do { return try b.run(&args, m) } catch { throw RuntimeFailure.located(error, at: span) }
    }

    /// Runs a builtin on evaluated arguments bound by `plan`.
    static func builtin(_ b: Builtin, _ plan: BindingPlan, _ values: [Value], _ m: Machine, _ span: SourceSpan) throws -> Value {
        let n = b.parameters.count
        let base = try reserve(n, m, span)
        defer { release(base, n, m) }
        plan.bind(values, into: Arguments(builtin: b, slots: m.stack + base, count: n))
        return try builtin(b, base: base, m, span)
    }

    /// Calls any callable value with evaluated arguments (`labels` parallel to `args`, nil when positional).
    static func callValue(_ callee: Value, _ args: [Value], labels: [String?], _ m: Machine, _ span: SourceSpan) throws -> Value {
        switch callee {
        case let .function(f):
            let ordered = try orderUserArguments(f.name, f.parameterNames, args, labels)
            return try call(f, values: ordered, m, span)
        case let .builtin(b):
            let plan: BindingPlan
            do { plan = try BindingPlan(b, labels: labels) } catch { throw RuntimeFailure(error, at: span) }
            return try builtin(b, plan, args, m, span)
        case let .model(mo):
            guard args.count == 1, labels[0] == nil, let x = try args[0].asTensor(dtype: m.defaultDType) else {
                throw RuntimeFailure(.wrongKind(context: "calling a model", expected: "one tensor argument", got: args.first?.kindText ?? "no arguments"), at: span)
            }
            do { return .tensor(try mo.forward(x)) } catch { throw RuntimeFailure.located(error, at: span) }
        case let .encoder(e):
            guard args.isEmpty else {
                throw RuntimeFailure(.tooManyArguments(function: "encoder", max: 0, got: args.count), at: span)
            }
            do { return .tensor(try e.encode()) } catch { throw RuntimeFailure.located(error, at: span) }
        case .none, .number, .bool, .string, .tensor, .param, .list, .range, .record, .dataset, .optimizer, .schedule:
            throw RuntimeFailure(.notCallable(callee.kindText), at: span)
        }
    }

    /// `v.name(args)` at run time: a record field holding a callable, or a method of the value's kind.
    static func callMethod(_ v: Value, _ name: String, _ args: [Value], labels: [String?], _ m: Machine,
                           _ span: SourceSpan) throws -> Value {
        if case let .record(r) = v, let f = r[name] { return try callValue(f, args, labels: labels, m, span) }
        // A list of numbers has the methods of a tensor too: `[1, 2, 3].sum()`.
        let numbersMethod = v.kind == .list && v.isNumberList ? m.registry.method(.tensor, name) : nil
        guard let b = m.registry.method(v.kind, name) ?? numbersMethod else {
            let names = v.kind.propertyNames + m.registry.methodNames(v.kind)
            throw RuntimeFailure(.unknownMember(kind: v.kindText, member: name, available: names,
                                                suggestion: Suggestions.closest(to: name, in: names)), at: span)
        }
        return try callValue(.builtin(b), [v] + args, labels: [nil] + labels, m, span)
    }

    /// A user function's arguments in parameter order, matching labels to parameter names.
    static func orderUserArguments(_ name: String, _ params: [String], _ args: [Value], _ labels: [String?]) throws -> [Value] {
        if labels.allSatisfy({ $0 == nil }) { return args }
        var out = [Value?](repeating: nil, count: params.count)
        var next = 0
        for (v, label) in zip(args, labels) {
            if let label {
                guard let i = params.firstIndex(of: label) else {
                    throw RuntimeFailure(.unknownArgument(function: name, label: label, accepted: params, suggestion: Suggestions.closest(to: label, in: params)))
                }
                guard out[i] == nil else { throw RuntimeFailure(.duplicateArgument(function: name, name: label)) }
                out[i] = v
            } else {
                while next < params.count && out[next] != nil { next += 1 }
                guard next < params.count else { throw RuntimeFailure(.tooManyArguments(function: name, max: params.count, got: args.count)) }
                out[next] = v
            }
        }
        return try out.enumerated().map { i, v in
            guard let v else { throw RuntimeFailure(.missingArgument(function: name, name: params[i])) }
            return v
        }
    }
}
