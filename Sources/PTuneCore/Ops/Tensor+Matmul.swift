/// Matrix products: 2-D, and batched over leading axes (numpy broadcasting of the batch axes), on BLAS. The backward
/// passes transposes to BLAS as flags instead of materialising them.
extension Tensor {
    /// `a @ b`: `[…, m, k] @ […, k, n] → […, m, n]`. A rank-1 left operand is a row, a rank-1 right operand a column
    /// (and that axis is dropped from the result), as numpy.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.dtype == b.dtype else { throw TensorError.dtypeMismatch(op: .matmul, a.dtype, b.dtype) }
        guard a.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .matmul, a.dtype) }
        guard a.rank >= 1, b.rank >= 1 else {
            throw TensorError.shapeMismatch(op: .matmul, "operands must have rank ≥ 1, got \(Shape.describe(a.shape)) and \(Shape.describe(b.shape))")
        }
        if a.rank == 1 { return try matmul(a.unsqueezed(axis: 0), b).squeezed(axis: -2) }
        if b.rank == 1 { return try matmul(a, b.unsqueezed(axis: 1)).squeezed(axis: -1) }
        guard a.shape[a.rank - 1] == b.shape[b.rank - 2] else { throw TensorError.matmulMismatch(a.shape, b.shape) }
        let out = try product(a, b, transA: false, transB: false)
        let ad = a.detached(), bd = b.detached()
        return record("matmul", out, a, b, { g, needs in
            if b.rank == 2 {
                // Fold a's batch axes into rows: one GEMM each.
                let k = ad.shape[ad.rank - 1], n = bd.shape[1]
                let a2 = try ad.reshaped([-1, k]), g2 = try g.reshaped([-1, n])
                return [needs[0] ? try product(g2, bd, transA: false, transB: true).reshaped(ad.shape) : nil,
                        needs[1] ? try product(a2, g2, transA: true, transB: false) : nil]
            }
            return [needs[0] ? try product(g, bd, transA: false, transB: true).sumToShape(ad.shape) : nil,
                    needs[1] ? try product(ad, g, transA: true, transB: false).sumToShape(bd.shape) : nil]
        })
    }

    /// The batched product `op(a) · op(b)` without recording, where op transposes the last two axes when its flag is
    /// set. Batch axes broadcast; a rank-2 right operand folds the left operand's batch axes into its rows.
    static func product(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) throws -> Tensor {
        let ra = a.rank, rb = b.rank
        let m = transA ? a.shape[ra - 1] : a.shape[ra - 2], k = transA ? a.shape[ra - 2] : a.shape[ra - 1]
        let kb = transB ? b.shape[rb - 1] : b.shape[rb - 2], n = transB ? b.shape[rb - 2] : b.shape[rb - 1]
        guard k == kb else { throw TensorError.matmulMismatch(a.shape, b.shape) }
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        guard let batch = Shape.broadcast(batchA, batchB) else {
            throw TensorError.broadcastMismatch(op: .matmul, a.shape, b.shape)
        }
        var out = try Tensor(uninitialized: batch + [m, n], dtype: a.dtype)
        let lda = a.shape[ra - 1], ldb = b.shape[rb - 1]
        // Ctrl-C and the time limit can cut short only long work: a product BLAS.gemm interrupts, or many batches
        // (small products skip the task-local look-up).
        let work = Shape.count(batch).multipliedReportingOverflow(by: m * n).partialValue
        let stop = work > 1 << 16 || work.multipliedReportingOverflow(by: k).partialValue > BLAS.interruptibleProduct
            ? TensorContext.stopCheck : nil
        func run<T: TensorFloat>(_: T.Type) {
            let pa = a.storage.typed(T.self), pb = b.storage.typed(T.self), pc = out.storage.typed(T.self)
            if batchB.isEmpty && !transA && batch == batchA {
                // [B…, m, k] @ [k, n]: one GEMM over all rows.
                let rows = Shape.count(batchA) * m
                BLAS.gemm(T.self, transA: false, transB: transB, m: rows, n: n, k: k, a: pa, lda: lda, b: pb, ldb: ldb,
                          beta: 0, c: pc, ldc: n)
                return
            }
            let plan = BroadcastPlan(generalShape: batch, stridesA: BroadcastPlan.strides(of: batchA, in: batch))
            let stridesB = BroadcastPlan.strides(of: batchB, in: batch)
            let planB = BroadcastPlan(generalShape: batch, stridesA: stridesB)
            var offsB = [Int](repeating: 0, count: Shape.count(batch))
            planB.forEach { o, i, _ in offsB[o] = i }
            let sizeA = a.shape[ra - 2] * a.shape[ra - 1], sizeB = b.shape[rb - 2] * b.shape[rb - 1]
            plan.forEach { o, ia, _ in
                if stop?.isStopping == true { return }
                BLAS.gemm(T.self, transA: transA, transB: transB, m: m, n: n, k: k,
                          a: pa + ia * sizeA, lda: lda, b: pb + offsB[o] * sizeB, ldb: ldb,
                          beta: 0, c: pc + o * m * n, ldc: n)
            }
        }
        if a.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        // A product cut short by Ctrl-C or the time limit is incomplete: throw rather than return it.
        try stop?.check()
        out.node = nil
        return out
    }
}
