/// In-place updates for gradient accumulation and optimizers. They are not recorded (no gradient flows through
/// them) and keep the tensor's autodiff identity, so a trainable leaf stays the same leaf after an update. They copy
/// first if the storage is shared (copy-on-write), so a graph that saved the old values still sees the old values.
extension Tensor {
    /// `self += other`, with `other` broadcast to `self`'s shape.
    public mutating func addInPlace(_ other: Tensor) throws {
        try addInPlace(other, scaledBy: 1)
    }

    /// `self += alpha · other` (axpy), with `other` broadcast to `self`'s shape.
    public mutating func addInPlace(_ other: Tensor, scaledBy alpha: Double) throws {
        guard dtype == other.dtype else { throw TensorError.dtypeMismatch(op: .addInPlace, dtype, other.dtype) }
        let plan = try BroadcastPlan(shape, other.shape, op: .addInPlace)
        guard plan.shape == shape else { throw TensorError.broadcastMismatch(op: .addInPlace, shape, other.shape) }
        try makeUnique()
        func run<T: TensorScalar>(_: T.Type, _ a: T) {
            let d = storage.typed(T.self), s = other.storage.typed(T.self)
            switch plan.kind {
            case .same: if a == 1 { for i in 0..<count { d[i] += s[i] } } else { for i in 0..<count { d[i] += a * s[i] } }
            case .scalarB: let v = a * s[0]; for i in 0..<count { d[i] += v }
            case .scalarA, .general: plan.forEach { o, _, j in d[o] += a * s[j] }
            }
        }
        switch dtype {
        case .float32: run(Float.self, Float(alpha))
        case .float64: run(Double.self, alpha)
        case .int64: run(Int64.self, Int64(fromDouble: alpha))
        }
    }

    /// `self *= s`
    public mutating func scaleInPlace(by s: Double) throws {
        try makeUnique()
        switch dtype {
        case .float32: let v = Float(s), p = storage.typed(Float.self); for i in 0..<count { p[i] *= v }
        case .float64: let p = storage.typed(Double.self); for i in 0..<count { p[i] *= s }
        case .int64: let v = Int64(fromDouble: s), p = storage.typed(Int64.self); for i in 0..<count { p[i] &*= v }
        }
    }

    /// Overwrites the values with `other`'s (same shape and dtype), keeping this tensor's autodiff identity.
    public mutating func assign(_ other: Tensor) throws {
        guard dtype == other.dtype else { throw TensorError.dtypeMismatch(op: .assign, dtype, other.dtype) }
        guard shape == other.shape else {
            throw TensorError.shapeMismatch(op: .assign, "cannot assign \(Shape.describe(other.shape)) to \(Shape.describe(shape))")
        }
        let keep = node
        self = Tensor(shape: shape, storage: other.storage, node: keep)
    }

    /// Overwrites rows `rows` (along the first axis) with `other`'s rows (the same row shape and dtype), copying first
    /// if the storage is shared. Not recorded: a cache of keys and values fills itself this way.
    public mutating func assign(_ other: Tensor, rows: Range<Int>) throws {
        guard dtype == other.dtype else { throw TensorError.dtypeMismatch(op: .assign, dtype, other.dtype) }
        guard rank >= 1, other.rank == rank, Array(other.shape.dropFirst()) == Array(shape.dropFirst()),
              other.shape[0] == rows.count, rows.lowerBound >= 0, rows.upperBound <= shape[0] else {
            throw TensorError.shapeMismatch(op: .assign, "cannot assign \(Shape.describe(other.shape)) to rows \(rows) of \(Shape.describe(shape))")
        }
        try makeUnique()
        let width = Shape.count(Array(shape.dropFirst())) * dtype.byteSize
        (storage.pointer + rows.lowerBound * width).copyMemory(from: other.storage.pointer, byteCount: rows.count * width)
    }

    /// Overwrites rows `rows` of a matrix with a block of the matrix `other` of the same dtype: its rows
    /// `fromRow ..< fromRow + rows.count`, columns `column ..< column + width` (`width` this matrix's columns), copying
    /// first if the storage is shared. Not recorded: a KV cache takes the key and value columns of fused
    /// `[q | k | v]` rows this way.
    public mutating func assign(_ other: Tensor, rows: Range<Int>, fromRow: Int, column: Int) throws {
        guard dtype == other.dtype else { throw TensorError.dtypeMismatch(op: .assign, dtype, other.dtype) }
        guard rank == 2, other.rank == 2, rows.lowerBound >= 0, rows.upperBound <= shape[0], fromRow >= 0,
              fromRow + rows.count <= other.shape[0], column >= 0, column + shape[1] <= other.shape[1] else {
            throw TensorError.shapeMismatch(op: .assign, "cannot assign rows \(fromRow)..<\(fromRow + rows.count), columns from \(column) of \(Shape.describe(other.shape)) to rows \(rows) of \(Shape.describe(shape))")
        }
        try makeUnique()
        let size = dtype.byteSize, width = shape[1] * size, source = other.shape[1] * size
        for i in 0..<rows.count {
            (storage.pointer + (rows.lowerBound + i) * width)
                .copyMemory(from: other.storage.pointer + (fromRow + i) * source + column * size, byteCount: width)
        }
    }

    /// Calls `body` with the elements as a mutable buffer of `T` (the tensor's own type), copying first if shared.
    /// This is the escape hatch for optimizers and loaders that write elements directly.
    public mutating func withMutableScalars<T: TensorScalar, R>(_: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) throws -> R {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(op: .write, T.dtype, dtype) }
        try makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.typed(T.self), count: count))
    }

    /// Calls `body` with the elements as a read-only buffer of `T` (the tensor's own type).
    public func withScalars<T: TensorScalar, R>(_: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) throws -> R {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(op: .read, T.dtype, dtype) }
        return try body(UnsafeBufferPointer(start: storage.typed(T.self), count: count))
    }
}
