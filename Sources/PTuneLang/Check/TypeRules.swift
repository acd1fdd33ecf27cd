import Foundation
import PTuneCore

/// The static rules of operators, members and indexing: the result type from the operand types, or the message for a
/// mistake visible before running. Shapes go through ``ShapeRules`` so mismatches name both dims.
enum TypeRules {
    /// `-x`, `+x`, `not x`.
    static func unary(_ op: UnaryOp, _ t: LangType) throws(Message) -> LangType {
        if case .unknown = t { return .unknown }
        switch op {
        case .negate, .plus:
            switch t {
            case let .number(v): return .number(op == .negate ? v.map { -$0 } : v)
            case let .dim(d): return .number(d.value.map { Double(op == .negate ? -$0 : $0) })
            case .tensor: return t
            case let .numberList(x): return .tensor(x)
            case .unknown, .none, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder,
                 .dataset, .optimizer, .schedule:
                throw .unaryKind(op: op.rawValue, operand: t.kindText)
            }
        case .not:
            switch t {
            case .bool: return .bool
            case .tensor: return t
            case .unknown, .none, .number, .dim, .string, .list, .numberList, .range, .record, .function, .builtin,
                 .model, .encoder, .dataset, .optimizer, .schedule:
                throw .unaryKind(op: "not", operand: t.kindText)
            }
        }
    }

    /// The verb a shape mismatch of an arithmetic operator uses in its message.
    static func verb(_ op: BinaryOp) -> String {
        switch op {
        case .add: return "add"
        case .subtract: return "subtract"
        case .multiply: return "multiply"
        case .divide: return "divide"
        case .matmul: return "matmul"
        case .remainder, .power, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .and, .or,
             .rangeInclusive, .rangeExclusive:
            return "broadcast"
        }
    }

    /// `a op b`.
    static func binary(_ op: BinaryOp, _ a: LangType, _ b: LangType) throws(Message) -> LangType {
        let unknownSide = a == .unknown || b == .unknown
        func kinds() -> Message { .operatorKinds(op: op.rawValue, lhs: a.kindText, rhs: b.kindText) }
        switch op {
        case .and, .or:
            for t in [a, b] {
                switch t {
                case .bool, .unknown: continue
                case let .tensor(tt) where tt.shape.map({ $0.allSatisfy { ($0.value ?? 1) == 1 } }) ?? true: continue
                case .none, .number, .dim, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin,
                     .model, .encoder, .dataset, .optimizer, .schedule:
                    throw kinds()
                }
            }
            return .bool
        case .rangeInclusive, .rangeExclusive:
            for t in [a, b] {
                switch t {
                case .number, .dim, .unknown: continue
                case .none, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin, .model,
                     .encoder, .dataset, .optimizer, .schedule:
                    throw kinds()
                }
            }
            return .range
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            // A list of numbers compared with a tensor, or ordered against numbers, is a tensor; `==` of lists is
            // one bool.
            let ordering = op != .equal && op != .notEqual && (a.isNumberList || b.isNumberList)
            if let ta = tensorOperand(a), let tb = tensorOperand(b), a.isTensor || b.isTensor || ordering {
                let shape = try broadcastShapes(ta, tb, op: "compare")
                return .tensor(TensorType(shape: shape, dtype: try ShapeRules.dtype(ta.dtype, tb.dtype, op: op.rawValue)))
            }
            if unknownSide { return .unknown }
            if op == .equal || op == .notEqual { return .bool }
            if a.kind == b.kind, a.kind == .number || a.kind == .string { return .bool }
            throw kinds()
        case .add, .subtract, .multiply, .divide, .remainder, .power:
            if let r = numberArithmetic(op, a, b) { return r }
            if op == .add, let joined = concatenation(a, b) { return joined }
            if a.isTensor || b.isTensor || a.isNumberList || b.isNumberList, let ta = tensorOperand(a), let tb = tensorOperand(b) {
                let shape = try broadcastShapes(ta, tb, op: verb(op))
                return .tensor(TensorType(shape: shape, dtype: try ShapeRules.dtype(ta.dtype, tb.dtype, op: op.rawValue)))
            }
            if unknownSide { return .unknown }
            if op == .add, a.kind == .string, b.kind == .string { return .string }
            throw kinds()
        case .matmul:
            if unknownSide {
                if a.isTensor || b.isTensor || a.isNumberList || b.isNumberList {
                return .tensor(TensorType(shape: nil, dtype: (a.tensorType?.dtype ?? b.tensorType?.dtype)))
            }
                return .unknown
            }
            guard a.isTensor || a.isNumberList, b.isTensor || b.isNumberList, let ta = a.tensorType, let tb = b.tensorType else { throw kinds() }
            let dt = try ShapeRules.dtype(ta.dtype, tb.dtype, op: "@")
            guard let sa = ta.shape, let sb = tb.shape else { return .tensor(TensorType(shape: nil, dtype: dt)) }
            return .tensor(TensorType(shape: try ShapeRules.matmul(sa, sb), dtype: dt))
        }
    }

    /// Arithmetic on numbers and dims, folding constants; nil when an operand is not a number.
    static func numberArithmetic(_ op: BinaryOp, _ a: LangType, _ b: LangType) -> LangType? {
        func value(_ t: LangType) -> (Double?, Dim?)? {
            switch t {
            case let .number(v): return (v, nil)
            case let .dim(d): return (d.value.map(Double.init), d)
            case .unknown, .none, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin,
                 .model, .encoder, .dataset, .optimizer, .schedule:
                return nil
            }
        }
        guard let (x, da) = value(a), let (y, db) = value(b) else { return nil }
        var result: Double?
        if let x, let y {
            switch op {
            case .add: result = x + y
            case .subtract: result = x - y
            case .multiply: result = x * y
            case .divide: result = y == 0 ? nil : x / y
            case .remainder: result = y == 0 ? nil : x - y * (x / y).rounded(.down)
            case .power: result = pow(x, y)
            case .matmul, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .and, .or, .rangeInclusive,
                 .rangeExclusive:
                result = nil
            }
        }
        // A dim combined by + - * with an integer stays a dim, named by the expression (`virtual + 1`).
        if da != nil || db != nil, op == .add || op == .subtract || op == .multiply {
            let left = da ?? Dim(x.flatMap(Value.exactInt)), right = db ?? Dim(y.flatMap(Value.exactInt))
            return .dim(Dim(result.flatMap(Value.exactInt), name: ShapeRules.combine(left, op.rawValue, right)))
        }
        return .number(result)
    }

    /// The tensor type an operand contributes to a broadcast (a number is a rank-0 tensor), or nil.
    static func tensorOperand(_ t: LangType) -> TensorType? {
        switch t {
        case let .tensor(x), let .numberList(x): return x
        case .number, .dim: return TensorType(shape: [], dtype: nil)
        case .unknown: return .unknown
        case let .list(e):
            // A list built at run time may hold numbers (it is then made a tensor).
            switch e {
            case .number, .dim, .unknown, .list, .numberList: return .unknown
            case .none, .bool, .string, .tensor, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                return nil
            }
        case .none, .bool, .string, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            return nil
        }
    }

    /// `a + b` of two lists: one list, the items of `a` then those of `b` (nil when either is not a list).
    static func concatenation(_ a: LangType, _ b: LangType) -> LangType? {
        guard a.kind == .list, b.kind == .list else { return nil }
        if case let .numberList(x) = a, case let .numberList(y) = b, let sx = x.shape, let sy = y.shape, sx.count == sy.count,
           let nx = sx.first?.value, let ny = sy.first?.value,
           zip(sx.dropFirst(), sy.dropFirst()).allSatisfy({ !$0.conflicts(with: $1) }) {
            return .numberList(TensorType(shape: [Dim(nx + ny)] + sx.dropFirst(), dtype: x.dtype))
        }
        if case let .list(x) = a, case let .list(y) = b { return .list(x == y ? x : .unknown) }
        return .list(.unknown)
    }

    static func broadcastShapes(_ a: TensorType, _ b: TensorType, op: String) throws(Message) -> [Dim]? {
        guard let sa = a.shape, let sb = b.shape else { return nil }
        return try ShapeRules.broadcast(sa, sb, op: op)
    }

    /// The static type of `base.name`, or throws for a member the kind is known not to have.
    static func member(_ base: LangType, _ name: String, registry: BuiltinRegistry) throws(Message) -> LangType {
        // A list of numbers has a tensor's members where a list has none of the name (`[[1, 2]].shape`).
        if case let .numberList(t) = base, !ValueKind.list.propertyNames.contains(name), registry.method(.list, name) == nil {
            return try member(.tensor(t), name, registry: registry)
        }
        // A list built while running may hold numbers: a tensor's member is checked when it runs.
        if case .list = base, tensorOperand(base) != nil, !ValueKind.list.propertyNames.contains(name),
           registry.method(.list, name) == nil, (try? member(.tensor(.unknown), name, registry: registry)) != nil {
            return .unknown
        }
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
        case .model, .encoder, .optimizer, .list, .numberList, .string, .range, .schedule, .function, .builtin:
            if base.kind?.propertyNames.contains(name) ?? false {
                if name == "tokens" { return .tensor(.unknown) }
                if name == "kind" || name == "name" { return .string }
                if name == "frozen" { return .bool }
                return .unknown
            }
            switch base { // models carry their own properties
            case .model, .encoder: return .unknown
            case .unknown, .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .function,
                 .builtin, .dataset, .optimizer, .schedule: break
            }
        case .none, .number, .dim, .bool:
            break
        }
        guard let kind = base.kind else { return .unknown }
        if registry.method(kind, name) != nil { return .unknown }
        let names = kind.propertyNames + registry.methodNames(kind)
        throw .unknownMember(kind: base.kindText, member: name, available: names, suggestion: Suggestions.closest(to: name, in: names))
    }

    /// `x[…]`: what indexing a value of type `t` with entries of these kinds gives.
    static func index(_ t: LangType, _ parts: [IndexPart.Static]) throws(Message) -> LangType {
        switch t {
        case let .tensor(tt):
            guard let shape = tt.shape else { return .tensor(TensorType(shape: nil, dtype: tt.dtype)) }
            guard parts.count <= shape.count else {
                throw .badShape(op: "index", "\(parts.count) indices for a tensor of rank \(shape.count)")
            }
            var out: [Dim] = []
            for (i, d) in shape.enumerated() {
                let p = i < parts.count ? parts[i] : .all
                switch p {
                case .at: continue
                case .all: out.append(d)
                case .slice: out.append(.unknown)
                case .key: throw .wrongKind(context: "a tensor index", expected: "a number", got: "a string")
                }
            }
            return .tensor(TensorType(shape: out, dtype: tt.dtype))
        case let .list(e):
            return parts.first == .at ? e : t
        case let .numberList(nt):
            // Several indices ask for a tensor: `xs[1, 0]`.
            guard parts.count == 1 else { return try index(.tensor(nt), parts) }
            guard let shape = nt.shape, let first = shape.first else {
                return parts[0] == .at ? .unknown : .numberList(TensorType(shape: nil, dtype: nt.dtype))
            }
            switch parts[0] {
            case .at: return shape.count == 1 ? .number(nil) : .numberList(TensorType(shape: Array(shape.dropFirst()), dtype: nt.dtype))
            case .all: return t
            case .slice: return .numberList(TensorType(shape: [first.value == 0 ? first : .unknown] + shape.dropFirst(), dtype: nt.dtype))
            case .key: throw .wrongKind(context: "a list index", expected: "an integer", got: "a string")
            }
        case let .record(r):
            // A field picked by a string known only when it runs: what all the fields have in common.
            return parts.first == .key ? LangType.common(r.types) : .record(r)
        case .dataset:
            return t
        case .string:
            return .string
        case .unknown:
            return .unknown
        case .none, .number, .dim, .bool, .range, .function, .builtin, .model, .encoder, .optimizer, .schedule:
            throw .wrongKind(context: "indexing", expected: "a tensor, a list, a string, a record or a dataset", got: t.kindText)
        }
    }
}

extension LangType {
    /// Whether the type is known to be a tensor.
    var isTensor: Bool {
        if case .tensor = self { return true }
        return false
    }

    /// Whether the type is a list of numbers of known shape (a tensor where one is asked for).
    var isNumberList: Bool {
        if case .numberList = self { return true }
        return false
    }
}

extension LangType {
    /// Whether the type is an encoder or a model (values whose widths the checker follows).
    var isEncoderOrModel: Bool {
        switch self {
        case .encoder, .model: return true
        case .unknown, .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .function,
             .builtin, .dataset, .optimizer, .schedule:
            return false
        }
    }

    /// What every one of `types` is: the type itself when all are equal, an encoder with the tokens and width they
    /// share when all are encoders, else unknown.
    static func common(_ types: [LangType]) -> LangType {
        guard let first = types.first else { return .unknown }
        if types.allSatisfy({ $0 == first }) { return first }
        var shapes: [EncoderShape] = []
        for t in types {
            guard case let .encoder(e) = t, !e.isPrefix else { return .unknown }
            shapes.append(e)
        }
        func shared(_ dims: [Dim]) -> Dim { dims.allSatisfy { $0 == dims[0] } ? dims[0] : .unknown }
        return .encoder(EncoderShape(tokens: shared(shapes.map(\.tokens)), width: shared(shapes.map(\.width))))
    }
}
