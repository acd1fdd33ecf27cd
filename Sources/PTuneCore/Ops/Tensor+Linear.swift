/// Products with a transposed right operand, the shape of every dense layer and of attention scores: the transpose is
/// a BLAS flag, never a copy.
extension Tensor {
    /// PyTorch's `F.linear`: `y = x · Wᵀ + b` for `x` of shape `[…, in]`, `weight` `[out, in]` and `bias` `[out]`
    /// (optional), giving `[…, out]`. One GEMM with the bias preloaded into the output rows.
    ///
    /// Backward (each only when needed): `dx = g · W`, `dW = gᵀ · x` (all leading axes folded into rows),
    /// `db = Σ_rows g`. `x` is kept for the backward only when the weight requires a gradient: through a frozen
    /// weight (a frozen LLM) the activations are not held. A single row is a matrix-vector product (a decoding step).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        guard x.dtype == weight.dtype else { throw TensorError.dtypeMismatch(op: .linear, x.dtype, weight.dtype) }
        guard x.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .linear, x.dtype) }
        guard weight.rank == 2, x.rank >= 1, x.shape[x.rank - 1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: .linear, "input \(Shape.describe(x.shape)) does not match weight \(Shape.describe(weight.shape)) (expected [out, in] with in = the input's last axis)")
        }
        let outF = weight.shape[0], inF = weight.shape[1]
        if let bias {
            guard bias.dtype == x.dtype else { throw TensorError.dtypeMismatch(op: .linear, x.dtype, bias.dtype) }
            guard bias.shape == [outF] else {
                throw TensorError.shapeMismatch(op: .linear, "bias \(Shape.describe(bias.shape)) does not match [\(outF)]")
            }
        }
        let rows = x.count / Swift.max(inF, 1)
        var outShape = x.shape
        outShape[outShape.count - 1] = outF
        var out = try Tensor(uninitialized: outShape, dtype: x.dtype)
        func run<T: TensorFloat>(_: T.Type) {
            let c = out.storage.typed(T.self)
            if let bias {
                let b = bias.storage.typed(T.self)
                for r in 0..<rows { (c + r * outF).update(from: b, count: outF) }
            } else if inF == 0 {
                c.update(repeating: 0, count: rows * outF)
            }
            if rows == 1 {
                BLAS.gemv(T.self, transpose: false, rows: outF, cols: inF, a: weight.storage.typed(T.self),
                          x: x.storage.typed(T.self), beta: bias == nil ? 0 : 1, y: c)
                return
            }
            BLAS.gemm(T.self, transA: false, transB: true, m: rows, n: outF, k: inF,
                      a: x.storage.typed(T.self), lda: inF, b: weight.storage.typed(T.self), ldb: inF,
                      beta: bias == nil ? 0 : 1, c: c, ldc: outF)
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        // A product cut short by Ctrl-C or the time limit (see BLAS.gemm) is incomplete: throw rather than return it.
        // Only a product as large as BLAS.gemm interrupts can be cut short (small ones skip the task-local look-up).
        if rows.multipliedReportingOverflow(by: outF * inF).partialValue > BLAS.interruptibleProduct {
            try TensorContext.checkStop()
        }
        out.node = nil
        let xShape = x.shape, wd = weight.detached()
        let xd: Tensor? = weight.requiresGrad ? x.detached() : nil
        let backward: BackwardFunction = { g, needs in
            let g2 = try g.reshaped([rows, outF])
            let gx = needs[0] ? try product(g2, wd, transA: false, transB: false).reshaped(xShape) : nil
            var gw: Tensor? = nil
            if needs[1], let xd { gw = try product(g2, try xd.reshaped([rows, inF]), transA: true, transB: false) }
            var gb: Tensor? = nil
            if needs[2] {
                let b = try Tensor.zeros([outF], dtype: g.dtype)
                func sum<T: TensorFloat>(_: T.Type) {
                    let pb = b.storage.typed(T.self), pg = g2.storage.typed(T.self)
                    for r in 0..<rows { let row = pg + r * outF; for j in 0..<outF { pb[j] += row[j] } }
                }
                if g.dtype == .float32 { sum(Float.self) } else { sum(Double.self) }
                gb = b
            }
            return InputGradients(first: gx, second: gw, third: gb)
        }
        if let bias { return record("linear", out, inputs: [x, weight, bias], backward) }
        return record("linear", out, x, weight, backward)
    }

    /// `a · bᵀ`: `[…, m, k] · ([…, n, k])ᵀ → […, m, n]`, batch axes broadcast as in ``matmul(_:_:)``. The transpose is
    /// a BLAS flag. Backward: `da = g · b`, `db = gᵀ · a` (summed over broadcast batch axes).
    public static func matmul(_ a: Tensor, transposing b: Tensor) throws -> Tensor {
        guard a.dtype == b.dtype else { throw TensorError.dtypeMismatch(op: .matmul, a.dtype, b.dtype) }
        guard a.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .matmul, a.dtype) }
        guard a.rank >= 2, b.rank >= 2 else {
            throw TensorError.shapeMismatch(op: .matmul, "operands of a·bᵀ must have rank ≥ 2, got \(Shape.describe(a.shape)) and \(Shape.describe(b.shape))")
        }
        guard a.shape[a.rank - 1] == b.shape[b.rank - 1] else { throw TensorError.matmulMismatch(a.shape, b.shape) }
        let out = try product(a, b, transA: false, transB: true)
        let ad = a.detached(), bd = b.detached()
        return record("matmul_t", out, a, b, { g, needs in
            if bd.rank == 2 {
                let k = ad.shape[ad.rank - 1], n = bd.shape[0]
                return [needs[0] ? try product(g, bd, transA: false, transB: false) : nil,
                        needs[1] ? try product(try g.reshaped([-1, n]), try ad.reshaped([-1, k]), transA: true, transB: false) : nil]
            }
            return [needs[0] ? try product(g, bd, transA: false, transB: false).sumToShape(ad.shape) : nil,
                    needs[1] ? try product(g, ad, transA: true, transB: false).sumToShape(bd.shape) : nil]
        })
    }
}

extension InputGradients {
    /// Three gradients without building an array (the third only stored when present).
    init(first: Tensor?, second: Tensor?, third: Tensor?) {
        self.first = first
        self.second = second
        rest = third.map { [$0] } ?? []
    }
}
