/// A nested list of numbers as written in a script: `[[1, 2], [3, 4]]`.
public indirect enum TensorLiteral: Sendable, Equatable {
    /// One number.
    case scalar(Double)
    /// A list of equally shaped literals.
    case list([TensorLiteral])
}

extension Tensor {
    /// A tensor of `shape` holding `scalars` (row-major) of their own dtype.
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) throws {
        try self.init(uninitialized: shape, dtype: T.dtype)
        guard scalars.count == count else { throw TensorError.countMismatch(expected: count, got: scalars.count) }
        let p = storage.typed(T.self)
        scalars.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { p.update(from: base, count: b.count) }
        }
    }

    /// A tensor of `shape` and `dtype` holding `values` (row-major), converted from doubles. For int64, a value that
    /// is not finite or past what an int64 holds (`1e300`) is an error, not a saturated integer.
    public init(shape: [Int], values: [Double], dtype: DType = .float32) throws {
        try self.init(uninitialized: shape, dtype: dtype)
        guard values.count == count else { throw TensorError.countMismatch(expected: count, got: values.count) }
        if dtype == .int64, let bad = values.first(where: { !($0 > -0x1p63 && $0 < 0x1p63) }) {
            throw TensorError.invalidArgument(op: .tensorLiteral, "\(bad) does not fit in an int64")
        }
        fill { values[$0] }
    }

    /// A rank-0 tensor holding one value.
    public init(scalar: Double, dtype: DType = .float32) throws {
        try self.init(shape: [], values: [scalar], dtype: dtype)
    }

    /// A tensor from a nested literal; every sub-list at one depth must have the same length.
    public init(literal: TensorLiteral, dtype: DType = .float32) throws {
        var shape: [Int] = []
        var level = literal
        while case let .list(items) = level {
            shape.append(items.count)
            guard let first = items.first else { break }
            level = first
        }
        var values: [Double] = []
        values.reserveCapacity(Shape.count(shape))
        func walk(_ l: TensorLiteral, depth: Int) throws {
            switch l {
            case let .scalar(v):
                guard depth == shape.count else {
                    throw TensorError.shapeMismatch(op: .tensorLiteral, "ragged nesting: a number where a list of \(shape[depth]) was expected")
                }
                values.append(v)
            case let .list(items):
                guard depth < shape.count, items.count == shape[depth] else {
                    let want = depth < shape.count ? "\(shape[depth]) items" : "a number"
                    throw TensorError.shapeMismatch(op: .tensorLiteral, "ragged nesting: a list of \(items.count) where \(want) was expected")
                }
                for item in items { try walk(item, depth: depth + 1) }
            }
        }
        try walk(literal, depth: 0)
        try self.init(shape: shape, values: values, dtype: dtype)
    }

    /// Writes `f(i)` into every flat position `i`, converting to the tensor's dtype.
    @inline(__always) mutating func fill(_ f: (Int) -> Double) {
        switch dtype {
        case .float32: let p = storage.typed(Float.self); for i in 0..<count { p[i] = Float(f(i)) }
        case .float64: let p = storage.typed(Double.self); for i in 0..<count { p[i] = f(i) }
        case .int64: let p = storage.typed(Int64.self); for i in 0..<count { p[i] = Int64(fromDouble: f(i)) }
        }
    }

    /// A tensor of `shape` with every element `value`.
    public static func full(_ shape: [Int], value: Double, dtype: DType = .float32) throws -> Tensor {
        var t = try Tensor(uninitialized: shape, dtype: dtype)
        t.fill { _ in value }
        return t
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        let t = try Tensor(uninitialized: shape, dtype: dtype)
        t.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: t.storage.bytes)
        return t
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try full(shape, value: 1, dtype: dtype)
    }

    /// `[start, start + step, …]` up to but excluding `end`, as numpy's `arange`.
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .float32) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TensorError.invalidArgument(op: .arange, "step must be finite and non-zero")
        }
        // The count as a double first: a span of 1e300, or a step of 1e-300, asks for more elements than an integer
        // holds, and is refused as too large rather than converted.
        let steps = ((end - start) / step).rounded(.up)
        guard steps.isFinite, steps < Double(Shape.maxExtentProduct) else {
            throw TensorError.invalidArgument(op: .arange, "from \(start) to \(end) by \(step) makes \(steps) elements, " +
                                              "more than a tensor may have")
        }
        let n = Swift.max(0, Int(steps))
        var t = try Tensor(uninitialized: [n], dtype: dtype)
        t.fill { start + Double($0) * step }
        return t
    }

    /// Standard normal draws (see ``Generator`` for the method), in row-major order.
    public static func randn(_ shape: [Int], dtype: DType = .float32, using g: inout Generator) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .randn, dtype) }
        var t = try Tensor(uninitialized: shape, dtype: dtype)
        t.fill { _ in g.nextNormal() }
        return t
    }

    /// Uniform draws in `[low, high)`.
    public static func rand(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
                            using g: inout Generator) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .rand, dtype) }
        var t = try Tensor(uninitialized: shape, dtype: dtype)
        t.fill { _ in low + (high - low) * g.nextUniform() }
        return t
    }

    /// Uniform random integers in `range` (`int64` by default).
    public static func randint(_ shape: [Int], in range: Range<Int>, dtype: DType = .int64,
                               using g: inout Generator) throws -> Tensor {
        guard !range.isEmpty else { throw TensorError.invalidArgument(op: .randint, "the range \(range) is empty") }
        var t = try Tensor(uninitialized: shape, dtype: dtype)
        t.fill { _ in Double(g.nextInt(in: range)) }
        return t
    }

    /// The same values converted to `dtype` (a no-op when it already is). Gradients flow through float conversions.
    /// Floats become int64 truncated toward zero; one that is not finite or past what an int64 holds (`1e300`, `nan`)
    /// is an error, not a saturated integer.
    public func to(_ dtype: DType) throws -> Tensor {
        if dtype == self.dtype { return self }
        if dtype == .int64, self.dtype.isFloatingPoint {
            for i in 0..<count {
                let v = element(i)
                guard v > -0x1p63 && v < 0x1p63 else {
                    throw TensorError.invalidArgument(op: .convert, "element \(i) is \(v), which does not fit in an int64")
                }
            }
        }
        var out = try Tensor(uninitialized: shape, dtype: dtype)
        switch (self.dtype, dtype) {
        case (.float32, .float64):
            let s = storage.typed(Float.self), d = out.storage.typed(Double.self)
            for i in 0..<count { d[i] = Double(s[i]) }
        case (.float64, .float32):
            let s = storage.typed(Double.self), d = out.storage.typed(Float.self)
            for i in 0..<count { d[i] = Float(s[i]) }
        case (.float32, .float32), (.float64, .float64), (.int64, .int64), (.int64, _), (_, .int64):
            let src = self
            out.fill { src.element($0) }
        }
        guard self.dtype.isFloatingPoint && dtype.isFloatingPoint else { return out }
        let from = self.dtype
        return Tensor.record("to", out, self, { g in try g.to(from) })
    }
}
