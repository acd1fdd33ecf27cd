/// What a session knows at a point in code that has not run yet — the lines of a notebook cell, or of a document,
/// before the cursor: the session's names with their values, and the names that code declares, with the types the
/// checker gives them (dims keep their names). Completion, inspection and `:type` ask it; nothing runs.
public final class SessionScope {
    let session: Session
    /// The checker after the code: its globals hold the code's declarations too.
    var checker: Checker
    /// The source of the code, to tell its declarations from the session's.
    let code: SourceFile?

    /// The scope of `session` after `code` (empty: the session as it is). The code is parsed and checked
    /// silently; statements with errors, and an unfinished last one, declare nothing.
    init(session: Session, code: String) {
        self.session = session
        var c = session.checker()
        c.silent = true
        if code.isEmpty {
            self.code = nil
        } else {
            let file = SourceFile(name: "<scope>", text: code, directory: session.machine.directory)
            self.code = file
            _ = c.checkProgram(Parser.parse(file).statements, keepingResults: false)
        }
        checker = c
    }

    /// The builtins of the session.
    public var registry: BuiltinRegistry { session.registry }

    /// The binding `name` refers to at the top level here, and whether it holds a value that ran (as opposed to
    /// a declaration of the code, whose value does not exist yet).
    func lookup(_ name: String) -> (binding: Binding, value: Value?)? {
        guard let b = checker.globals.lookup(name) else { return nil }
        let declaredHere = code != nil && b.span?.file === code
        guard !declaredHere, b.slot < Machine.maxGlobals, session.machine.initialized[b.slot] else { return (b, nil) }
        return (b, session.machine.globals[b.slot])
    }

    /// Every name completion may offer at the start of an expression: names in scope (with values, or declared by
    /// the code), builtins, keywords.
    public var names: [String] {
        let globals = checker.globals.slots.keys.filter { name in
            guard let found = lookup(name) else { return false }
            return found.value != nil || (code != nil && found.binding.span?.file === code)
        }
        return Session.unique(globals.sorted() + session.registry.globalNames + Session.keywords + Session.statementWords)
    }

    /// The static type of `expression` here, or its syntax or check errors.
    public func type(of expression: String) throws(RunFailure) -> LangType {
        let statements = try session.parse(SourceFile(name: "<type>", text: expression))
        guard statements.count == 1, case let .expression(e, _) = statements[0] else {
            throw .check([Diagnostic(.expectedExpression(found: "a statement"), at: statements.first?.span)])
        }
        var c = checker
        c.silent = false
        let t = c.expression(e).type
        if !c.diagnostics.isEmpty { throw .check(c.diagnostics) }
        return t
    }

    /// How `name` is bound here (`param`, `dim`, `fn`, …) and its static type, or nil when it names nothing.
    public func declaration(of name: String) -> (kind: BindingKind, type: LangType)? {
        guard let b = lookup(name)?.binding else { return nil }
        return (b.kind, b.type)
    }

    /// The value `name` holds, when it names something that ran (not a declaration of the code).
    public func value(of name: String) -> Value? { lookup(name)?.value }

    /// The members of an expression's value, for completion after `.` (`lm.` lists a model's fields): properties
    /// first, then methods. The value itself is used when the expression names one; otherwise its static type.
    public func members(of expression: String) -> [String] {
        if let v = lookup(expression.trimmingCharacters(in: .whitespaces))?.value {
            return Session.members(of: v, registry: session.registry)
        }
        guard let t = try? type(of: expression) else { return [] }
        return Session.members(of: t, registry: session.registry)
    }

    /// The parameter names a call of `callee` accepts as labels: a builtin's (`sgd` → params, lr, momentum), a
    /// user function's, `train`'s options, or a method's (`opt.step`, from the static kind of the receiver).
    public func parameterNames(ofCallee callee: String) -> [String] {
        if let dot = callee.lastIndex(of: ".") {
            let receiver = String(callee[..<dot]), method = String(callee[callee.index(after: dot)...])
            guard let type = try? type(of: receiver) else { return [] }
            return type.kind.flatMap { session.registry.method($0, method) }?.parameterNames ?? []
        }
        if callee == "train" { return TrainOptionName.allCases.map(\.rawValue) }
        if let b = checker.globals.lookup(callee) { return b.kind == .function ? b.parameterNames : [] }
        return session.registry.global(callee)?.parameterNames ?? []
    }
}

extension Session {
    /// What the session would know after `code` — lines not run yet — for completion and inspection.
    public func scope(after code: String = "") -> SessionScope { SessionScope(session: self, code: code) }
}
