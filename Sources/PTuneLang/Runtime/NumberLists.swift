import PTuneCore

/// Lists of numbers: exact float64 numbers wherever a list will do (iteration, indexing, printing, sizes, records,
/// tables), and a tensor of the session's dtype where a tensor is asked for (arithmetic with a tensor or a number,
/// tensor builtins and methods, `param` and `frozen`, models).
extension Value {
    /// The nested list of numbers a literal spells (`[[1, 2], [3, 4]]`), charged to the memory budget.
    static func numbers(_ literal: TensorLiteral) throws -> Value {
        switch literal {
        case let .scalar(v): return .number(v)
        case let .list(items):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try numbers(item)) }
            return try makeList(out)
        }
    }

    /// Whether the value is an evenly shaped list of numbers (or of such lists): one that can be a tensor.
    var isNumberList: Bool { numberListShape != nil }

    /// The shape of an evenly shaped list of numbers (or of such lists), nil for any other value. Each distinct
    /// list is visited once per depth, so a list that holds itself twice, doubled forty times, takes forty steps.
    var numberListShape: [Int]? {
        guard case let .list(top) = self else { return nil }
        var shape: [Int] = []
        var level = top
        while true {
            shape.append(level.count)
            guard shape.count <= Tensor.maxRank else { return nil }
            guard let first = level.first else { break }
            guard case let .list(inner) = first else { break }
            level = inner
        }
        struct Visit: Hashable { let list: ObjectIdentifier, depth: Int }
        var seen: Set<Visit> = []
        var pending: [(ListValue, Int)] = [(top, 0)]
        while let (list, depth) = pending.popLast() {
            guard depth < shape.count, list.count == shape[depth] else { return nil }
            guard seen.insert(Visit(list: ObjectIdentifier(list), depth: depth)).inserted else { continue }
            for item in list {
                switch item {
                case .number, .bool: if depth + 1 != shape.count { return nil }
                case let .list(inner): pending.append((inner, depth + 1))
                case .none, .string, .tensor, .param, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                     .optimizer, .schedule:
                    return nil
                }
            }
        }
        return shape
    }

    /// The tensor the value stands for where a tensor is asked for: a tensor, a param's value, or a list of numbers
    /// made a tensor of `dtype`; nil for anything else.
    func asTensor(dtype: DType) throws -> Tensor? {
        switch self {
        case let .tensor(t): return t
        case let .param(p): return p.value
        case let .list(items):
            // The size is checked against the limits before the items are walked.
            guard let shape = numberListShape else { return nil }
            _ = try Tensor.zeros(shape, dtype: dtype)
            guard let lit = try Value.tensorLiteral(items) else { return nil }
            return try Tensor(literal: lit, dtype: dtype)
        case .none, .number, .bool, .string, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            return nil
        }
    }

    /// The static type of a list: a list of numbers with its shape when it is an evenly shaped one.
    var listType: LangType {
        // `[]` is a list of anything, as the checker types the literal.
        guard let shape = numberListShape, shape != [0] else { return .list(.unknown) }
        return .numberList(TensorType(shape: shape.map { Dim($0) }, dtype: nil))
    }

    /// The value with a list of numbers made a tensor of `dtype`; any other value as it is.
    func tensorIfNumbers(dtype: DType) throws -> Value {
        guard case .list = self, let t = try asTensor(dtype: dtype) else { return self }
        return .tensor(t)
    }
}

extension Operators {
    /// `a op b` where a side is a list: `+` of two lists joins them, `==` and `!=` compare lists as values unless the
    /// other side is a tensor; otherwise a list of numbers is a tensor of `dtype` (arithmetic and ordering ask for
    /// one), so `[1, 2] * 2` and `w - [1, 2]` compute elementwise.
    static func withNumberLists(_ op: BinaryOp, _ a: Value, _ b: Value, dtype: DType,
                                _ f: (Value, Value) throws -> Value) throws -> Value {
        switch op {
        case .add:
            if case .list = a, case .list = b { return try f(a, b) }
        case .equal, .notEqual:
            guard a.tensorValue != nil || b.tensorValue != nil else { return try f(a, b) }
        case .subtract, .multiply, .divide, .remainder, .matmul, .power, .less, .lessEqual, .greater, .greaterEqual:
            break
        case .and, .or, .rangeInclusive, .rangeExclusive:
            return try f(a, b)
        }
        return try f(try a.tensorIfNumbers(dtype: dtype), try b.tensorIfNumbers(dtype: dtype))
    }

    /// `a op b` with lists of numbers made tensors of `dtype` where the operator asks for one.
    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value, dtype: DType) throws -> Value {
        let f = function(op)
        if case .list = a { return try withNumberLists(op, a, b, dtype: dtype, f) }
        if case .list = b { return try withNumberLists(op, a, b, dtype: dtype, f) }
        return try f(a, b)
    }
}

