import PTuneCore

/// Static rules shared by many builtins: shapes of created tensors, elementwise results, reductions.
enum BuiltinRules {
    /// The dtype a creation builtin gives: its `dtype:` argument when known, else the script's default.
    static func dtype(_ c: CallTypes, _ i: Int) -> DType? {
        guard c.given.indices.contains(i), c.given[i] else { return c.defaultDType }
        return nil
    }

    /// A tensor whose shape is the variadic dims (or unknown when given as one list).
    static func created(_ c: CallTypes, dtypeParam: Int) -> LangType {
        let shape: [Dim]? = c.variadic.isEmpty ? nil : c.variadic.map(ShapeRules.dim(from:))
        return .tensor(TensorType(shape: shape, dtype: dtype(c, dtypeParam)))
    }

    /// The tensor type of argument `i`, or throws when it is known not to be a tensor.
    static func tensor(_ c: CallTypes, _ i: Int, _ param: String) throws(Message) -> TensorType {
        switch c[i] {
        case let .tensor(t), let .numberList(t): return t
        case .unknown: return .unknown
        case .number, .dim: return TensorType(shape: [], dtype: nil)
        case .list: return .unknown
        case .none, .bool, .string, .range, .record, .function, .builtin, .model, .encoder, .dataset, .optimizer,
             .schedule:
            throw .wrongKind(context: "'\(c.name)' argument '\(param)'", expected: "a tensor", got: c[i].kindText)
        }
    }

    /// The same type as argument 0 (an elementwise function); numbers stay numbers.
    static func elementwise(_ c: CallTypes) throws(Message) -> LangType {
        switch c[0] {
        case .number, .dim: return .number(nil)
        case .unknown: return .unknown
        case .tensor, .list, .numberList: return .tensor(try tensor(c, 0, "x"))
        case .none, .bool, .string, .range, .record, .function, .builtin, .model, .encoder, .dataset, .optimizer,
             .schedule:
            throw .wrongKind(context: "'\(c.name)' argument 'x'", expected: "a tensor or a number", got: c[0].kindText)
        }
    }

    /// A known integer constant from a static type.
    static func constant(_ t: LangType) -> Int? {
        switch t {
        case let .number(v): return v.flatMap(Value.exactInt)
        case let .dim(d): return d.value
        case .unknown, .none, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin, .model,
             .encoder, .dataset, .optimizer, .schedule:
            return nil
        }
    }

    /// A reduction of argument 0 over the axis in parameter `axisParam` (none: all) keeping dims per `keepParam`.
    static func reduction(_ c: CallTypes, axis axisParam: Int, keep keepParam: Int?) throws(Message) -> LangType {
        let t = try tensor(c, 0, "x")
        guard let shape = t.shape else { return .tensor(TensorType(shape: nil, dtype: t.dtype)) }
        let axisGiven = c.given.indices.contains(axisParam) && c.given[axisParam] && c[axisParam] != .none
        guard axisGiven else { return .tensor(TensorType(shape: [], dtype: t.dtype)) }
        guard let ax = constant(c[axisParam]) else { return .tensor(TensorType(shape: nil, dtype: t.dtype)) }
        if let k = keepParam, c.given.indices.contains(k), c.given[k] { return .tensor(TensorType(shape: nil, dtype: t.dtype)) }
        return .tensor(TensorType(shape: try ShapeRules.reduce(shape, axis: ax, keepDims: false, op: c.name), dtype: t.dtype))
    }

    /// Reduces a tensor at run time over `axis` (nil: everything).
    static func axis(_ a: Arguments, _ i: Int) throws -> Int? { try a.optionalInt(i) }
}
