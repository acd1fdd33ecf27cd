import PTuneCore
import PTuneNN

/// Members of values: properties (`x.shape`, `batch.x`, `opt.lr`, `pe.n`), statically and at run time. Methods
/// (`x.sum()` is the builtin `sum(x)`; `opt.step(loss)` is a method of optimizers) dispatch on ``ValueKind``.
enum Members {
    /// The static type of `base.name`, or throws for a member the kind is known not to have.
    static func staticProperty(_ base: LangType, _ name: String, registry: BuiltinRegistry) throws(Message) -> LangType {
        switch base {
        case .unknown: return .unknown
        case let .record(r):
            if let t = r[name] { return t }
            throw .unknownMember(kind: "the record", member: name, available: r.names, suggestion: Suggestions.closest(to: name, in: r.names))
        case let .dataset(cols):
            if let t = cols[name] { return t }
            if name == "count" { return .number(nil) }
            if name == "columns" { return .list(.string) }
            if registry.method(.dataset, name) != nil { return .unknown }
            if cols.isEmpty { return .unknown }
            let names = cols.keys.sorted() + ["count", "columns"]
            throw .unknownMember(kind: "the dataset", member: name, available: names, suggestion: Suggestions.closest(to: name, in: names))
        case let .tensor(t):
            switch name {
            case "shape": return .list(.number(nil))
            case "dtype": return .string
            case "rank": return .number(t.shape.map { Double($0.count) })
            case "count": return .number(t.shape.flatMap { s in s.allSatisfy { $0.value != nil } ? Double(s.reduce(1) { $0 * ($1.value ?? 1) }) : nil })
            case "T":
                guard let s = t.shape else { return .tensor(TensorType(shape: nil, dtype: t.dtype)) }
                return .tensor(TensorType(shape: s.reversed(), dtype: t.dtype))
            default: break
            }
        case .model, .encoder, .optimizer, .list, .string, .range, .schedule, .function, .builtin:
            if base.kind?.propertyNames.contains(name) ?? false {
                if name == "tokens" { return .tensor(.unknown) }
                if name == "kind" || name == "name" { return .string }
                if name == "frozen" { return .bool }
                return .unknown
            }
            if base == .model || base == .encoder { return .unknown } // models carry their own properties
        case .none, .number, .dim, .bool:
            break
        }
        guard let kind = base.kind else { return .unknown }
        if registry.method(kind, name) != nil { return .unknown }
        let names = kind.propertyNames + registry.methodNames(kind)
        throw .unknownMember(kind: base.kindText, member: name, available: names, suggestion: Suggestions.closest(to: name, in: names))
    }

    static func unknown(_ v: Value, _ name: String, extra: [String] = []) -> RuntimeFailure {
        let names = extra + v.kind.propertyNames
        return RuntimeFailure(.unknownMember(kind: v.kindText, member: name, available: names, suggestion: Suggestions.closest(to: name, in: names)))
    }

    /// `v.name` at run time.
    static func property(_ v: Value, _ name: String) throws -> Value {
        switch v {
        case let .record(r):
            if let f = r[name] { return f }
            throw unknown(v, name, extra: r.names)
        case let .dataset(d):
            if let c = d.column(name) { return c }
            if name == "count" { return .number(Double(d.count)) }
            if name == "columns" { return .list(d.names.map { .string($0) }) }
            throw unknown(v, name, extra: d.names)
        case .tensor, .param:
            guard let t = v.tensorValue else { break }
            switch name {
            case "shape": return .list(t.shape.map { .number(Double($0)) })
            case "dtype": return .string(t.dtype.rawValue)
            case "rank": return .number(Double(t.rank))
            case "count": return .number(Double(t.count))
            case "T": return .tensor(t.rank == 2 ? try t.transposed() : try t.permuted(Array((0..<t.rank).reversed())))
            default: break
            }
        case let .list(items):
            if name == "count" { return .number(Double(items.count)) }
        case let .string(s):
            if name == "count" { return .number(Double(s.count)) }
        case let .range(lo, hi):
            switch name {
            case "count": return .number(Double(Swift.max(0, hi - lo)))
            case "start": return .number(Double(lo))
            case "end": return .number(Double(hi))
            default: break
            }
        case let .model(mo):
            switch name {
            case "kind": return .string(mo.kind)
            case "frozen": return .bool(mo.isFrozen)
            case "parameters": return .number(Double(mo.parameterCount))
            default: if let p = mo.properties.first(where: { $0.0 == name }) { return p.1 }
            }
            throw unknown(v, name, extra: mo.properties.map(\.0))
        case let .encoder(e):
            switch name {
            case "kind": return .string(e.kind.rawValue)
            case "n": return .number(Double(e.count))
            case "dim": return .number(Double(e.dim))
            case "parameters": return .number(Double(e.parameterCount))
            case "tokens": return .tensor(try e.encode())
            default: break
            }
        case let .optimizer(o):
            switch name {
            case "kind": return .string(o.kind.rawValue)
            case "lr": return .number(o.learningRate)
            case "steps": return .number(Double(o.steps))
            case "loss": return o.lastLoss.map { .number($0) } ?? .none
            default: break
            }
        case let .schedule(s):
            switch name {
            case "kind": return .string(s.kind.rawValue)
            case "warmup": return .number(Double(s.warmup))
            default: break
            }
        case let .function(f):
            if name == "name" { return .string(f.name) }
            if name == "arity" { return .number(Double(f.arity)) }
        case let .builtin(b):
            if name == "name" { return .string(b.name) }
            if name == "arity" { return .number(Double(b.parameters.count)) }
        case .none, .number, .bool:
            break
        }
        throw unknown(v, name)
    }

    /// `v.name = x` at run time (only an optimizer's `lr` and a model's `frozen` are settable).
    static func setProperty(_ v: Value, _ name: String, _ x: Value) throws {
        if case let .optimizer(o) = v, name == "lr" {
            guard case let .number(r) = x, r >= 0, r.isFinite else {
                throw RuntimeFailure(.wrongKind(context: "'lr'", expected: "a non-negative number", got: x.kindText))
            }
            o.learningRate = r
            return
        }
        if case let .model(mo) = v, name == "frozen" {
            guard case let .bool(b) = x else { throw RuntimeFailure(.wrongKind(context: "'frozen'", expected: "a bool", got: x.kindText)) }
            if b { mo.freeze() } else { mo.unfreeze() }
            return
        }
        throw RuntimeFailure(.cannotAssign(name, kind: "member", hint: "only an optimizer's 'lr' and a model's 'frozen' can be set"))
    }
}
