import PTuneCore

/// The checking pass: it resolves every name to a slot, infers types and shapes with named dims, and reports every
/// mistake it can see before anything runs. Its output, a ``CheckedStatement`` per top-level statement, is what
/// ``CodeGen`` turns into closures for the ``Machine``.
///
/// The type and shape rules live in ``TypeRules``, ``ShapeRules`` and each builtin's static rule; this type walks
/// the tree.
struct Checker {
    var globals: GlobalTable
    var diagnostics: [Diagnostic] = []
    /// Block scopes of the code being checked, innermost last (empty at the top level).
    var scopes: [[String: Binding]] = []
    /// The next free local slot of the current frame, and the most the frame needs.
    var nextLocal = 0
    var frameSize = 0
    /// The function being checked, if any: its name and the types its `return`s give.
    var function: (name: String, returns: [LangType])?
    var loopDepth = 0
    /// The frames around the function being checked, outermost first (empty at the top level).
    var enclosing: [CheckerFrame] = []
    /// Where the values the function being checked captures come from, in the frame around it.
    var captures: [Slot] = []
    /// The binding the function being checked is declared as (its own name inside it refers to it).
    var ownBinding: Binding?
    /// The group the function being checked belongs to (local functions declared together), by index.
    var siblingBindings: [Binding] = []
    /// The default float dtype at this point of the script.
    var dtype: DType
    /// Names assigned anywhere in the program (their declared types are widened).
    var assigned: Set<String> = []
    /// Top-level names declared later in the program (functions may refer to them).
    var pending: [String: SourceSpan] = [:]
    /// `--set` overrides, and which of them a statement used.
    let overrides: [String: Override]
    var usedOverrides: Set<String> = []
    let registry: BuiltinRegistry
    let access: FileAccess
    /// The files being imported, outermost first (to report cycles).
    var importStack: [String] = []
    /// When set, diagnostics are dropped (inferring a type for `:type` or completion).
    var silent = false
    /// How many user-function bodies are being re-checked with call-site argument types (bounded).
    var inferenceDepth = 0
    /// The stack of the thread checking: a program nested past what it holds is an error, not an overflow.
    let stack = StackGuard.current()
    /// Whether running out of stack was reported already.
    var reportedStack = false
    /// Where declarations and resolved names are recorded for an editor (nil when a script is checked to run).
    var index: SourceIndex?
    /// The function bodies re-checked with call-site types, shared with the copies that re-check them.
    let inference = CallInference()

    init(globals: GlobalTable, dtype: DType, overrides: [Override], registry: BuiltinRegistry, access: FileAccess) {
        self.globals = globals
        self.dtype = dtype
        var o: [String: Override] = [:]
        for x in overrides { o[x.name] = x }
        self.overrides = o
        self.registry = registry
        self.access = access
    }

    // MARK: - Diagnostics

    mutating func error(_ message: Message, at span: SourceSpan, notes: [Diagnostic] = []) {
        if !silent { diagnostics.append(Diagnostic(message, at: span, notes: notes)) }
    }

    // MARK: - Programs

    /// Checks a sequence of top-level statements (a script, an import, or one REPL entry). Without `keepingResults`
    /// only the declarations count (completion and inspection of code not run yet): no statement keeps the table
    /// of names after it, which would copy the table once per statement.
    mutating func checkProgram(_ statements: [Stmt], keepingResults: Bool = true) -> [CheckedStatement] {
        assigned.formUnion(Checker.assignedNames(statements))
        for s in statements {
            switch s {
            case let .declare(_, name, span, _, _): if globals.slots[name] == nil { pending[name] = span }
            case let .function(f): if globals.slots[f.name] == nil { pending[f.name] = f.nameSpan }
            case let .train(t): if let r = t.result, globals.slots[r.name] == nil { pending[r.name] = r.span }
            case .seed, .dtype, .ifElse, .forIn, .whileLoop, .print, .assert, .save, .load, .importFile,
                 .returnValue, .breakLoop, .continueLoop, .assign, .expression:
                break
            }
        }
        var out: [CheckedStatement] = []
        for s in statements {
            nextLocal = 0
            frameSize = 0
            inference.forget()
            let body = statement(s, topLevel: true)
            var value: Checked?
            if case let .expression(e, _) = s {
                value = expression(e)
                frameSize = Swift.max(frameSize, nextLocal)
            }
            if keepingResults {
                out.append(CheckedStatement(span: s.span, body: body, value: value, frameSize: frameSize, tableAfter: globals))
            }
        }
        return out
    }

    /// Every name that is the target of an assignment anywhere in `statements`.
    static func assignedNames(_ statements: [Stmt]) -> Set<String> {
        var out: Set<String> = []
        func walk(_ ss: [Stmt]) {
            for s in ss {
                switch s {
                case let .assign(.name(n, _), _, _, _): out.insert(n)
                case let .ifElse(_, a, b, _): walk(a); walk(b ?? [])
                case let .forIn(_, _, _, body, _): walk(body)
                case let .whileLoop(_, body, _): walk(body)
                case let .function(f): if case let .block(b) = f.body { walk(b) }
                case .seed, .dtype, .declare, .train, .print, .assert, .save, .load, .importFile, .returnValue,
                     .breakLoop, .continueLoop, .assign, .expression:
                    break
                }
            }
        }
        walk(statements)
        return out
    }

    // MARK: - Scopes

    /// Runs `body` in a new block scope; its locals' slots are reused after it.
    mutating func inScope<R>(_ body: (inout Checker) -> R) -> R {
        scopes.append([:])
        let saved = nextLocal
        let r = body(&self)
        scopes.removeLast()
        nextLocal = saved
        return r
    }

    /// Declares a local in the innermost scope and returns its slot.
    mutating func declareLocal(_ name: String, kind: BindingKind, type: LangType, span: SourceSpan) -> Int {
        let slot = nextLocal
        nextLocal += 1
        frameSize = Swift.max(frameSize, nextLocal)
        if scopes.isEmpty { scopes.append([:]) }
        scopes[scopes.count - 1][name] = Binding(name: name, slot: slot, kind: kind, type: type, span: span, isGlobal: false)
        return slot
    }

    /// Updates the recorded type of a binding (after an assignment widens it).
    mutating func setType(of b: Binding, _ type: LangType) {
        if b.isGlobal {
            if b.slot < globals.bindings.count { globals.bindings[b.slot].type = type }
            return
        }
        for i in stride(from: scopes.count - 1, through: 0, by: -1) where scopes[i][b.name] != nil {
            scopes[i][b.name]?.type = type
            return
        }
    }

    /// Every name visible here (for "did you mean").
    func visibleNames() -> [String] {
        var names = Array(globals.slots.keys) + registry.globalNames
        for s in scopes + enclosing.flatMap(\.scopes) { names += s.keys }
        return names
    }

    /// Reserves a global slot for a name declared later in the program (a function body refers to it).
    mutating func reservePending(_ name: String) -> Binding? {
        guard let span = pending[name] else { return nil }
        let slot = globals.declare(name, kind: .let, type: .unknown, span: span)
        if slot >= Machine.maxGlobals { error(.tooManyNames(Machine.maxGlobals), at: span) }
        return globals.bindings[slot]
    }
}

extension Binding {
    /// Where the binding's value lives at run time.
    var location: Slot {
        switch place {
        case .frame: return isGlobal ? .global(slot, name: name) : .local(slot)
        case .capture: return .capture(slot)
        case .itself: return .itself
        case let .sibling(k): return .sibling(k)
        }
    }
}
