/// The linear map of a frozen or trainable weight in the PyTorch / GGUF layout, with a backward that computes only
/// the gradients asked for: an input gradient through a frozen weight costs one GEMM and saves nothing but the weight.
extension Tensor {
    /// `y = x · Wᵀ + b` for `x` of shape `[…, in]`, `weight` W of shape `[out, in]` and an optional `bias` b of shape
    /// `[out]`; the result has shape `[…, out]`.
    ///
    /// Backward: `dx = dy · W`, `dW = dyᵀ · x`, `db = Σ dy` over rows, each computed only when needed. The input `x`
    /// is kept for the backward only when W requires a gradient.
    public func linear(_ weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard dtype == weight.dtype else { throw TensorError.dtypeMismatch(op: "linear", dtype, weight.dtype) }
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "linear", dtype) }
        guard rank >= 1, weight.rank == 2, shape[rank - 1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: "linear", "cannot apply a weight of shape \(Shape.describe(weight.shape)) ([out, in]) to \(Shape.describe(shape))")
        }
        let k = weight.shape[1], n = weight.shape[0], rows = count / Swift.max(k, 1)
        if let bias {
            guard bias.dtype == dtype else { throw TensorError.dtypeMismatch(op: "linear", dtype, bias.dtype) }
            guard bias.shape == [n] else {
                throw TensorError.shapeMismatch(op: "linear", "bias of shape \(Shape.describe(bias.shape)) does not match \(n) outputs")
            }
        }
        let outShape = Array(shape.dropLast()) + [n]
        var out = try Tensor(uninitialized: outShape, dtype: dtype)
        func forward<T: TensorFloat>(_: T.Type) {
            let py = out.storage.typed(T.self)
            if let bias {
                let pb = bias.storage.typed(T.self)
                for r in 0..<rows { (py + r * n).update(from: pb, count: n) }
            }
            if rows == 1 {
                BLAS.gemv(T.self, transpose: false, rows: n, cols: k, a: weight.storage.typed(T.self),
                          x: storage.typed(T.self), beta: bias == nil ? 0 : 1, y: py)
                return
            }
            BLAS.gemm(T.self, transA: false, transB: true, m: rows, n: n, k: k, a: storage.typed(T.self), lda: k,
                      b: weight.storage.typed(T.self), ldb: k, beta: bias == nil ? 0 : 1, c: py, ldc: n)
        }
        if dtype == .float32 { forward(Float.self) } else { forward(Double.self) }
        out.node = nil
        let w = weight.detached(), inShape = shape
        let saved: Tensor? = weight.requiresGrad ? detached() : nil
        let hasBias = bias != nil
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record("linear", out, inputs: inputs, { g, needs in
            var gx: Tensor? = nil, gw: Tensor? = nil, gb: Tensor? = nil
            func backward<T: TensorFloat>(_: T.Type) throws {
                let pg = g.storage.typed(T.self)
                if needs[0] {
                    let r = try Tensor(uninitialized: inShape, dtype: g.dtype)
                    if rows == 1 {
                        BLAS.gemv(T.self, transpose: true, rows: n, cols: k, a: w.storage.typed(T.self), x: pg, beta: 0,
                                  y: r.storage.typed(T.self))
                    } else {
                        BLAS.gemm(T.self, transA: false, transB: false, m: rows, n: k, k: n, a: pg, lda: n,
                                  b: w.storage.typed(T.self), ldb: k, beta: 0, c: r.storage.typed(T.self), ldc: k)
                    }
                    gx = r
                }
                if needs[1], let x = saved {
                    let r = try Tensor(uninitialized: [n, k], dtype: g.dtype)
                    BLAS.gemm(T.self, transA: true, transB: false, m: n, n: k, k: rows, a: pg, lda: n,
                              b: x.storage.typed(T.self), ldb: k, beta: 0, c: r.storage.typed(T.self), ldc: k)
                    gw = r
                }
                if hasBias && needs[2] {
                    let r = try Tensor.zeros([n], dtype: g.dtype)
                    let pb = r.storage.typed(T.self)
                    for i in 0..<rows { let gr = pg + i * n; for j in 0..<n { pb[j] += gr[j] } }
                    gb = r
                }
            }
            if g.dtype == .float32 { try backward(Float.self) } else { try backward(Double.self) }
            return hasBias ? [gx, gw, gb] : [gx, gw]
        })
    }
}
