/// An n-dimensional array of `float32`, `float64` or `int64` elements: a value type with contiguous row-major
/// storage shared copy-on-write.
///
/// A tensor that requires a gradient carries a ``GradNode``: the leaf it is, or the operation that made it. Operations
/// on such tensors record themselves (unless recording is off, see ``Tensor/withoutRecording(_:)``), so that
/// ``Tensor/backward()`` and ``Tensor/gradients(of:wrt:)`` can walk the graph in reverse.
public struct Tensor: @unchecked Sendable {
    /// The extent of each axis, outermost first.
    public internal(set) var shape: [Int]
    var storage: TensorStorage
    /// The autodiff record: a leaf node for a trainable tensor, an op node for a result, nil for a constant.
    public internal(set) var node: GradNode?

    @inline(__always) init(shape: [Int], storage: TensorStorage, node: GradNode? = nil) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// The most axes a tensor may have (as numpy).
    public static let maxRank = 64

    /// Uninitialised storage for `shape`; every element must be written before the tensor escapes. The shape is
    /// checked: no negative dimension, at most ``maxRank`` axes, an element count that fits the limits.
    @inline(__always) init(uninitialized shape: [Int], dtype: DType) throws {
        let n = try Shape.checkedCount(shape)
        // Every large result is a chance to stop: a run of long tensor operations ends at the next one once Ctrl-C
        // or the time limit asks (the matrix products also ask between blocks).
        if n >= 1 << 16 { try TensorContext.checkStop() }
        self.init(shape: shape, storage: try TensorStorage.make(count: n, dtype: dtype))
    }

    /// The element type.
    @inline(__always) public var dtype: DType { storage.dtype }
    /// The number of axes.
    @inline(__always) public var rank: Int { shape.count }
    /// The number of elements.
    @inline(__always) public var count: Int { storage.count }
    /// Whether gradients flow to or through this tensor.
    @inline(__always) public var requiresGrad: Bool { node != nil }
    /// Bytes held by the elements.
    public var byteCount: Int { storage.bytes }

    /// The same values without the autodiff record: a constant.
    @inline(__always) public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// The same values as a new trainable leaf (a fresh ``GradNode``), or throws for integer tensors.
    public func requiringGradient(name: String = "") throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .requiresGrad, dtype) }
        return Tensor(shape: shape, storage: storage, node: GradNode(leafNamed: name))
    }

    /// Whether two tensors share the same element storage (a copy-on-write test helper).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// Makes the storage unique before an in-place write (copy-on-write).
    @inline(__always) mutating func makeUnique() throws {
        if !isKnownUniquelyReferenced(&storage) { storage = try storage.copy() }
    }

    // MARK: - Reading elements

    /// The elements as Swift scalars of the tensor's own type, or throws if `T` is not that type.
    public func scalars<T: TensorScalar>(as type: T.Type) throws -> [T] {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(op: .scalars, T.dtype, dtype) }
        return Array(UnsafeBufferPointer(start: storage.typed(T.self), count: count))
    }

    /// The elements converted to `Double`, row-major.
    public var doubles: [Double] {
        switch dtype {
        case .float32: return (0..<count).map { Double(storage.typed(Float.self)[$0]) }
        case .float64: return Array(UnsafeBufferPointer(start: storage.typed(Double.self), count: count))
        case .int64: return (0..<count).map { Double(storage.typed(Int64.self)[$0]) }
        }
    }

    /// The elements converted to `Int` (floats truncated toward zero, saturating), row-major.
    public var ints: [Int] {
        switch dtype {
        case .int64: return (0..<count).map { Int(storage.typed(Int64.self)[$0]) }
        case .float32, .float64: return doubles.map { Int(Int64(fromDouble: $0)) }
        }
    }

    /// The element at flat (row-major) offset `i` as a double; the caller checks the range.
    @inline(__always) func element(_ i: Int) -> Double {
        switch dtype {
        case .float32: return Double(storage.typed(Float.self)[i])
        case .float64: return storage.typed(Double.self)[i]
        case .int64: return Double(storage.typed(Int64.self)[i])
        }
    }

    /// The only element of a one-element tensor, as a double.
    public func scalarValue() throws -> Double {
        guard count == 1 else { throw TensorError.shapeMismatch(op: .item, "expected a tensor with one element, got shape \(Shape.describe(shape))") }
        return element(0)
    }

    /// The element at a full index (one entry per axis, negative entries count from the end).
    public func value(at index: [Int]) throws -> Double {
        guard index.count == rank else {
            throw TensorError.shapeMismatch(op: .index, "expected \(rank) indices, got \(index.count)")
        }
        var offset = 0
        for (axis, i) in index.enumerated() {
            let n = shape[axis]
            let j = i < 0 ? i + n : i
            guard j >= 0 && j < n else { throw TensorError.indexOutOfRange(op: .index, index: i, size: n) }
            offset = offset * n + j
        }
        return element(offset)
    }
}
