import PTuneCore
import PTuneNN

/// Members of values at run time: properties (`x.shape`, `batch.x`, `opt.lr` — the rate of the next step, a schedule
/// applied —, `pe.n`); their static types are
/// ``TypeRules/member(_:_:registry:)``. Methods (`x.sum()` is the builtin `sum(x)`; `opt.step(loss)` is a method of
/// optimizers) dispatch on ``ValueKind``.
enum Members {
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
            case "lr": return .number(o.currentRate)
            case "base_lr": return .number(o.learningRate)
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

    /// `v.name = x` at run time (only an optimizer's `lr` — the base rate a schedule scales, also `base_lr` — and a
    /// model's `frozen` are settable).
    static func setProperty(_ v: Value, _ name: String, _ x: Value) throws {
        if case let .optimizer(o) = v, name == "lr" || name == "base_lr" {
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
