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

    /// Whether the value is a list whose items are all numbers or such lists (evenly shaped or not).
    var isNumberList: Bool {
        guard case let .list(items) = self else { return false }
        return (try? Value.tensorLiteral(items)) != nil
    }

    /// The tensor the value stands for where a tensor is asked for: a tensor, a param's value, or a list of numbers
    /// made a tensor of `dtype`; nil for anything else.
    func asTensor(dtype: DType) throws -> Tensor? {
        switch self {
        case let .tensor(t): return t
        case let .param(p): return p.value
        case let .list(items):
            guard let lit = try Value.tensorLiteral(items) else { return nil }
            return try Tensor(literal: lit, dtype: dtype)
        case .none, .number, .bool, .string, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            return nil
        }
    }

    /// The static type of a list: a list of numbers with its shape when it is an evenly shaped one.
    var listType: LangType {
        guard case let .list(items) = self, let lit = try? Value.tensorLiteral(items), let shape = lit.evenShape else {
            return .list(.unknown)
        }
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

extension TensorLiteral {
    /// The shape of an evenly shaped literal (every list at a depth as long as the others), nil for a ragged one.
    var evenShape: [Int]? {
        var shape: [Int] = []
        var level = self
        while case let .list(items) = level {
            shape.append(items.count)
            guard let first = items.first else { break }
            level = first
        }
        var pending: [(TensorLiteral, Int)] = [(self, 0)]
        while let (l, depth) = pending.popLast() {
            switch l {
            case .scalar: if depth != shape.count { return nil }
            case let .list(items):
                guard depth < shape.count, items.count == shape[depth] else { return nil }
                for i in items { pending.append((i, depth + 1)) }
            }
        }
        return shape
    }
}
