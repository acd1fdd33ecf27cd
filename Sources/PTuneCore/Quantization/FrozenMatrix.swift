/// A frozen weight matrix `[rows, columns]` as a loaded model keeps it: float values (a file's F32 tensors, or every
/// weight when loaded as float32), or a file's quantized blocks, never turned into floats as a whole
/// (``QuantizedMatrix``). Linear layers and embeddings of any architecture read either through the same calls.
public enum FrozenMatrix: Sendable {
    /// Float values, `[rows, columns]`.
    case dense(Tensor)
    /// Blocks in their file's formats.
    case quantized(QuantizedMatrix)

    /// `[rows, columns]`.
    public var shape: [Int] {
        switch self {
        case let .dense(t): return t.shape
        case let .quantized(q): return [q.rows, q.columns]
        }
    }

    /// Bytes held.
    public var byteCount: Int {
        switch self {
        case let .dense(t): return t.byteCount
        case let .quantized(q): return q.byteCount
        }
    }

    /// `F32`, `Q4_1`, `Q4_K+Q6_K` (a stack of formats).
    public var formatName: String {
        switch self {
        case let .dense(t): return t.dtype == .float32 ? "F32" : "\(t.dtype)"
        case let .quantized(q): return q.formats.map(\.description).joined(separator: "+")
        }
    }

    /// The ``StageProfile`` stage its products are timed under: `product Q4_1 [960, 576]`.
    public var productStage: String { "product \(formatName) \(Shape.describe(shape))" }

    /// The values as a float32 tensor (the tensor itself when dense).
    public func dequantized() throws -> Tensor {
        switch self {
        case let .dense(t): return t
        case let .quantized(q): return try q.dequantized()
        }
    }

    /// Rows `indices`, `[indices.count, columns]` (an embedding lookup, a few output rows).
    public func gatherRows(_ indices: [Int]) throws -> Tensor {
        switch self {
        case let .dense(t): return try t.gatherRows(Tensor(shape: [indices.count], scalars: indices.map(Int64.init)))
        case let .quantized(q): return try q.gatherRows(indices)
        }
    }

    /// The matrices stacked top to bottom (a fused projection such as `[q | k | v]`): dense when all are, else a
    /// quantized stack in which dense float32 parts are F32 rows.
    public static func stacking(_ parts: [FrozenMatrix]) throws -> FrozenMatrix {
        var dense: [Tensor] = []
        for p in parts { if case let .dense(t) = p { dense.append(t) } }
        if dense.count == parts.count { return .dense(try Tensor.concat(dense, axis: 0)) }
        let quantized = try parts.map { p -> QuantizedMatrix in
            switch p {
            case let .quantized(q): return q
            case let .dense(t):
                guard t.rank == 2 else { throw TensorError.shapeMismatch(op: .concat, "expected a matrix, got \(Shape.describe(t.shape))") }
                let f = try t.to(.float32)
                return try f.withScalars(Float.self) { v in
                    try QuantizedMatrix(format: .f32, rows: t.shape[0], columns: t.shape[1], bytes: UnsafeRawBufferPointer(v))
                }
            }
        }
        return .quantized(try QuantizedMatrix(stacking: quantized))
    }
}

extension Tensor {
    /// `y = x · Wᵀ + b` through a frozen matrix: ``linear(_:weight:bias:)`` when dense,
    /// ``linear(_:quantized:bias:activations:level:)`` when quantized. Gradients reach `x` and `bias` only.
    public static func linear(_ x: Tensor, frozen weight: FrozenMatrix, bias: Tensor? = nil) throws -> Tensor {
        try StageProfile.measure(weight.productStage) {
            switch weight {
            case let .dense(w): return try linear(x, weight: w.detached(), bias: bias)
            case let .quantized(q): return try linear(x, quantized: q, bias: bias)
            }
        }
    }
}
