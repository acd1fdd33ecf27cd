/// Shape operations: reshape, permute, broadcast, concat and stack. Storage stays contiguous: reshape shares it,
/// the others copy.
extension Tensor {
    /// The same elements under a new shape (one entry may be −1 and is inferred). Shares storage.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        guard unknown.count <= 1, !newShape.contains(where: { $0 < -1 }) else { throw TensorError.invalidShape(newShape) }
        if let u = unknown.first {
            var known = 1
            for (i, d) in newShape.enumerated() where i != u {
                let (p, overflow) = known.multipliedReportingOverflow(by: d)
                guard !overflow else { throw TensorError.reshapeMismatch(from: shape, to: newShape) }
                known = p
            }
            guard known > 0, count % known == 0 else { throw TensorError.reshapeMismatch(from: shape, to: newShape) }
            target[u] = count / known
        }
        guard try Shape.checkedCount(target) == count else { throw TensorError.reshapeMismatch(from: shape, to: newShape) }
        if target == shape { return self }
        let from = shape
        return Tensor.record("reshape", Tensor(shape: target, storage: storage), self, { g in try g.reshaped(from) })
    }

    /// A copy with axes reordered: result axis `i` is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        guard axes.count == rank, Set(axes).count == rank, axes.allSatisfy({ $0 >= 0 && $0 < rank }) else {
            throw TensorError.invalidArgument(op: .permute, "\(axes) is not a permutation of the \(rank) axes")
        }
        if axes == Array(0..<rank) { return self }
        let inStrides = Shape.strides(shape)
        let outShape = axes.map { shape[$0] }
        let srcStrides = axes.map { inStrides[$0] }
        var out = try Tensor(uninitialized: outShape, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self), d = out.storage.typed(T.self)
            let plan = BroadcastPlan(generalShape: outShape, stridesA: srcStrides)
            plan.forEach { o, i, _ in d[o] = s[i] }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
        out.node = nil
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return Tensor.record("permute", out, self, { g in try g.permuted(inverse) })
    }

    /// Swaps the last two axes (a matrix transpose, batched over leading axes); a rank-1 tensor is returned as is.
    public func transposed() throws -> Tensor {
        guard rank >= 2 else { return self }
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return try permuted(axes)
    }

    /// Swaps two axes.
    public func transposed(_ a: Int, _ b: Int) throws -> Tensor {
        let x = try Shape.axis(a, rank: rank, op: .transpose), y = try Shape.axis(b, rank: rank, op: .transpose)
        var axes = Array(0..<rank)
        axes.swapAt(x, y)
        return try permuted(axes)
    }

    /// A copy expanded to `target` by numpy broadcasting; the backward sums back.
    public func broadcasted(to target: [Int]) throws -> Tensor {
        if target == shape { return self }
        guard Shape.broadcasts(shape, to: target) else {
            throw TensorError.broadcastMismatch(op: .broadcastTo, shape, target)
        }
        var out = try Tensor(uninitialized: target, dtype: dtype)
        let n = count, repeats = Shape.repeatsAlongLeadingAxes(shape, to: target)
        let plan = n == 1 || repeats ? nil
            : BroadcastPlan(generalShape: target, stridesA: BroadcastPlan.strides(of: shape, in: target))
        func run<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self), d = out.storage.typed(T.self)
            if let plan { plan.forEach { o, i, _ in d[o] = s[i] }; return }
            // A scalar, or a block repeated along the leading axes: copy it over and over.
            var o = 0
            while n > 0 && o < out.count { for i in 0..<n { d[o + i] = s[i] }; o += n }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
        out.node = nil
        let from = shape
        return Tensor.record("broadcast_to", out, self, { g in try g.sumToShape(from) })
    }

    /// Inserts an axis of extent 1 at `axis` (which may equal the rank).
    public func unsqueezed(axis: Int) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank + 1, op: .unsqueeze)
        var s = shape
        s.insert(1, at: a)
        return try reshaped(s)
    }

    /// Removes the axis `axis`, which must have extent 1.
    public func squeezed(axis: Int) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: .squeeze)
        guard shape[a] == 1 else {
            throw TensorError.shapeMismatch(op: .squeeze, "axis \(axis) has extent \(shape[a]), not 1")
        }
        var s = shape
        s.remove(at: a)
        return try reshaped(s)
    }

    /// Joins tensors along an existing axis; all other extents must agree.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: .concat, "needs at least one tensor") }
        let ax = try Shape.axis(axis, rank: Swift.max(first.rank, 1), op: .concat)
        guard first.rank > 0 else { throw TensorError.shapeMismatch(op: .concat, "cannot concat rank-0 tensors; stack them") }
        var outShape = first.shape
        outShape[ax] = 0
        for t in tensors {
            guard t.dtype == first.dtype else { throw TensorError.dtypeMismatch(op: .concat, first.dtype, t.dtype) }
            var ok = t.rank == first.rank
            if ok { for i in 0..<t.rank where i != ax && t.shape[i] != first.shape[i] { ok = false } }
            guard ok else {
                throw TensorError.shapeMismatch(op: .concat, "cannot concat \(Shape.describe(first.shape)) with \(Shape.describe(t.shape)) on axis \(ax)")
            }
            let (sum, overflow) = outShape[ax].addingReportingOverflow(t.shape[ax])
            guard !overflow else { throw TensorError.shapeTooLarge(outShape, limit: Shape.maxExtentProduct) }
            outShape[ax] = sum
        }
        var out = try Tensor(uninitialized: outShape, dtype: first.dtype)
        // View every tensor as [outer, extent · inner] and copy row blocks.
        var outer = 1
        for i in 0..<ax { outer *= outShape[i] }
        var inner = 1
        for i in (ax + 1)..<outShape.count { inner *= outShape[i] }
        let rowOut = outShape[ax] * inner
        let bytes = first.dtype.byteSize
        var offset = 0
        for t in tensors {
            let rowIn = t.shape[ax] * inner
            let src = t.storage.pointer, dst = out.storage.pointer
            if outer == 1 {
                dst.advanced(by: offset * bytes).copyMemory(from: src, byteCount: rowIn * bytes)
            } else {
                for o in 0..<outer {
                    dst.advanced(by: (o * rowOut + offset) * bytes).copyMemory(from: src.advanced(by: o * rowIn * bytes), byteCount: rowIn * bytes)
                }
            }
            offset += rowIn
        }
        out.node = nil
        let extents = tensors.map { $0.shape[ax] }
        let shapes = tensors.map(\.shape)
        return record("concat", out, inputs: tensors, { g, needs in
            // Split g back into row blocks: the same copies as the forward, in reverse.
            var start = 0
            return InputGradients(try extents.enumerated().map { i, e -> Tensor? in
                defer { start += e * inner }
                guard needs[i] else { return nil }
                let piece = try Tensor(uninitialized: shapes[i], dtype: g.dtype)
                let rowIn = e * inner, src = g.storage.pointer, dst = piece.storage.pointer
                for o in 0..<outer {
                    dst.advanced(by: o * rowIn * bytes).copyMemory(from: src.advanced(by: (o * rowOut + start) * bytes), byteCount: rowIn * bytes)
                }
                return piece
            })
        })
    }

    /// Joins equally shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: .stack, "needs at least one tensor") }
        for t in tensors where t.shape != first.shape {
            throw TensorError.shapeMismatch(op: .stack, "cannot stack \(Shape.describe(first.shape)) with \(Shape.describe(t.shape))")
        }
        let ax = try Shape.axis(axis, rank: first.rank + 1, op: .stack)
        return try concat(tensors.map { try $0.unsqueezed(axis: ax) }, axis: ax)
    }

    /// The contiguous sub-range `start..<start+length` of one axis (a copy); the backward pads with zeros.
    public func narrowed(axis: Int, start: Int, length: Int) throws -> Tensor {
        let ax = try Shape.axis(axis, rank: rank, op: .narrow)
        guard start >= 0, length >= 0, start + length <= shape[ax] else {
            throw TensorError.indexOutOfRange(op: .narrow, index: start + length, size: shape[ax])
        }
        if start == 0 && length == shape[ax] { return self }
        return try slicedAxis(ax, start: start, step: 1, length: length)
    }
}
