import PTuneCore

/// The state of one function frame while its body is checked; the frames around the function being checked wait on
/// ``Checker/enclosing``.
struct CheckerFrame {
    var scopes: [[String: Binding]]
    var nextLocal: Int
    var frameSize: Int
    var function: (name: String, returns: [LangType])?
    var loopDepth: Int
    /// Where each captured value comes from in the frame around (the function's capture `i` is `captures[i]`).
    var captures: [Slot]
    /// The binding the function is declared as in the frame around (its own name refers to itself), if named.
    var own: Binding?
    /// The bindings of the function's group in the frame around, in order (each name refers to that sibling), when
    /// it is one of local functions declared together.
    var siblings: [Binding] = []
}

extension Checker {
    // MARK: - Frames

    /// The current frame's state.
    var currentFrame: CheckerFrame {
        get {
            CheckerFrame(scopes: scopes, nextLocal: nextLocal, frameSize: frameSize, function: function, loopDepth: loopDepth,
                         captures: captures, own: ownBinding, siblings: siblingBindings)
        }
        set {
            (scopes, nextLocal, frameSize, function, loopDepth) = (newValue.scopes, newValue.nextLocal, newValue.frameSize,
                                                                   newValue.function, newValue.loopDepth)
            (captures, ownBinding, siblingBindings) = (newValue.captures, newValue.own, newValue.siblings)
        }
    }

    /// The binding `name` refers to here: the current frame's locals innermost first, then the locals of the frames
    /// around (captured: the function keeps the value they hold when it is made), then globals.
    mutating func resolve(_ name: String) -> Binding? {
        for scope in scopes.reversed() { if let b = scope[name] { return b } }
        if let b = captured(name, into: enclosing.count) { return b }
        return globals.lookup(name)
    }

    /// The binding `name` refers to here without capturing anything (for questions that read no value).
    func peek(_ name: String) -> Binding? {
        for scope in scopes.reversed() { if let b = scope[name] { return b } }
        for frame in enclosing.reversed() {
            for scope in frame.scopes.reversed() { if let b = scope[name] { return b } }
        }
        return globals.lookup(name)
    }

    /// The binding of a local `name` of an outer frame as the frame at `level` sees it (`enclosing.count` is the
    /// current frame): a capture threaded through every frame in between, or the function itself for its own name.
    private mutating func captured(_ name: String, into level: Int) -> Binding? {
        guard level > 0, level <= enclosing.count else { return nil }
        let outer = level - 1
        var source: Binding?
        for scope in enclosing[outer].scopes.reversed() where source == nil { source = scope[name] }
        if source == nil { source = captured(name, into: outer) }
        guard let source else { return nil }
        var frame = level == enclosing.count ? currentFrame : enclosing[level]
        var b = source
        b.isGlobal = false
        if let own = frame.own, own.name == name, own.location == source.location {
            b.place = .itself
        } else if let k = frame.siblings.firstIndex(where: { $0.name == name && $0.location == source.location }) {
            b.place = .sibling(k)
        } else {
            b.place = .capture
            b.slot = frame.captures.count
            frame.captures.append(source.location)
        }
        if frame.scopes.isEmpty { frame.scopes = [[:]] }
        frame.scopes[0][name] = b
        if level == enclosing.count { currentFrame = frame } else { enclosing[level] = frame }
        return b
    }

    // MARK: - Functions

    /// `fn name(…)` inside a block: a local holding a function that sees the locals around it.
    mutating func localFunction(_ f: FunctionDecl) -> CheckedStmt {
        let defaults = parameterDefaults(f)
        let type = LangType.function(f.name, arity: f.parameters.count)
        let slot = declareLocal(f.name, kind: .function, type: type, span: f.nameSpan)
        scopes[scopes.count - 1][f.name]?.parameterNames = f.parameters.map(\.name)
        scopes[scopes.count - 1][f.name]?.parameterDefaults = defaults
        let (checked, result) = functionBody(f, defaults: defaults, own: scopes.last?[f.name])
        scopes[scopes.count - 1][f.name]?.returnType = result
        recordDeclaration(f.name, f.nameSpan, kind: .function, type: type, isGlobal: false, visibility: .restOfBlock,
                          parameters: f.parameters.map(\.name), returnType: result)
        return .function(checked, into: .local(slot))
    }

    /// Local functions declared one after another in a block: every name is declared before any body is checked,
    /// so each function may call the others (`fn even(n) = … odd(n - 1)` then `fn odd(n) = … even(n - 1)`), and
    /// they are made together (``CheckedStmt/functionGroup(_:into:)``).
    mutating func localFunctionGroup(_ group: [FunctionDecl]) -> CheckedStmt {
        var slots: [Slot] = [], defaults: [[Value?]] = []
        for f in group {
            let d = parameterDefaults(f)
            let slot = declareLocal(f.name, kind: .function, type: .function(f.name, arity: f.parameters.count), span: f.nameSpan)
            scopes[scopes.count - 1][f.name]?.parameterNames = f.parameters.map(\.name)
            scopes[scopes.count - 1][f.name]?.parameterDefaults = d
            slots.append(.local(slot))
            defaults.append(d)
        }
        let siblings = group.compactMap { scopes.last?[$0.name] }
        var checked: [CheckedFunction] = []
        for (k, f) in group.enumerated() {
            let (c, result) = functionBody(f, defaults: defaults[k], own: scopes.last?[f.name], siblings: siblings)
            scopes[scopes.count - 1][f.name]?.returnType = result
            recordDeclaration(f.name, f.nameSpan, kind: .function, type: .function(f.name, arity: f.parameters.count),
                              isGlobal: false, visibility: .restOfBlock, parameters: f.parameters.map(\.name), returnType: result)
            checked.append(c)
        }
        return .functionGroup(checked, into: slots)
    }

    /// `fn(x) = …` as a value (named `name` when a `let` binds it).
    mutating func lambda(_ f: FunctionDecl, named name: String? = nil) -> Checked {
        var decl = f
        if let name { decl.name = name }
        let (checked, _) = functionBody(decl, defaults: parameterDefaults(decl), own: nil)
        return Checked(type: .function(decl.name, arity: decl.parameters.count), expr: .closure(checked))
    }

    /// Each parameter's default (a literal), nil where it has none; a default that is not a literal is reported.
    mutating func parameterDefaults(_ f: FunctionDecl) -> [Value?] {
        var defaults = [Value?](repeating: nil, count: f.parameters.count)
        for (i, d) in f.defaults.enumerated() where i < defaults.count {
            guard let d else { continue }
            if let v = Checker.literal(d) { defaults[i] = v } else { error(.defaultNotLiteral(f.parameters[i].name), at: d.span) }
        }
        return defaults
    }

    /// Checks a function's body in a frame of its own (parameters in the first slots), the current frame waiting
    /// around it, and gives the checked function with what it captures, and its result type.
    mutating func functionBody(_ f: FunctionDecl, defaults: [Value?], own: Binding?,
                               siblings: [Binding] = []) -> (CheckedFunction, LangType) {
        enclosing.append(currentFrame)
        currentFrame = CheckerFrame(scopes: [[:]], nextLocal: 0, frameSize: 0, function: (f.name, []), loopDepth: 0,
                                    captures: [], own: own, siblings: siblings)
        for p in f.parameters {
            _ = declareLocal(p.name, kind: .parameter, type: .unknown, span: p.span)
            recordDeclaration(p.name, p.span, kind: .parameter, type: .unknown, isGlobal: false, visibility: .within(f.span))
        }
        let body: CheckedFunction.Body
        var result: LangType = .unknown
        switch f.body {
        case let .expression(e):
            let c = expression(e)
            body = .expression(c.expr)
            result = c.type
        case let .block(stmts):
            body = .block(block(stmts))
            if let returns = function?.returns, let first = returns.first, returns.allSatisfy({ $0 == first }) { result = first }
        }
        let frame = Swift.max(frameSize, f.parameters.count)
        let captured = captures
        currentFrame = enclosing.removeLast()
        let checked = CheckedFunction(name: f.name, parameterNames: f.parameters.map(\.name), parameterDefaults: defaults,
                                      frameSize: frame, span: f.span, body: body, captures: captured)
        return (checked, result)
    }
}
