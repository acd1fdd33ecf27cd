/// Reductions over one axis or all elements, with a keep-dims option, and the numerically stable softmax family.
extension Tensor {
    /// The tensor viewed as `[outer, n, inner]` around `axis` (nil: all elements as one row).
    struct AxisView {
        let outer: Int, n: Int, inner: Int
        let outShape: [Int]
        let keptShape: [Int]
    }

    func axisView(_ axis: Int?, keepDims: Bool, op: TensorOp) throws -> AxisView {
        guard let axis else {
            return AxisView(outer: 1, n: count, inner: 1,
                            outShape: keepDims ? [Int](repeating: 1, count: rank) : [],
                            keptShape: [Int](repeating: 1, count: rank))
        }
        let ax = try Shape.axis(axis, rank: rank, op: op)
        var outer = 1, inner = 1
        for i in 0..<ax { outer *= shape[i] }
        for i in (ax + 1)..<rank { inner *= shape[i] }
        var kept = shape
        kept[ax] = 1
        var dropped = shape
        dropped.remove(at: ax)
        return AxisView(outer: outer, n: shape[ax], inner: inner, outShape: keepDims ? kept : dropped, keptShape: kept)
    }

    /// Folds each `[outer, ·, inner]` lane with `f`, starting from `initial`, into a tensor of the view's shape.
    func fold<T: TensorScalar>(_ v: AxisView, _: T.Type, initial: T, _ f: (T, T) -> T) throws -> Tensor {
        let out = try Tensor(uninitialized: v.outShape, dtype: dtype)
        let s = storage.typed(T.self), d = out.storage.typed(T.self)
        if v.inner == 1 {
            for o in 0..<v.outer {
                var acc = initial
                let row = s + o * v.n
                for k in 0..<v.n { acc = f(acc, row[k]) }
                d[o] = acc
            }
        } else {
            for o in 0..<v.outer {
                let dst = d + o * v.inner
                for j in 0..<v.inner { dst[j] = initial }
                for k in 0..<v.n {
                    let row = s + (o * v.n + k) * v.inner
                    for j in 0..<v.inner { dst[j] = f(dst[j], row[j]) }
                }
            }
        }
        return out
    }

    /// Sums each `[outer, ·, inner]` lane of a float tensor with ``Summation`` (blocked, then pairwise: the error
    /// grows with the log of the lane's length, not the length).
    func summed<T: TensorFloat>(_ v: AxisView, _: T.Type) throws -> Tensor {
        let out = try Tensor(uninitialized: v.outShape, dtype: dtype)
        let s = storage.typed(T.self), d = out.storage.typed(T.self)
        for o in 0..<v.outer {
            if v.inner == 1 {
                d[o] = Summation.sum(s + o * v.n, count: v.n)
            } else {
                Summation.sumRows(s + o * v.n * v.inner, rows: v.n, width: v.inner, into: d + o * v.inner)
            }
        }
        return out
    }

    /// The sum over `axis` (all elements when nil).
    public func sum(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        let v = try axisView(axis, keepDims: keepDims, op: .sum)
        let out: Tensor
        switch dtype {
        case .float32: out = try summed(v, Float.self)
        case .float64: out = try summed(v, Double.self)
        case .int64: out = try fold(v, Int64.self, initial: 0, &+)
        }
        let inShape = shape
        return Tensor.record("sum", out, self, { g in try Tensor.spread(g, to: inShape, kept: v.keptShape, scale: 1) })
    }

    /// The backward of a sum or mean: `g · scale` broadcast back over the reduced axis.
    static func spread(_ g: Tensor, to shape: [Int], kept: [Int], scale: Double) throws -> Tensor {
        if g.count == 1 { return try Tensor.full(shape, value: g.element(0) * scale, dtype: g.dtype) }
        let b = try g.reshaped(kept).broadcasted(to: shape).detached()
        return scale == 1 ? b : try b * scale
    }

    /// The mean over `axis` (all elements when nil).
    public func mean(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .mean, dtype) }
        let v = try axisView(axis, keepDims: keepDims, op: .mean)
        guard v.n > 0 else { throw TensorError.invalidArgument(op: .mean, "mean of an empty axis") }
        let scale = 1.0 / Double(v.n)
        let out: Tensor
        switch dtype {
        case .float32: let s = Float(scale); out = try summed(v, Float.self).map(Float.self) { $0 * s }
        case .float64: out = try summed(v, Double.self).map(Double.self) { $0 * scale }
        case .int64: throw TensorError.unsupportedDType(op: .mean, dtype)
        }
        let inShape = shape
        return Tensor.record("mean", out, self, { g in try Tensor.spread(g, to: inShape, kept: v.keptShape, scale: scale) })
    }

    /// The largest element over `axis`; the gradient goes to the first position holding it.
    public func max(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try extreme(axis: axis, keepDims: keepDims, op: .max, better: .greater)
    }

    /// The smallest element over `axis`; the gradient goes to the first position holding it.
    public func min(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try extreme(axis: axis, keepDims: keepDims, op: .min, better: .less)
    }

    /// The position (int64) of the largest element over `axis` (the first one on ties; over all elements when nil,
    /// as a flat index).
    public func argmax(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        let v = try axisView(axis, keepDims: keepDims, op: .argmax)
        let pos = try extremePositions(v, better: .greater, op: .argmax)
        return try Tensor(shape: v.outShape, scalars: pos.map { Int64($0) })
    }

    /// The position (int64) of the smallest element over `axis`.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        let v = try axisView(axis, keepDims: keepDims, op: .argmin)
        let pos = try extremePositions(v, better: .less, op: .argmin)
        return try Tensor(shape: v.outShape, scalars: pos.map { Int64($0) })
    }

    /// For each lane, the index along the axis of its first best element (NaN counts as best, as in numpy).
    func extremePositions(_ v: AxisView, better: Comparison, op: TensorOp) throws -> [Int] {
        guard v.n > 0 else { throw TensorError.invalidArgument(op: op, "reduction over an empty axis") }
        var pos = [Int](repeating: 0, count: v.outer * v.inner)
        for o in 0..<v.outer {
            for j in 0..<v.inner {
                var best = 0
                var bv = element((o * v.n) * v.inner + j)
                if !bv.isNaN {
                    for k in 1..<Swift.max(v.n, 1) {
                        let x = element((o * v.n + k) * v.inner + j)
                        if x.isNaN { best = k; break }
                        if better.holds(x, bv) { best = k; bv = x }
                    }
                }
                pos[o * v.inner + j] = best
            }
        }
        return pos
    }

    private func extreme(axis: Int?, keepDims: Bool, op: TensorOp, better: Comparison) throws -> Tensor {
        let v = try axisView(axis, keepDims: keepDims, op: op)
        let pos = try extremePositions(v, better: better, op: op)
        let flat = pos.enumerated().map { idx, k in (idx / v.inner * v.n + k) * v.inner + idx % v.inner }
        var out = try Tensor(uninitialized: v.outShape, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self), d = out.storage.typed(T.self)
            for (i, f) in flat.enumerated() { d[i] = s[f] }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
        out.node = nil
        let inShape = shape
        return Tensor.record(op.spelling, out, self, { g in
            var r = try Tensor.zeros(inShape, dtype: g.dtype)
            try r.scatterAddRows(flat, from: g, rowLength: 1)
            return r
        })
    }

    /// The variance over `axis`: `Σ(x − mean)² / (n − correction)` (correction 0: numpy's default; 1: unbiased).
    public func variance(axis: Int? = nil, keepDims: Bool = false, correction: Int = 0) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .variance, dtype) }
        let v = try axisView(axis, keepDims: keepDims, op: .variance)
        guard v.n - correction > 0 else {
            throw TensorError.invalidArgument(op: .variance, "needs more than \(correction) elements per lane")
        }
        let centered = try self - (try mean(axis: axis, keepDims: true))
        return try centered.square().sum(axis: axis, keepDims: keepDims) * (1.0 / Double(v.n - correction))
    }

    /// softmax along `axis`: `eˣ / Σ eˣ`, computed after subtracting the lane maximum.
    public func softmax(axis: Int = -1) throws -> Tensor {
        let out = try softmaxForward(axis: axis, log: false)
        let y = out.detached()
        return Tensor.record("softmax", out, self, { g in
            // dx = y ⊙ (g − Σ g⊙y)
            try y * (g - (try (g * y).sum(axis: axis, keepDims: true)))
        })
    }

    /// log softmax along `axis`: `x − max − log Σ e^(x − max)`.
    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        let out = try softmaxForward(axis: axis, log: true)
        let y = out.detached()
        return Tensor.record("log_softmax", out, self, { g in
            // dx = g − softmax ⊙ Σ g
            try g - (try y.exp() * (try g.sum(axis: axis, keepDims: true)))
        })
    }

    /// Softmax or log-softmax of every lane along `axis`: the lane's maximum subtracted, exponentiated (vectorised in
    /// float32), summed by ``Summation``, then normalised.
    private func softmaxForward(axis: Int, log: Bool) throws -> Tensor {
        let v = try axisView(axis, keepDims: true, op: log ? .logSoftmax : .softmax)
        func run<T: TensorFloat>(_: T.Type) throws -> Tensor {
            let out = try Tensor(uninitialized: shape, dtype: dtype)
            let s = storage.typed(T.self), d = out.storage.typed(T.self)
            // A lane along the last axis is contiguous and its exponentials go straight to the output; any other
            // lane is gathered into a scratch row first.
            let scratch = v.inner == 1 ? nil : UnsafeMutablePointer<T>.allocate(capacity: v.n)
            defer { scratch?.deallocate() }
            for o in 0..<v.outer {
                for j in 0..<v.inner {
                    let base = o * v.n * v.inner + j
                    let e = scratch ?? d + base
                    var m = -T.infinity
                    for k in 0..<v.n { m = Swift.max(m, s[base + k * v.inner]) }
                    if !m.isFinite { m = 0 }
                    Tensor.exponentiate(s + base, stride: v.inner, minus: m, into: e, count: v.n)
                    let z = Summation.sum(UnsafePointer(e), count: v.n)
                    if log {
                        let lz = T.log(z) + m
                        for k in 0..<v.n { d[base + k * v.inner] = s[base + k * v.inner] - lz }
                    } else {
                        let inv = 1 / z
                        for k in 0..<v.n { d[base + k * v.inner] = e[k] * inv }
                    }
                }
            }
            return out
        }
        switch dtype {
        case .float32: return try run(Float.self)
        case .float64: return try run(Double.self)
        case .int64: throw TensorError.unsupportedDType(op: log ? .logSoftmax : .softmax, .int64)
        }
    }

    /// `e[k] = exp(x[k · stride] − shift)` for `k < count` (``FastMath`` in float32, the C library in float64).
    @inline(__always)
    static func exponentiate<T: TensorFloat>(_ x: UnsafePointer<T>, stride: Int, minus shift: T,
                                             into e: UnsafeMutablePointer<T>, count: Int) {
        if T.self == Float.self {
            let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
            let ef = UnsafeMutableRawPointer(e).assumingMemoryBound(to: Float.self)
            let sf = Float(shift.doubleValue)
            if stride == 1 {
                for k in 0..<count { ef[k] = FastMath.exp(xf[k] - sf) }
            } else {
                for k in 0..<count { ef[k] = FastMath.exp(xf[k * stride] - sf) }
            }
        } else {
            for k in 0..<count { e[k] = T.exp(x[k * stride] - shift) }
        }
    }
}
