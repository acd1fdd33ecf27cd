import PTuneCore

extension BuiltinRegistry {
    /// Creating tensors, changing their shape and dtype, reductions, autodiff.
    static let tensorBuiltins: [Builtin] = creation + shaping + reductions + ordering + autodiff

    /// How `full` is called (the old `full(2, 3, value: 0.5)` form is refused with this).
    static let fullUsage = "full takes the size and the fill value, as torch.full: full([2, 3], 0.5) or full(4, 0.5)"
    /// How `randint` is called.
    static let randintUsage = "randint takes low, high and the size, as torch.randint: randint(0, 8, [32]), or randint(8, [32]) for low 0"

    /// The shape a size argument gives statically: one dim for a number, one unknown dim per item of a list of
    /// known length.
    static func sizeShape(_ t: LangType) -> [Dim]? {
        switch t {
        case .number, .dim: return [ShapeRules.dim(from: t)]
        case let .numberList(l):
            guard let s = l.shape, s.count == 1, let n = s[0].value else { return nil }
            return [Dim](repeating: .unknown, count: n)
        case .unknown, .none, .bool, .string, .tensor, .list, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            return nil
        }
    }

    /// A size argument at run time: an integer (one axis) or a list of integers.
    static func sizeArgument(_ a: Arguments, _ i: Int) throws -> [Int] {
        if case .number = a[i] { return [try a.int(i)] }
        return try a.ints(i)
    }

    /// `randint(low, high, size)` or `randint(high, size)` (low 0), by name or position.
    static func randintArguments(_ a: Arguments) throws -> (Int, Int, [Int]) {
        if !a.isNone(2) {
            // randint(8, size: [32]): one bound is the high one.
            if a.isNone(1) { return (0, try a.int(0), try sizeArgument(a, 2)) }
            return (a.isNone(0) ? 0 : try a.int(0), try a.int(1), try sizeArgument(a, 2))
        }
        // Two arguments: the second is the size when it is a list (randint(8, [32])) or named.
        guard !a.isNone(0), !a.isNone(1), case .list = a[1] else { throw RuntimeFailure(.badArgument(function: "randint", randintUsage)) }
        return (0, try a.int(0), try sizeArgument(a, 1))
    }

    static func floatDType(_ a: Arguments, _ i: Int, _ m: Machine) throws -> DType {
        a.isNone(i) ? m.defaultDType : try a.dtype(i)
    }

    static let creation: [Builtin] = [
        Builtin("randn", [.variadic("shape", "int"), .optional("dtype", "dtype", .none)], returns: "tensor", topic: .tensor,
                summary: "a tensor of standard normal draws (from the session's seeded generator)",
                example: "let w = randn(embed, out)",
                infer: { c in BuiltinRules.created(c, dtypeParam: 1) },
                run: { a, m in
                    let shape = try a.ints(0), dt = try floatDType(a, 1, m)
                    return .tensor(try m.withRandom { try Tensor.randn(shape, dtype: dt, using: &$0) })
                }),
        Builtin("rand", [.variadic("shape", "int"), .optional("low", "number", .number(0)), .optional("high", "number", .number(1)),
                         .optional("dtype", "dtype", .none)], returns: "tensor", topic: .tensor,
                summary: "a tensor of uniform draws in [low, high)", example: "let u = rand(4, 3, low: -1, high: 1)",
                infer: { c in BuiltinRules.created(c, dtypeParam: 3) },
                run: { a, m in
                    let shape = try a.ints(0), lo = try a.number(1), hi = try a.number(2), dt = try floatDType(a, 3, m)
                    return .tensor(try m.withRandom { try Tensor.rand(shape, low: lo, high: hi, dtype: dt, using: &$0) })
                }),
        Builtin("randint", [.optional("low", "int", .none), .optional("high", "int", .none), .optional("size", "int or list of ints", .none)],
                returns: "tensor", topic: .tensor,
                summary: "a tensor of uniform random integers in [low, high) (int64), as torch.randint: randint(low, high, size) or randint(high, size)",
                example: "let labels = randint(0, 8, [32])",
                infer: { c in
                    // randint(high, size): the size is the second argument; the old randint(32, high: 8) has none.
                    if !c.given[2], c[1].kind == .number { throw Message.badArgument(function: "randint", randintUsage) }
                    let size = c.given[2] ? c[2] : c[1]
                    return .tensor(TensorType(shape: sizeShape(size), dtype: .int64))
                },
                run: { a, m in
                    let (lo, hi, shape) = try randintArguments(a)
                    guard hi > lo else { throw RuntimeFailure(.badArgument(function: "randint", "high (\(hi)) must be greater than low (\(lo))")) }
                    return .tensor(try m.withRandom { try Tensor.randint(shape, in: lo..<hi, using: &$0) })
                }),
        Builtin("zeros", [.variadic("shape", "int"), .optional("dtype", "dtype", .none)], returns: "tensor", topic: .tensor,
                summary: "a tensor of zeros", example: "let b = zeros(out)",
                infer: { c in BuiltinRules.created(c, dtypeParam: 1) },
                run: { a, m in .tensor(try Tensor.zeros(try a.ints(0), dtype: try floatDType(a, 1, m))) }),
        Builtin("ones", [.variadic("shape", "int"), .optional("dtype", "dtype", .none)], returns: "tensor", topic: .tensor,
                summary: "a tensor of ones", example: "let mask = ones(1, virtual)",
                infer: { c in BuiltinRules.created(c, dtypeParam: 1) },
                run: { a, m in .tensor(try Tensor.ones(try a.ints(0), dtype: try floatDType(a, 1, m))) }),
        Builtin("full", [.required("size", "int or list of ints"), .optional("fill_value", "number", .none),
                         .optional("dtype", "dtype", .none), .optional("value", "number", .none)],
                returns: "tensor", topic: .tensor, summary: "a tensor of the given size with every element equal to fill_value, as torch.full",
                example: "let t = full([2, 3], 0.5)",
                infer: { c in
                    if c.given[3] { throw Message.badArgument(function: "full", fullUsage) }
                    return .tensor(TensorType(shape: sizeShape(c[0]), dtype: BuiltinRules.dtype(c, 2)))
                },
                run: { a, m in
                    guard a.isNone(3), !a.isNone(1) else { throw RuntimeFailure(.badArgument(function: "full", fullUsage)) }
                    return .tensor(try Tensor.full(try sizeArgument(a, 0), value: try a.number(1), dtype: try floatDType(a, 2, m)))
                }),
        Builtin("arange", [.required("start", "number"), .optional("end", "number", .none), .optional("step", "number", .number(1)),
                           .optional("dtype", "dtype", .none)], returns: "tensor", topic: .tensor,
                summary: "evenly spaced values in [start, end) (arange(n) is 0 … n-1)", example: "let idx = arange(virtual)",
                infer: { c in
                    let n: Dim = c.given[1] ? .unknown : ShapeRules.dim(from: c[0])
                    return .tensor(TensorType(shape: [n], dtype: BuiltinRules.dtype(c, 3)))
                },
                run: { a, m in
                    let dt = try floatDType(a, 3, m)
                    if a.isNone(1) { return .tensor(try Tensor.arange(0, try a.number(0), step: try a.number(2), dtype: dt)) }
                    return .tensor(try Tensor.arange(try a.number(0), try a.number(1), step: try a.number(2), dtype: dt))
                }),
        Builtin("tensor", [.receiver("values", .list), .optional("dtype", "dtype", .none)], returns: "tensor", topic: .tensor,
                summary: "a tensor from a (nested) list of numbers", example: "let t = tensor([1, 2, 3], dtype: \"int64\")",
                infer: { c in
                    if let t = c[0].tensorType, c[0] != .unknown { return .tensor(TensorType(shape: t.shape, dtype: BuiltinRules.dtype(c, 1))) }
                    return .tensor(TensorType(shape: nil, dtype: BuiltinRules.dtype(c, 1)))
                },
                run: { a, m in
                    let dt = try floatDType(a, 1, m)
                    if let t = a[0].tensorValue { return .tensor(try t.detached().to(dt)) }
                    if case let .number(x) = a[0] { return .tensor(try Tensor(scalar: x, dtype: dt)) }
                    guard let lit = try Value.tensorLiteral(try a.list(0)) else { throw RuntimeFailure(a.mismatch(0, "a list of numbers")) }
                    return .tensor(try Tensor(literal: lit, dtype: dt))
                }),
        Builtin("one_hot", [.receiver("indices", .tensor), .required("classes", "int"), .optional("dtype", "dtype", .none)],
                returns: "tensor", topic: .tensor, summary: "one-hot rows for integer indices",
                example: "let targets = one_hot(batch.y, 8)",
                infer: { c in
                    let t = try BuiltinRules.tensor(c, 0, "indices")
                    return .tensor(TensorType(shape: t.shape.map { $0 + [ShapeRules.dim(from: c[1])] }, dtype: BuiltinRules.dtype(c, 2)))
                },
                run: { a, m in .tensor(try Tensor.oneHot(try a.tensor(0), classes: try a.int(1), dtype: try floatDType(a, 2, m))) }),
    ]

    static let shaping: [Builtin] = [
        Builtin("concat", [.variadicReceiver("tensors", .tensor), .optional("axis", "int", .number(0))], returns: "tensor", topic: .tensor,
                summary: "joins tensors along an existing axis; the other axes must agree",
                example: "let z = concat(base * encoder, x)",
                infer: { c in
                    let ts = c.variadic.compactMap { $0.tensorType }
                    guard ts.count == c.variadic.count, !ts.isEmpty else {
                        if let bad = c.variadic.first(where: { $0.tensorType == nil }) {
                            throw Message.wrongKind(context: "'concat' argument 'tensors'", expected: "tensors", got: bad.kindText)
                        }
                        return .tensor(.unknown)
                    }
                    var dt: DType?
                    for t in ts { dt = try ShapeRules.dtype(dt, t.dtype, op: "concat") }
                    guard let axis = BuiltinRules.constant(c[1]) else { return .tensor(TensorType(shape: nil, dtype: dt)) }
                    let shapes = ts.compactMap(\.shape)
                    guard shapes.count == ts.count else { return .tensor(TensorType(shape: nil, dtype: dt)) }
                    return .tensor(TensorType(shape: try ShapeRules.concat(shapes, axis: axis), dtype: dt))
                },
                run: { a, _ in
                    let items = try a.list(0)
                    let ts = try items.enumerated().map { i, v -> Tensor in
                        guard let t = try v.asTensor(dtype: a.listDType) else {
                            throw RuntimeFailure(.wrongKind(context: "'concat' tensor \(i + 1)", expected: "a tensor", got: v.kindText))
                        }
                        return t
                    }
                    let axis = try a.int(1)
                    do { return .tensor(try Tensor.concat(ts, axis: axis)) } catch let e as TensorError {
                        throw RuntimeFailure(concatMessage(ts, axis: axis) ?? RuntimeFailure.message(for: e))
                    }
                }),
        Builtin("stack", [.variadicReceiver("tensors", .tensor), .optional("axis", "int", .number(0))], returns: "tensor", topic: .tensor,
                summary: "joins equally shaped tensors along a new axis", example: "let xs = stack(a, b, c)",
                infer: { c in
                    let ts = c.variadic.compactMap { $0.tensorType }
                    let shapes = ts.compactMap(\.shape)
                    guard !ts.isEmpty, shapes.count == c.variadic.count, let axis = BuiltinRules.constant(c[1]) else { return .tensor(.unknown) }
                    return .tensor(TensorType(shape: try ShapeRules.stack(shapes, axis: axis), dtype: ts[0].dtype))
                },
                run: { a, _ in
                    let ts = try a.list(0).map { v -> Tensor in
                        guard let t = try v.asTensor(dtype: a.listDType) else { throw RuntimeFailure(.wrongKind(context: "'stack'", expected: "tensors", got: v.kindText)) }
                        return t
                    }
                    return .tensor(try Tensor.stack(ts, axis: try a.int(1)))
                }),
        Builtin("reshape", [.receiver("x", .tensor), .variadic("shape", "int")], returns: "tensor", topic: .tensor,
                summary: "the same elements in a new shape (one dim may be -1: inferred)", example: "let flat = reshape(x, -1)",
                infer: { c in
                    let t = try BuiltinRules.tensor(c, 0, "x")
                    let dims = c.variadic.map(ShapeRules.dim(from:))
                    return .tensor(TensorType(shape: dims.contains { $0.value == -1 } || c.variadic.isEmpty ? nil : dims, dtype: t.dtype))
                },
                run: { a, _ in
                    .tensor(try a.tensor(0).reshaped(try a.ints(1)))
                }),
        Builtin("transpose", [.receiver("x", .tensor), .optional("a", "int", .number(-2)), .optional("b", "int", .number(-1))],
                returns: "tensor", topic: .tensor, summary: "swaps two axes (the last two by default)", example: "let wt = transpose(w)",
                infer: { c in
                    let t = try BuiltinRules.tensor(c, 0, "x")
                    guard var s = t.shape, let x = BuiltinRules.constant(c[1]), let y = BuiltinRules.constant(c[2]) else {
                        return .tensor(TensorType(shape: nil, dtype: t.dtype))
                    }
                    let i = x < 0 ? x + s.count : x, j = y < 0 ? y + s.count : y
                    guard i >= 0, j >= 0, i < s.count, j < s.count else { throw Message.tensor("transpose: axes \(x) and \(y) do not fit rank \(s.count)") }
                    s.swapAt(i, j)
                    return .tensor(TensorType(shape: s, dtype: t.dtype))
                },
                run: { a, _ in .tensor(try a.tensor(0).transposed(try a.int(1), try a.int(2))) }),
        Builtin("permute", [.receiver("x", .tensor), .variadic("axes", "int")], returns: "tensor", topic: .tensor,
                summary: "reorders the axes", example: "let y = permute(x, 0, 2, 1)", infer: { c in .tensor(TensorType(shape: nil, dtype: try BuiltinRules.tensor(c, 0, "x").dtype)) },
                run: { a, _ in .tensor(try a.tensor(0).permuted(try a.ints(1))) }),
        Builtin("unsqueeze", [.receiver("x", .tensor), .required("axis", "int")], returns: "tensor", topic: .tensor,
                summary: "inserts an axis of extent 1", example: "let row = unsqueeze(v, 0)",
                infer: { c in
                    let t = try BuiltinRules.tensor(c, 0, "x")
                    guard var s = t.shape, let ax = BuiltinRules.constant(c[1]) else { return .tensor(TensorType(shape: nil, dtype: t.dtype)) }
                    let i = ax < 0 ? ax + s.count + 1 : ax
                    guard i >= 0 && i <= s.count else { throw Message.tensor(TensorError.axisOutOfRange(op: .unsqueeze, axis: ax, rank: s.count + 1).description) }
                    s.insert(Dim(1), at: i)
                    return .tensor(TensorType(shape: s, dtype: t.dtype))
                },
                run: { a, _ in .tensor(try a.tensor(0).unsqueezed(axis: try a.int(1))) }),
        Builtin("squeeze", [.receiver("x", .tensor), .required("axis", "int")], returns: "tensor", topic: .tensor,
                summary: "removes an axis of extent 1", example: "let v = squeeze(row, 0)",
                infer: { c in
                    let t = try BuiltinRules.tensor(c, 0, "x")
                    guard let s = t.shape, let ax = BuiltinRules.constant(c[1]) else { return .tensor(TensorType(shape: nil, dtype: t.dtype)) }
                    return .tensor(TensorType(shape: try ShapeRules.reduce(s, axis: ax, keepDims: false, op: "squeeze"), dtype: t.dtype))
                },
                run: { a, _ in .tensor(try a.tensor(0).squeezed(axis: try a.int(1))) }),
        Builtin("to", [.receiver("x", .tensor), .required("dtype", "dtype")], returns: "tensor", topic: .tensor,
                summary: "the values converted to another dtype (\"float32\", \"float64\", \"int64\")",
                example: "let y64 = to(y, \"float64\")",
                infer: { c in .tensor(TensorType(shape: try BuiltinRules.tensor(c, 0, "x").shape, dtype: nil)) },
                run: { a, _ in .tensor(try a.tensor(0).to(try a.dtype(1))) }),
        Builtin("detach", [.receiver("x", .tensor)], returns: "tensor", topic: .tensor,
                summary: "the same values with no gradient flowing through them", example: "let fixed = detach(encoder)",
                infer: { c in .tensor(try BuiltinRules.tensor(c, 0, "x")) },
                run: { a, _ in .tensor(try a.tensor(0).detached()) }),
        Builtin("item", [.receiver("x", .tensor)], returns: "number", topic: .tensor,
                summary: "the value of a one-element tensor as a number", example: "let l = item(mse(pred, target))",
                result: .number(nil), run: { a, _ in .number(try a.tensor(0).scalarValue()) }),
        Builtin("where", [.receiver("condition", .tensor), .required("a", "tensor"), .required("b", "tensor")], returns: "tensor",
                topic: .tensor, summary: "a where condition is non-zero, b elsewhere (broadcast)", example: "let r = where(x > 0, x, 0.1 * x)",
                infer: { c in
                    let x = try BuiltinRules.tensor(c, 1, "a"), y = try BuiltinRules.tensor(c, 2, "b")
                    return .tensor(TensorType(shape: try TypeRules.broadcastShapes(x, y, op: "broadcast"), dtype: x.dtype ?? y.dtype))
                },
                run: { a, m in
                    let x = try a.tensor(1, dtype: m.defaultDType)
                    let y = try a.tensor(2, dtype: x.dtype)
                    return .tensor(try Tensor.where(try a.tensor(0), x, y))
                }),
    ]

    /// The checker's wording for a concat mismatch at run time (shapes only known then).
    static func concatMessage(_ ts: [Tensor], axis: Int) -> Message? {
        guard let first = ts.first else { return nil }
        let shapes = ts.map { $0.shape.map { Dim($0) } }
        do { _ = try ShapeRules.concat(shapes, axis: axis) } catch { return error }
        _ = first
        return nil
    }
}
