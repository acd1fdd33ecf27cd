import COpenBLAS
import Synchronization

/// The BLAS glue: general matrix products on row-major buffers via OpenBLAS `cblas_sgemm` / `cblas_dgemm`, with
/// transposes given as flags (no copies), and a plain loop for tiny products where a BLAS call costs more than the
/// arithmetic. Large products are cut into row (or column) blocks that run as single-threaded OpenBLAS calls on the
/// ``WorkerPool``, the threads every other parallel kernel uses.
public enum BLAS {
    /// Products with at most this many multiply-adds (m·n·k) use the plain loop.
    static let smallProduct = 2048

    /// Products with at least this many multiply-adds are split over ``threads`` threads.
    static let parallelProduct = 1 << 19

    /// Sets the number of threads products and the kernels around them split over.
    public static func setThreads(_ n: Int) { _ = defaultThreads; threadCount.store(Swift.max(1, n), ordering: .relaxed) }

    /// The number of threads products and the kernels around them split over: OpenBLAS's own default
    /// (`OPENBLAS_NUM_THREADS`, else the cores) until ``setThreads(_:)``.
    public static var threads: Int {
        let n = threadCount.load(ordering: .relaxed)
        return n > 0 ? n : defaultThreads
    }

    private static let threadCount = Atomic<Int>(0)

    /// Runs `body` with OpenBLAS's own threading at ``threads`` (then back to one thread): for benchmarks that call
    /// OpenBLAS directly, as a program that left threading to OpenBLAS would.
    public static func withOpenBLASThreading<R>(_ body: () throws -> R) rethrows -> R {
        _ = defaultThreads
        openblas_set_num_threads(Int32(clamping: threads))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// The name of the OpenBLAS kernels products run on (`SkylakeX`, `Cooperlake`, `Haswell`, …): OpenBLAS picks
    /// them for the CPU unless `OPENBLAS_CORETYPE` names them, and they split float32 sums differently.
    public static var kernels: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// OpenBLAS's thread count at start-up; OpenBLAS itself is then set to one thread. Its own workers spin
    /// (sched_yield) between calls and would compete with the threads of the elementwise kernels, so products are
    /// split here instead, over the same threads as everything else.
    private static let defaultThreads: Int = {
        let n = Int(openblas_get_num_threads())
        openblas_set_num_threads(1)
        return Swift.max(1, n)
    }()

    /// Products with more multiply-adds than this run in row blocks of about this many, asking the stop check in
    /// effect (``TensorContext/stopCheck``) between blocks: Ctrl-C or a time limit stops a product that would take
    /// minutes. A product cut short leaves C incomplete; its caller asks ``TensorContext/checkStop()`` and throws.
    static let interruptibleProduct = 1 << 30

    /// `C = alpha · op(A) · op(B) + beta · C` on row-major matrices, where op(A) is m×k and op(B) is k×n.
    @inline(__always)
    static func gemm<T: TensorFloat>(_: T.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                     a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                     beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if m == 0 || n == 0 { return }
        // m·n and n·k are extents of tensors; their product with k may still pass Int.max under raised limits.
        let (mn, over) = m.multipliedReportingOverflow(by: n)
        let (mnk, overK) = mn.multipliedReportingOverflow(by: k)
        if m > 1, over || overK || mnk > interruptibleProduct, let stop = TensorContext.stopCheck {
            let rows = Swift.max(1, interruptibleProduct / Swift.max(1, n * k))
            var lo = 0
            while lo < m {
                if stop.isStopping { return }
                let len = Swift.min(rows, m - lo)
                block(T.self, transA: transA, transB: transB, m: len, n: n, k: k, a: a + (transA ? lo : lo * lda), lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
                lo += len
            }
            return
        }
        block(T.self, transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// ``gemm(_:transA:transB:m:n:k:a:lda:b:ldb:beta:c:ldc:)`` in one piece: the plain loop, or OpenBLAS split over
    /// the worker threads.
    @inline(__always)
    static func block<T: TensorFloat>(_: T.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                      a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                      beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if k == 0 || m * n * k <= smallProduct {
            naive(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let parts = Swift.min(threads, Swift.max(1, m * n * k / parallelProduct))
        if parts > 1 {
            // Split C into row blocks (or column blocks when it is wide), multiples of 8 so each keeps whole
            // register tiles; every block is one single-threaded product.
            let splitRows = m >= n || n < 16
            let extent = splitRows ? m : n
            let block = ((extent + parts - 1) / parts + 7) / 8 * 8
            let count = (extent + block - 1) / block
            if count > 1 {
                Parallel.forEach(count, parallel: true) { p in
                    let lo = p * block, len = Swift.min(block, extent - lo)
                    if splitRows {
                        single(T.self, transA: transA, transB: transB, m: len, n: n, k: k,
                               a: a + (transA ? lo : lo * lda), lda: lda, b: b, ldb: ldb, beta: beta,
                               c: c + lo * ldc, ldc: ldc)
                    } else {
                        single(T.self, transA: transA, transB: transB, m: m, n: len, k: k,
                               a: a, lda: lda, b: b + (transB ? lo * ldb : lo), ldb: ldb, beta: beta,
                               c: c + lo, ldc: ldc)
                    }
                }
                return
            }
        }
        single(T.self, transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
               c: c, ldc: ldc)
    }

    /// One OpenBLAS call; sizes past OpenBLAS's 32-bit integers (reachable only with raised element limits) take
    /// the plain loops instead.
    @inline(__always)
    static func single<T: TensorFloat>(_: T.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                       a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                       beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        guard let m32 = Int32(exactly: m), let n32 = Int32(exactly: n), let k32 = Int32(exactly: k),
              let lda32 = Int32(exactly: lda), let ldb32 = Int32(exactly: ldb), let ldc32 = Int32(exactly: ldc) else {
            naive(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            a.withMemoryRebound(to: Float.self, capacity: 1) { pa in
                b.withMemoryRebound(to: Float.self, capacity: 1) { pb in
                    c.withMemoryRebound(to: Float.self, capacity: 1) { pc in
                        cblas_sgemm(CblasRowMajor, ta, tb, m32, n32, k32, 1, pa, lda32, pb, ldb32, Float(beta), pc, ldc32)
                    }
                }
            }
        } else {
            a.withMemoryRebound(to: Double.self, capacity: 1) { pa in
                b.withMemoryRebound(to: Double.self, capacity: 1) { pb in
                    c.withMemoryRebound(to: Double.self, capacity: 1) { pc in
                        cblas_dgemm(CblasRowMajor, ta, tb, m32, n32, k32, 1, pa, lda32, pb, ldb32, Double(beta), pc, ldc32)
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
