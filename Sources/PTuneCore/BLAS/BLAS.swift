import COpenBLAS

/// The BLAS glue: general matrix products on row-major buffers via OpenBLAS `cblas_sgemm` / `cblas_dgemm`, with
/// transposes given as flags (no copies), and a plain loop for tiny products where a BLAS call costs more than the
/// arithmetic.
public enum BLAS {
    /// Products with at most this many multiply-adds (m·n·k) use the plain loop.
    static let smallProduct = 2048

    /// Sets the number of threads OpenBLAS uses (`openblas_set_num_threads`).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(Swift.max(1, n))) }

    /// The number of threads OpenBLAS uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// `C = alpha · op(A) · op(B) + beta · C` on row-major matrices, where op(A) is m×k and op(B) is k×n.
    @inline(__always)
    static func gemm<T: TensorFloat>(_: T.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                     a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                     beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 || m * n * k <= smallProduct {
            naive(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            a.withMemoryRebound(to: Float.self, capacity: 1) { pa in
                b.withMemoryRebound(to: Float.self, capacity: 1) { pb in
                    c.withMemoryRebound(to: Float.self, capacity: 1) { pc in
                        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, pa, Int32(lda), pb, Int32(ldb),
                                    Float(beta), pc, Int32(ldc))
                    }
                }
            }
        } else {
            a.withMemoryRebound(to: Double.self, capacity: 1) { pa in
                b.withMemoryRebound(to: Double.self, capacity: 1) { pb in
                    c.withMemoryRebound(to: Double.self, capacity: 1) { pc in
                        cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, pa, Int32(lda), pb, Int32(ldb),
                                    Double(beta), pc, Int32(ldc))
                    }
                }
            }
        }
    }

    /// Plain loops for tiny products, each ordered so the innermost loop runs over contiguous memory.
    @inline(__always)
    static func naive<T: TensorFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                      a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                      beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        for i in 0..<m {
            let ci = c + i * ldc
            if beta == 0 { for j in 0..<n { ci[j] = 0 } } else if beta != 1 { for j in 0..<n { ci[j] *= beta } }
        }
        switch (transA, transB) {
        case (false, false):
            // C[i,:] += A[i,p] · B[p,:]
            for i in 0..<m {
                let ci = c + i * ldc, ai = a + i * lda
                for p in 0..<k {
                    let s = ai[p], bp = b + p * ldb
                    for j in 0..<n { ci[j] += s * bp[j] }
                }
            }
        case (false, true):
            // C[i,j] += A[i,:] · B[j,:]
            for i in 0..<m {
                let ci = c + i * ldc, ai = a + i * lda
                for j in 0..<n {
                    let bj = b + j * ldb
                    var acc: T = 0
                    for p in 0..<k { acc += ai[p] * bj[p] }
                    ci[j] += acc
                }
            }
        case (true, false):
            // C[i,:] += A[p,i] · B[p,:]
            for p in 0..<k {
                let ap = a + p * lda, bp = b + p * ldb
                for i in 0..<m {
                    let s = ap[i], ci = c + i * ldc
                    for j in 0..<n { ci[j] += s * bp[j] }
                }
            }
        case (true, true):
            // C[i,j] += Σ_p A[p,i] · B[j,p]
            for i in 0..<m {
                let ci = c + i * ldc
                for j in 0..<n {
                    let bj = b + j * ldb
                    var acc: T = 0
                    for p in 0..<k { acc += a[p * lda + i] * bj[p] }
                    ci[j] += acc
                }
            }
        }
    }
}
