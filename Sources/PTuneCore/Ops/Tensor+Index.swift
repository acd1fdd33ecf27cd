/// One entry of an index expression such as `x[0, 1:3, ::2]`.
public enum TensorIndex: Sendable, Equatable {
    /// One position (negative counts from the end); the axis is dropped.
    case at(Int)
    /// A Python-style slice `start:end:step`; nil parts take their defaults.
    case range(start: Int?, end: Int?, step: Int?)
    /// The whole axis (`:`).
    case all
}

extension Tensor {
    /// Python/numpy basic indexing: one entry per leading axis, the rest taken whole. Integer entries drop their
    /// axis. Out-of-range positions throw; slices clamp as in Python. The backward scatters into zeros.
    public func indexed(_ index: [TensorIndex]) throws -> Tensor {
        guard index.count <= rank else {
            throw TensorError.shapeMismatch(op: .index, "\(index.count) indices for a tensor of rank \(rank)")
        }
        var starts = [Int](), steps = [Int](), lengths = [Int](), keep = [Bool]()
        for ax in 0..<rank {
            let n = shape[ax]
            let entry = ax < index.count ? index[ax] : .all
            switch entry {
            case let .at(i):
                let j = i < 0 ? i + n : i
                guard j >= 0 && j < n else { throw TensorError.indexOutOfRange(op: .index, index: i, size: n) }
                starts.append(j); steps.append(1); lengths.append(1); keep.append(false)
            case .all:
                starts.append(0); steps.append(1); lengths.append(n); keep.append(true)
            case let .range(start, end, step):
                let st = step ?? 1
                guard st != 0 else { throw TensorError.invalidArgument(op: .slice, "step cannot be zero") }
                let (s, len) = Tensor.sliceBounds(start: start, end: end, step: st, size: n)
                starts.append(s); steps.append(st); lengths.append(len); keep.append(true)
            }
        }
        let full = try strided(starts: starts, steps: steps, lengths: lengths)
        let outShape = zip(lengths, keep).compactMap { $1 ? $0 : nil }
        return outShape == full.shape ? full : try full.reshaped(outShape)
    }

    /// Python's slice resolution: the first position and the element count of `start:end:step` over `size`.
    static func sliceBounds(start: Int?, end: Int?, step: Int, size n: Int) -> (Int, Int) {
        func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(v, lo), hi) }
        if step > 0 {
            let s = clamp(start.map { $0 < 0 ? $0 + n : $0 } ?? 0, 0, n)
            let e = clamp(end.map { $0 < 0 ? $0 + n : $0 } ?? n, 0, n)
            return (s, e > s ? (e - s + step - 1) / step : 0)
        }
        let s = clamp(start.map { $0 < 0 ? $0 + n : $0 } ?? (n - 1), -1, n - 1)
        let e = clamp(end.map { $0 < 0 ? $0 + n : $0 } ?? -1, -1, n - 1)
        return (s, s > e ? (s - e - step - 1) / (-step) : 0)
    }

    /// Positions `start + k·step` for `k < length` along one axis.
    func slicedAxis(_ ax: Int, start: Int, step: Int, length: Int) throws -> Tensor {
        var starts = [Int](repeating: 0, count: rank), steps = [Int](repeating: 1, count: rank), lengths = shape
        starts[ax] = start; steps[ax] = step; lengths[ax] = length
        return try strided(starts: starts, steps: steps, lengths: lengths)
    }

    /// The strided sub-tensor (same rank) with the given per-axis start, step and length; differentiable.
    func strided(starts: [Int], steps: [Int], lengths: [Int]) throws -> Tensor {
        if lengths == shape && starts.allSatisfy({ $0 == 0 }) && steps.allSatisfy({ $0 == 1 }) { return self }
        let own = Shape.strides(shape)
        var base = 0
        for i in 0..<rank { base += starts[i] * own[i] }
        let stepStrides = (0..<rank).map { own[$0] * steps[$0] }
        var out = try Tensor(uninitialized: lengths, dtype: dtype)
        let plan = BroadcastPlan(generalShape: lengths, stridesA: stepStrides)
        func run<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self) + base, d = out.storage.typed(T.self)
            plan.forEach { o, i, _ in d[o] = s[i] }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
        out.node = nil
        let inShape = shape
        return Tensor.record("slice", out, self, { g in
            let r = try Tensor.zeros(inShape, dtype: g.dtype)
            func back<T: TensorScalar>(_: T.Type) {
                let d = r.storage.typed(T.self) + base, s = g.storage.typed(T.self)
                plan.forEach { o, i, _ in d[i] += s[o] }
            }
            switch g.dtype {
            case .float32: back(Float.self)
            case .float64: back(Double.self)
            case .int64: back(Int64.self)
            }
            return r
        })
    }

    /// Reads integer positions from an index tensor (int64, or floats holding whole numbers), checking each
    /// against `size`.
    static func positions(_ indices: Tensor, size: Int, op: TensorOp, fromEnd: Bool = true) throws -> [Int] {
        var out = [Int](repeating: 0, count: indices.count)
        for i in 0..<indices.count {
            let v = indices.element(i)
            guard v == v.rounded(), v > -9e15, v < 9e15 else {
                throw TensorError.invalidArgument(op: op, "index \(v) is not a whole number")
            }
            var j = Int(v)
            if j < 0 && fromEnd { j += size }
            guard j >= 0 && j < size else { throw TensorError.indexOutOfRange(op: op, index: Int(v), size: size) }
            out[i] = j
        }
        return out
    }

    /// Embedding lookup: rows of this table (shape `[n, …]`) at `indices`; the result has shape
    /// `indices.shape + shape[1...]`. The backward scatter-adds into the rows used (none when the table is frozen).
    /// A negative index counts from the end, as numpy's, unless `fromEnd` is false (token ids: -2 is an error, as in
    /// PyTorch's embedding).
    public func gatherRows(_ indices: Tensor, fromEnd: Bool = true) throws -> Tensor {
        guard rank >= 1 else { throw TensorError.shapeMismatch(op: .gather, "cannot gather rows of a rank-0 tensor") }
        let rows = try Tensor.positions(indices, size: shape[0], op: .gather, fromEnd: fromEnd)
        let rowLen = count / Swift.max(shape[0], 1)
        let outShape = indices.shape + shape.dropFirst()
        var out = try Tensor(uninitialized: outShape, dtype: dtype)
        let bytes = rowLen * dtype.byteSize
        for (k, r) in rows.enumerated() {
            out.storage.pointer.advanced(by: k * bytes).copyMemory(from: storage.pointer.advanced(by: r * bytes), byteCount: bytes)
        }
        out.node = nil
        let tableShape = shape
        return Tensor.record("gather", out, self, { g in
            var r = try Tensor.zeros(tableShape, dtype: g.dtype)
            try r.scatterAddRows(rows, from: g, rowLength: rowLen)
            return r
        })
    }

    /// `self[rows[k]] += src[k]` for row blocks of `rowLength` elements.
    mutating func scatterAddRows(_ rows: [Int], from src: Tensor, rowLength: Int) throws {
        try makeUnique()
        func run<T: TensorScalar>(_: T.Type) {
            let d = storage.typed(T.self), s = src.storage.typed(T.self)
            for (k, r) in rows.enumerated() {
                let dr = d + r * rowLength, sr = s + k * rowLength
                for j in 0..<rowLength { dr[j] += sr[j] }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
    }

    /// Picks one element per row along the last axis: for `self` of shape `[…, C]` and `indices` of shape `[…]`,
    /// `out[i] = self[i, indices[i]]`. Used by losses and label-word scoring.
    public func picking(_ indices: Tensor) throws -> Tensor {
        guard rank >= 1, Array(shape.dropLast()) == indices.shape else {
            throw TensorError.shapeMismatch(op: .pick, "indices of shape \(Shape.describe(indices.shape)) do not match \(Shape.describe(shape)) without its last axis")
        }
        let c = shape[rank - 1]
        let cols = try Tensor.positions(indices, size: c, op: .pick)
        var out = try Tensor(uninitialized: indices.shape, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self), d = out.storage.typed(T.self)
            for (i, j) in cols.enumerated() { d[i] = s[i * c + j] }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
        out.node = nil
        let inShape = shape
        return Tensor.record("pick", out, self, { g in
            let r = try Tensor.zeros(inShape, dtype: g.dtype)
            func back<T: TensorScalar>(_: T.Type) {
                let d = r.storage.typed(T.self), s = g.storage.typed(T.self)
                for (i, j) in cols.enumerated() { d[i * c + j] += s[i] }
            }
            switch g.dtype {
            case .float32: back(Float.self)
            case .float64: back(Double.self)
            case .int64: back(Int64.self)
            }
            return r
        })
    }

    /// One-hot rows: for integer `indices` of shape `S`, a `[S…, classes]` tensor with a 1 at each index.
    public static func oneHot(_ indices: Tensor, classes: Int, dtype: DType = .float32) throws -> Tensor {
        guard classes > 0 else { throw TensorError.invalidArgument(op: .oneHot, "classes must be positive, got \(classes)") }
        let cols = try positions(indices, size: classes, op: .oneHot)
        let out = try Tensor.zeros(indices.shape + [classes], dtype: dtype)
        for (i, j) in cols.enumerated() {
            switch dtype {
            case .float32: out.storage.typed(Float.self)[i * classes + j] = 1
            case .float64: out.storage.typed(Double.self)[i * classes + j] = 1
            case .int64: out.storage.typed(Int64.self)[i * classes + j] = 1
            }
        }
        return out
    }
}
