import Foundation
import PTuneCore
import PTuneNN

/// One entry of an index expression, evaluated.
enum IndexPart {
    /// One position.
    case at(Int)
    /// `start:end:step`
    case slice(Int?, Int?, Int?)
    /// A record field by name: `r["x"]`.
    case key(String)

    /// What the checker knows about an entry before running.
    enum Static: Equatable {
        case at, slice, all, key
    }

    /// An index value: an integer or a string key.
    static func from(_ v: Value, at span: SourceSpan) throws -> IndexPart {
        switch v {
        case let .number(x):
            guard let n = Value.exactInt(x) else { throw RuntimeFailure(.notInteger(context: "an index", value: v.debugText), at: span) }
            return .at(n)
        case let .string(s):
            return .key(s)
        case let .tensor(t) where t.count == 1:
            guard let n = Value.exactInt(try t.scalarValue()) else { throw RuntimeFailure(.notInteger(context: "an index", value: v.debugText), at: span) }
            return .at(n)
        case .none, .bool, .tensor, .param, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "an index", expected: "an integer", got: v.kindText), at: span)
        }
    }
}

/// The operators at run time. Each takes values of any kind and either computes or throws a catalogue message
/// (numbers with numbers, tensors with tensors or numbers — broadcasting —, strings and lists with `+`).
enum Operators {
    /// The function for a binary operator (`and`/`or` short-circuit in the compiler instead).
    static func function(_ op: BinaryOp) -> (Value, Value) throws -> Value {
        switch op {
        case .add: return add
        case .subtract: return subtract
        case .multiply: return multiply
        case .divide: return divide
        case .remainder: return remainder
        case .matmul: return matmul
        case .power: return power
        case .equal: return { a, b in try compare(.equal, a, b) }
        case .notEqual: return { a, b in try compare(.notEqual, a, b) }
        case .less: return { a, b in try compare(.less, a, b) }
        case .lessEqual: return { a, b in try compare(.lessEqual, a, b) }
        case .greater: return { a, b in try compare(.greater, a, b) }
        case .greaterEqual: return { a, b in try compare(.greaterEqual, a, b) }
        case .and: return { a, b in .bool(try truth(a) && truth(b)) }
        case .or: return { a, b in .bool(try truth(a) || truth(b)) }
        case .rangeInclusive: return { a, b in try range(a, b, inclusive: true) }
        case .rangeExclusive: return { a, b in try range(a, b, inclusive: false) }
        }
    }

    /// `a op b` for any binary operator.
    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value { try function(op)(a, b) }

    static func kinds(_ op: String, _ a: Value, _ b: Value) -> RuntimeFailure {
        RuntimeFailure(.operatorKinds(op: op, lhs: a.kindText, rhs: b.kindText))
    }

    /// Tensor arithmetic with numbers on either side.
    @inline(__always)
    static func tensorArith(_ op: String, _ a: Value, _ b: Value, _ tt: (Tensor, Tensor) throws -> Tensor,
                            _ ts: (Tensor, Double) throws -> Tensor, _ st: (Double, Tensor) throws -> Tensor) throws -> Value {
        // The common cases first, without copying through `tensorValue`.
        if case let .tensor(x) = a {
            if case let .tensor(y) = b { return .tensor(try tt(x, y)) }
            if case let .param(p) = b { return .tensor(try tt(x, p.value)) }
            if case let .number(s) = b { return .tensor(try ts(x, s)) }
        } else if case let .param(p) = a, case let .tensor(y) = b {
            return .tensor(try tt(p.value, y))
        }
        if let x = a.tensorValue {
            if let y = b.tensorValue { return .tensor(try tt(x, y)) }
            if case let .number(s) = b { return .tensor(try ts(x, s)) }
        } else if case let .number(s) = a, let y = b.tensorValue {
            return .tensor(try st(s, y))
        }
        throw kinds(op, a, b)
    }

    static func add(_ a: Value, _ b: Value) throws -> Value {
        if case let .number(x) = a, case let .number(y) = b { return .number(x + y) }
        if case let .string(x) = a, case let .string(y) = b { return .string(try Value.joined(x, y)) }
        if case let .list(x) = a, case let .list(y) = b { return try Value.makeList(x.items + y.items) }
        return try tensorArith("+", a, b, { try $0 + $1 }, { try $0 + $1 }, { try $0 + $1 })
    }

    static func subtract(_ a: Value, _ b: Value) throws -> Value {
        if case let .number(x) = a, case let .number(y) = b { return .number(x - y) }
        return try tensorArith("-", a, b, { try $0 - $1 }, { try $0 - $1 }, { try $0 - $1 })
    }

    static func multiply(_ a: Value, _ b: Value) throws -> Value {
        if case let .number(x) = a, case let .number(y) = b { return .number(x * y) }
        return try tensorArith("*", a, b, { try $0 * $1 }, { try $0 * $1 }, { try $0 * $1 })
    }

    static func divide(_ a: Value, _ b: Value) throws -> Value {
        if case let .number(x) = a, case let .number(y) = b {
            guard y != 0 else { throw RuntimeFailure(.divisionByZero) }
            return .number(x / y)
        }
        return try tensorArith("/", a, b, { try $0 / $1 }, { try $0 / $1 }, { try $0 / $1 })
    }

    /// `a % b` on numbers: the remainder with the sign of `b` (as in Python).
    static func remainder(_ a: Value, _ b: Value) throws -> Value {
        guard case let .number(x) = a, case let .number(y) = b else { throw kinds("%", a, b) }
        guard y != 0 else { throw RuntimeFailure(.divisionByZero) }
        return .number(x - y * (x / y).rounded(.down))
    }

    static func matmul(_ a: Value, _ b: Value) throws -> Value {
        if case let .tensor(x) = a, case let .tensor(y) = b { return .tensor(try Tensor.matmul(x, y)) }
        guard let x = a.tensorValue, let y = b.tensorValue else { throw kinds("@", a, b) }
        return .tensor(try Tensor.matmul(x, y))
    }

    static func power(_ a: Value, _ b: Value) throws -> Value {
        if case let .number(x) = a, case let .number(y) = b { return .number(pow(x, y)) }
        if let x = a.tensorValue, case let .number(p) = b {
            if p == 2 { return .tensor(try x.square()) }
            return .tensor(try x.pow(p))
        }
        return try tensorArith("**", a, b, { try Tensor.pow($0, $1) }, { try $0.pow($1) },
                               { s, t in try Tensor.pow(try Tensor.full(t.shape, value: s, dtype: t.dtype), t) })
    }

    /// Comparisons: numbers and strings give a bool; a tensor on either side compares elementwise.
    static func compare(_ c: Comparison, _ a: Value, _ b: Value) throws -> Value {
        if let x = a.tensorValue {
            if let y = b.tensorValue { return .tensor(try Tensor.compare(x.detached(), y.detached(), c)) }
            if case let .number(s) = b { return .tensor(try x.detached().compare(c, s)) }
        } else if case let .number(s) = a, let y = b.tensorValue {
            return .tensor(try Tensor.compare(try Tensor.full(y.shape, value: s, dtype: y.dtype), y.detached(), c))
        }
        if case let .number(x) = a, case let .number(y) = b { return .bool(c.holds(x, y)) }
        if case let .string(x) = a, case let .string(y) = b { return .bool(c.holds(x, y)) }
        guard c == .equal || c == .notEqual else { throw kinds(c.rawValue, a, b) }
        let same = try identical(a, b)
        return .bool(c == .equal ? same : !same)
    }

    /// Equality of values that are not numbers or strings: same kind and same content or identity. Lists compare
    /// item by item with an explicit stack (a list nested a million deep needs no recursion), asking
    /// ``TensorContext/checkStop()`` every few thousand items.
    static func identical(_ a: Value, _ b: Value) throws -> Bool {
        var pairs: [(Value, Value)] = [(a, b)]
        var visited = 0
        while let (x, y) = pairs.popLast() {
            visited += 1
            if visited & 4095 == 0 { try TensorContext.checkStop() }
            guard case let .list(l) = x else {
                if !same(x, y) { return false }
                continue
            }
            guard case let .list(r) = y, l.count == r.count else { return false }
            if l === r { continue }
            for i in stride(from: l.count - 1, through: 0, by: -1) { pairs.append((l[i], r[i])) }
        }
        return true
    }

    /// ``identical(_:_:)`` for values that are not lists.
    private static func same(_ a: Value, _ b: Value) -> Bool {
        switch a {
        case .none: if case .none = b { return true }
        case let .bool(x): if case let .bool(y) = b { return x == y }
        case let .number(x): if case let .number(y) = b { return x == y }
        case let .string(x): if case let .string(y) = b { return x == y }
        case .list: return false
        case let .range(a0, a1): if case let .range(b0, b1) = b { return a0 == b0 && a1 == b1 }
        case let .record(x): if case let .record(y) = b { return x === y }
        case let .function(x): if case let .function(y) = b { return x === y }
        case let .builtin(x): if case let .builtin(y) = b { return x === y }
        case let .model(x): if case let .model(y) = b { return x === y }
        case let .encoder(x): if case let .encoder(y) = b { return x === y }
        case let .dataset(x): if case let .dataset(y) = b { return x === y }
        case let .optimizer(x): if case let .optimizer(y) = b { return x === y }
        case let .schedule(x): if case let .schedule(y) = b { return x === y }
        case let .param(x): if case let .param(y) = b { return x === y }
        case .tensor: return false
        }
        return false
    }

    static func range(_ a: Value, _ b: Value, inclusive: Bool) throws -> Value {
        guard case let .number(x) = a, case let .number(y) = b else { throw kinds(inclusive ? ".." : "..<", a, b) }
        guard let lo = Value.exactInt(x), let hi = Value.exactInt(y) else {
            throw RuntimeFailure(.notInteger(context: "a range bound", value: Value.format(Value.exactInt(x) == nil ? x : y)))
        }
        return .range(lo, inclusive ? hi + 1 : hi)
    }

    static func negate(_ v: Value) throws -> Value {
        switch v {
        case let .number(x): return .number(-x)
        case let .tensor(t): return .tensor(try -t)
        case let .param(p): return .tensor(try -p.value)
        case .none, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            throw RuntimeFailure(.unaryKind(op: "-", operand: v.kindText))
        }
    }

    /// `not` on a tensor: 1 where an element is 0.
    static func not(_ v: Value) throws -> Value {
        if let t = v.tensorValue { return .tensor(try t.detached().compare(.equal, 0)) }
        throw RuntimeFailure(.unaryKind(op: "not", operand: v.kindText))
    }

    /// A condition's truth: a bool, or a one-element tensor (non-zero is true).
    static func truth(_ v: Value) throws -> Bool {
        switch v {
        case let .bool(b): return b
        case .tensor, .param:
            guard let t = v.tensorValue, t.count == 1 else {
                throw RuntimeFailure(.wrongKind(context: "a condition", expected: "a bool or a one-element tensor", got: v.kindText))
            }
            return try t.scalarValue() != 0
        case .none, .number, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "a condition", expected: "a bool", got: v.kindText))
        }
    }

    /// `v[parts]` on tensors, lists, strings, records and datasets.
    static func index(_ v: Value, _ parts: [IndexPart]) throws -> Value {
        switch v {
        case .tensor, .param:
            guard let t = v.tensorValue else { throw RuntimeFailure(.internalError("tensor without a tensor")) }
            let idx: [TensorIndex] = try parts.map { p in
                switch p {
                case let .at(i): return .at(i)
                case let .slice(a, b, c): return a == nil && b == nil && c == nil ? .all : .range(start: a, end: b, step: c)
                case .key: throw RuntimeFailure(.wrongKind(context: "a tensor index", expected: "an integer", got: "a string"))
                }
            }
            return .tensor(try t.indexed(idx))
        case let .list(items):
            guard parts.count == 1 else { throw RuntimeFailure(.badShape(op: "index", "a list takes one index, got \(parts.count)")) }
            switch parts[0] {
            case let .at(i):
                let j = i < 0 ? i + items.count : i
                guard j >= 0 && j < items.count else { throw RuntimeFailure(.indexOutOfRange(index: i, size: items.count)) }
                return items[j]
            case let .slice(a, b, c):
                let t = try Tensor.arange(0, Double(items.count), dtype: .int64).indexed([.range(start: a, end: b, step: c)])
                return .list(t.ints.map { items[$0] })
            case .key:
                throw RuntimeFailure(.wrongKind(context: "a list index", expected: "an integer", got: "a string"))
            }
        case let .record(r):
            guard parts.count == 1, case let .key(k) = parts[0] else {
                throw RuntimeFailure(.wrongKind(context: "a record index", expected: "a field name in quotes", got: "a number"))
            }
            guard let f = r[k] else {
                throw RuntimeFailure(.unknownMember(kind: "the record", member: k, available: r.names, suggestion: Suggestions.closest(to: k, in: r.names)))
            }
            return f
        case let .dataset(d):
            guard parts.count == 1 else { throw RuntimeFailure(.badShape(op: "index", "a dataset takes one index (rows)")) }
            switch parts[0] {
            case let .at(i):
                let j = i < 0 ? i + d.count : i
                guard j >= 0 && j < d.count else { throw RuntimeFailure(.indexOutOfRange(index: i, size: d.count)) }
                return .record(try d.subset([j], source: d.source).batch(start: 0, length: 1))
            case let .slice(a, b, c):
                let t = try Tensor.arange(0, Double(d.count), dtype: .int64).indexed([.range(start: a, end: b, step: c)])
                return .dataset(try d.subset(t.ints, source: d.source))
            case let .key(k):
                guard let col = d.column(k) else {
                    throw RuntimeFailure(.unknownMember(kind: "the dataset", member: k, available: d.names, suggestion: Suggestions.closest(to: k, in: d.names)))
                }
                return col
            }
        case let .string(s):
            guard parts.count == 1 else { throw RuntimeFailure(.badShape(op: "index", "a string takes one index")) }
            let chars = Array(s)
            switch parts[0] {
            case let .at(i):
                let j = i < 0 ? i + chars.count : i
                guard j >= 0 && j < chars.count else { throw RuntimeFailure(.indexOutOfRange(index: i, size: chars.count)) }
                return .string(String(chars[j]))
            case let .slice(a, b, c):
                let t = try Tensor.arange(0, Double(chars.count), dtype: .int64).indexed([.range(start: a, end: b, step: c)])
                return .string(String(t.ints.map { chars[$0] }))
            case .key:
                throw RuntimeFailure(.wrongKind(context: "a string index", expected: "an integer", got: "a string"))
            }
        case .none, .number, .bool, .range, .function, .builtin, .model, .encoder, .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "indexing", expected: "a tensor, a list, a string, a record or a dataset", got: v.kindText))
        }
    }
}
