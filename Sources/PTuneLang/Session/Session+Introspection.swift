import PTuneCore
import PTuneNN

/// One name in scope, as the REPL's `:vars` lists it.
public struct BindingInfo: Sendable {
    /// The name.
    public var name: String
    /// How it was declared: `let`, `dim`, `param`, `frozen`, `model`, `frozen model`, `encoder`, `data`, `fn`, …
    public var kind: BindingKind
    /// What the checker knows about it (`tensor [virtual, embed] float64`).
    public var type: String
    /// The tensor's shape, for tensors and params.
    public var shape: [Int]?
    /// The tensor's dtype, for tensors and params.
    public var dtype: String?
    /// Scalar parameters held (params, models, encoders).
    public var parameterCount: Int?
    /// Whether an optimizer may train it (params, encoders, unfrozen models).
    public var isTrainable: Bool
    /// The value in one short line.
    public var summary: String
}

extension Session {
    /// The language's reserved words (for completion and highlighting).
    public static var keywords: [String] { Keyword.allCases.map(\.rawValue).sorted() }

    /// The contextual words statements start with (`model`, `encoder`, `data`, `train`, `save`, `load`).
    public static var statementWords: [String] { ContextualWord.allCases.filter(\.startsStatement).map(\.rawValue).sorted() }

    /// Every top-level name with a value, in declaration order.
    public func bindings() -> [BindingInfo] {
        var out: [BindingInfo] = []
        for b in table.bindings where table.slots[b.name] == b.slot && b.slot < Machine.maxGlobals && machine.initialized[b.slot] {
            let v = machine.globals[b.slot]
            var info = BindingInfo(name: b.name, kind: b.kind, type: b.type.description, shape: nil, dtype: nil,
                                   parameterCount: nil, isTrainable: false, summary: Session.summary(v))
            switch v {
            case let .tensor(t):
                info.shape = t.shape
                info.dtype = t.dtype.rawValue
            case let .param(p):
                info.shape = p.value.shape
                info.dtype = p.value.dtype.rawValue
                info.parameterCount = p.value.count
                info.isTrainable = true
            case let .model(mo):
                info.parameterCount = mo.parameterCount
                info.isTrainable = !mo.isFrozen
            case let .encoder(e):
                info.parameterCount = e.parameterCount
                info.isTrainable = true
            case .none, .number, .bool, .string, .list, .range, .record, .function, .builtin, .dataset, .optimizer, .schedule:
                break
            }
            out.append(info)
        }
        return out
    }

    /// A value in one line (tensors by shape and dtype, long text cut).
    static func summary(_ v: Value) -> String {
        switch v {
        case let .tensor(t):
            return t.count <= 6 ? t.formatted(withShape: true).replacingOccurrences(of: "\n", with: "") : "tensor \(Shape.describe(t.shape)) \(t.dtype)"
        case let .param(p): return "param \(Shape.describe(p.value.shape)) \(p.value.dtype)"
        case .none, .number, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            let s = v.debugText.replacingOccurrences(of: "\n", with: " ")
            return s.count > 72 ? String(s.prefix(71)) + "…" : s
        }
    }

    /// The static type of an expression in the current session (`:type EXPR`), or its syntax or check errors.
    public func type(of expression: String) throws(RunFailure) -> LangType { try scope().type(of: expression) }

    /// The members of an expression's value, for completion after `.` (`lm.` lists a model's fields): properties
    /// first, then methods. The value itself is used when the expression is a name; otherwise its static type.
    public func members(of expression: String) -> [String] { scope().members(of: expression) }

    /// The members values of static type `t` have: record fields, dataset columns, the kind's properties, then its
    /// methods.
    static func members(of t: LangType, registry: BuiltinRegistry) -> [String] {
        var names: [String] = []
        switch t {
        case let .record(r): names = r.names
        case let .dataset(cols): names = cols.keys.sorted() + ValueKind.dataset.propertyNames
        case .unknown, .none, .number, .dim, .bool, .string, .tensor, .list, .range, .function, .builtin, .model,
             .encoder, .optimizer, .schedule:
            names = t.kind?.propertyNames ?? []
        case .numberList:
            names = ValueKind.list.propertyNames + registry.methodNames(.tensor)
        }
        return Session.unique(names + (t.kind.map(registry.methodNames) ?? []))
    }

    static func members(of v: Value, registry: BuiltinRegistry) -> [String] {
        let kind = v.kind
        var names = kind.propertyNames
        switch v {
        case let .record(r): names = r.names
        case let .dataset(d): names = d.names + names
        case let .model(mo):
            // Only the methods this model can run: `generate` on a causal LM, `sentence_embedding` on an encoder.
            let roles = mo.roles
            return unique(names + mo.properties.map(\.0)
                + registry.methodNames(kind) { b in b.modelRole.map(roles.contains) ?? true })
        case .none, .number, .bool, .string, .tensor, .param, .list, .range, .function, .builtin, .encoder, .optimizer,
             .schedule:
            break
        }
        return unique(names + registry.methodNames(kind))
    }

    static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// The parameter names a call of `callee` accepts as labels (`sgd` → params, lr, momentum; a user function's
    /// parameters; `train` options; `opt.step`), for completion inside a call.
    public func parameterNames(ofCallee callee: String) -> [String] { scope().parameterNames(ofCallee: callee) }

    /// Every name completion may offer at the start of an expression: names in scope, builtins, keywords.
    public var completionNames: [String] { scope().names }
}
