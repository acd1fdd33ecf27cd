import PTuneCore

extension BuiltinRegistry {
    /// `sort` and `topk`: the elements along an axis in order, with where they came from, as a record
    /// `{values, indices}` (PyTorch's pair of the same names).
    static let ordering: [Builtin] = [
        Builtin("sort", [.receiver("x", .tensor), .optional("axis", "int", .number(-1)), .optional("descending", "bool", .bool(false))],
                returns: "record {values, indices}", topic: .tensor,
                summary: "the elements along an axis in order (ascending unless descending: true; ties keep their order) and their positions (int64), as torch.sort; gradients flow to the elements through values",
                example: "let s = sort(scores, descending: true)",
                infer: { c in try orderRule(c, k: nil) },
                run: { a, _ in
                    let (values, indices) = try a.tensor(0).sorted(axis: try a.int(1), descending: try a.bool(2))
                    return orderRecord(values, indices)
                }),
        Builtin("topk", [.receiver("x", .tensor), .required("k", "int"), .optional("axis", "int", .number(-1)),
                         .optional("largest", "bool", .bool(true))],
                returns: "record {values, indices}", topic: .tensor,
                summary: "the k largest elements along an axis (the smallest with largest: false), best first, and their positions (int64), as torch.topk; gradients flow to the selected elements through values",
                example: "let best = topk(logits, 3); print best.indices",
                infer: { c in try orderRule(c, k: 1) },
                run: { a, _ in
                    let (values, indices) = try a.tensor(0).topk(try a.int(1), axis: try a.int(2), largest: try a.bool(3))
                    return orderRecord(values, indices)
                }),
    ]

    /// `{values: …, indices: …}`
    static func orderRecord(_ values: Tensor, _ indices: Tensor) -> Value {
        .record(Record([("values", .tensor(values)), ("indices", .tensor(indices))]))
    }

    /// The static type of `sort`/`topk`: the input's shape with the axis `k` long (unchanged for `sort`).
    static func orderRule(_ c: CallTypes, k kParam: Int?) throws(Message) -> LangType {
        let t = try BuiltinRules.tensor(c, 0, "x")
        let axisParam = kParam == nil ? 1 : 2
        var shape: [Dim]? = nil
        if let s = t.shape, let axis = BuiltinRules.constant(c[axisParam]) {
            guard !s.isEmpty else { throw .badArgument(function: c.name, "needs a tensor with at least one axis") }
            guard axis >= -s.count, axis < s.count else {
                throw .badArgument(function: c.name, "axis \(axis) is out of range for a tensor of rank \(s.count)")
            }
            var out = s
            if let kParam {
                let ax = axis < 0 ? axis + s.count : axis
                let k = BuiltinRules.constant(c[kParam])
                if let k, let n = s[ax].value, k < 0 || k > n {
                    throw .badArgument(function: c.name, "k must be between 0 and \(n) (the size of axis \(ax)), got \(k)")
                }
                out[ax] = Dim(k)
            }
            shape = out
        }
        return .record(RecordType([("values", .tensor(TensorType(shape: shape, dtype: t.dtype))),
                                   ("indices", .tensor(TensorType(shape: shape, dtype: .int64)))]))
    }
}
