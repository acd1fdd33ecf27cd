import CPTuneKernels

/// The gated activations of decoder MLPs, fused: one pass forward, one backward, on the output of one fused
/// `[gate | up]` projection — SwiGLU (Llama, Qwen) and GEGLU with the tanh form of GELU (Gemma).
extension Tensor {
    /// SwiGLU on fused halves: for `self = [g | u]` of shape `[…, 2F]`, `y = silu(g) ⊙ u = g · σ(g) · u`, of shape
    /// `[…, F]`.
    ///
    /// Backward: `dg = dy · u · σ(g) · (1 + g · (1 − σ(g)))`, `du = dy · silu(g)`, into one `[…, 2F]` gradient.
    /// Saves the input only.
    public func swiglu() throws -> Tensor { try gated(.swiglu) }

    /// GEGLU on fused halves: for `self = [g | u]` of shape `[…, 2F]`, `y = gelu_tanh(g) ⊙ u`, of shape `[…, F]`
    /// (Gemma's MLP; ``geluTanh()``).
    ///
    /// Backward: `dg = dy · u · gelu_tanh′(g)`, `du = dy · gelu_tanh(g)`, into one `[…, 2F]` gradient. Saves the input
    /// only.
    public func geglu() throws -> Tensor { try gated(.geglu) }

    /// The gated activation `op` (``TensorOp/swiglu`` or ``TensorOp/geglu``) on fused halves `[g | u]`, row by row
    /// in parallel, with its backward.
    private func gated(_ op: TensorOp) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: op, dtype) }
        guard rank >= 1, let w = shape.last, w > 0, w % 2 == 0 else {
            throw TensorError.shapeMismatch(op: op, "needs a last axis of even length [gate | up], got \(Shape.describe(shape))")
        }
        // GELU's tanh costs about four SiLUs: the parallel split weighs it so.
        let f = w / 2, rows = count / w, cost = op == .geglu ? 4 : 1
        var out = try Tensor(uninitialized: Array(shape.dropLast()) + [f], dtype: dtype)
        func forward<T: TensorFloat>(_: T.Type) {
            let px = storage.typed(T.self), py = out.storage.typed(T.self)
            Parallel.chunks(rows, work: count * cost) { range in
                if op == .swiglu, T.self == Float.self {
                    SwiGLUKernel.forward(rows: range, px, py, f)
                    return
                }
                for r in range {
                    if op == .swiglu { SwiGLUKernel.forward(px + r * w, py + r * f, f) }
                    else { GEGLUKernel.row(px + r * w, f, y: py + r * f, dy: nil, dx: nil) }
                }
            }
        }
        if dtype == .float32 { forward(Float.self) } else { forward(Double.self) }
        out.node = nil
        let x = detached()
        return Tensor.record(op == .swiglu ? "swiglu" : "geglu", out, self, { g in
            let r = try Tensor(uninitialized: x.shape, dtype: g.dtype)
            func backward<T: TensorFloat>(_: T.Type) {
                let px = x.storage.typed(T.self), pg = g.storage.typed(T.self), pr = r.storage.typed(T.self)
                Parallel.chunks(rows, work: x.count * cost) { range in
                    if op == .swiglu, T.self == Float.self {
                        SwiGLUKernel.backward(rows: range, px, pg, pr, f)
                        return
                    }
                    for i in range {
                        if op == .swiglu { SwiGLUKernel.backward(px + i * w, pg + i * f, pr + i * w, f) }
                        else { GEGLUKernel.row(px + i * w, f, y: nil, dy: pg + i * f, dx: pr + i * w) }
                    }
                }
            }
            if g.dtype == .float32 { backward(Float.self) } else { backward(Double.self) }
            return r
        })
    }
}

/// The row kernel of ``Tensor/geglu()``, four float64 lanes at a time through ``GELUKernel/tanhForm(_:)``.
enum GEGLUKernel {
    /// One row `x = [g | u]` of `2f` elements: the forward `y[j] = gelu_tanh(g[j]) · u[j]` when `y` is given; the
    /// backward `dx = [dy · u · gelu_tanh′(g) | dy · gelu_tanh(g)]` when `dy` and `dx` are.
    @inline(__always)
    static func row<T: TensorFloat>(_ x: UnsafeMutablePointer<T>, _ f: Int, y: UnsafeMutablePointer<T>?,
                                    dy: UnsafeMutablePointer<T>?, dx: UnsafeMutablePointer<T>?) {
        var j = 0
        while j + 4 <= f {
            let (v, d) = GELUKernel.tanhForm(FastMath.lanes(x + j))
            let u = FastMath.lanes(x + f + j)
            if let y { FastMath.store(v * u, y + j) }
            if let dy, let dx {
                let g = FastMath.lanes(dy + j)
                FastMath.store(g * u * d, dx + j)
                FastMath.store(g * v, dx + f + j)
            }
            j += 4
        }
        while j < f {
            let (v, d) = GELUKernel.tanhForm(x[j].doubleValue)
            let u = x[f + j].doubleValue
            y?[j] = T(fromDouble: v * u)
            if let dy, let dx {
                let g = dy[j].doubleValue
                dx[j] = T(fromDouble: g * u * d)
                dx[f + j] = T(fromDouble: g * v)
            }
            j += 1
        }
    }
}

/// The row kernels of ``Tensor/swiglu()``: float32 rows in C (`ptk_swiglu_forward`, `ptk_swiglu_backward`: AVX-512,
/// AVX2 or portable by ``KernelLevel/detected``, ``FastMath``'s eˣ, the same values at every level), float64 rows
/// scalar.
enum SwiGLUKernel {
    /// Float32 rows `range` of `[g | u]` (2·`f` wide) to `y` (`f` wide); `T` is `Float`.
    @inline(__always)
    static func forward<T: TensorFloat>(rows range: Range<Int>, _ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                        _ f: Int, level: KernelLevel = .detected) {
        guard !range.isEmpty else { return }
        x.withMemoryRebound(to: Float.self, capacity: 1) { px in
            y.withMemoryRebound(to: Float.self, capacity: 1) { py in
                ptk_swiglu_forward(Int32(level.rawValue), px + range.lowerBound * 2 * f, range.count, f, py + range.lowerBound * f)
            }
        }
    }

    /// The gradient of float32 rows `range` from `dy` (`f` wide) into `dx` (2·`f` wide); `T` is `Float`.
    @inline(__always)
    static func backward<T: TensorFloat>(rows range: Range<Int>, _ x: UnsafeMutablePointer<T>, _ dy: UnsafeMutablePointer<T>,
                                         _ dx: UnsafeMutablePointer<T>, _ f: Int, level: KernelLevel = .detected) {
        guard !range.isEmpty else { return }
        x.withMemoryRebound(to: Float.self, capacity: 1) { px in
            dy.withMemoryRebound(to: Float.self, capacity: 1) { pd in
                dx.withMemoryRebound(to: Float.self, capacity: 1) { po in
                    ptk_swiglu_backward(Int32(level.rawValue), px + range.lowerBound * 2 * f, pd + range.lowerBound * f,
                                        range.count, f, po + range.lowerBound * 2 * f)
                }
            }
        }
    }

    /// `y[j] = silu(x[j]) · x[f + j]` for one row (the float64 rows).
    @inline(__always)
    static func forward<T: TensorFloat>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ f: Int) {
        for j in 0..<f {
            let g = x[j]
            y[j] = g * sigmoid(g) * x[f + j]
        }
    }

    /// `dx[j] = dy · u · σ'…`, `dx[f + j] = dy · silu(g)` for one row (the float64 rows).
    @inline(__always)
    static func backward<T: TensorFloat>(_ x: UnsafeMutablePointer<T>, _ dy: UnsafeMutablePointer<T>,
                                         _ dx: UnsafeMutablePointer<T>, _ f: Int) {
        for j in 0..<f {
            let g = x[j], u = x[f + j], d = dy[j], s = sigmoid(g)
            dx[j] = d * u * s * (1 + g * (1 - s))
            dx[f + j] = d * g * s
        }
    }

    @inline(__always) static func sigmoid<T: TensorFloat>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.exp(-x)) }
        let e = T.exp(x)
        return e / (1 + e)
    }
}
