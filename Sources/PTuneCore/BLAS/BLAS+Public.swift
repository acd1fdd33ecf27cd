/// Raw matrix products for kernels written outside the core (fused attention and the like), which address
/// sub-matrices of larger buffers through leading dimensions.
extension BLAS {
    /// `C = op(A) · op(B) + beta · C` on row-major matrices: op(A) is m×k, op(B) is k×n, C is m×n; `lda`, `ldb`,
    /// `ldc` are the row strides (in elements) of A, B and C as stored. Small products use a plain loop, large ones
    /// OpenBLAS. The caller guarantees the buffers hold the addressed elements.
    @inline(__always)
    public static func multiply<T: TensorFloat>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                                a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                                beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        gemm(T.self, transA: transposeA, transB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
             beta: beta, c: c, ldc: ldc)
    }
}
