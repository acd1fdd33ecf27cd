import COpenBLAS

/// Matrix-vector products for one-row linear layers (a decoding step): OpenBLAS's gemv streams the matrix once,
/// where a 1-row gemm would first pack it.
extension BLAS {
    /// `y = op(A) · x + beta · y` for row-major `A` of `rows × cols`; op transposes when `transpose` is set (then
    /// `x` has `rows` elements and `y` `cols`).
    @inline(__always)
    static func gemv<T: TensorFloat>(_: T.Type, transpose: Bool, rows: Int, cols: Int, a: UnsafePointer<T>,
                                     x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>) {
        if rows == 0 || cols == 0 {
            let n = transpose ? cols : rows
            if beta == 0 { for i in 0..<n { y[i] = 0 } } else { for i in 0..<n { y[i] *= beta } }
            return
        }
        // Split the outputs over the threads: each part streams its own rows (or columns) of A once.
        let outputs = transpose ? cols : rows
        let parts = Swift.min(threads, Swift.max(1, rows * cols / parallelVector), outputs / 64)
        if parts > 1 {
            Parallel.forEach(parts, parallel: true) { p in
                let lo = outputs * p / parts, hi = outputs * (p + 1) / parts
                if transpose {
                    single(T.self, transpose: true, rows: rows, cols: hi - lo, a: a + lo, lda: cols, x: x,
                           beta: beta, y: y + lo)
                } else {
                    single(T.self, transpose: false, rows: hi - lo, cols: cols, a: a + lo * cols, lda: cols,
                           x: x, beta: beta, y: y + lo)
                }
            }
            return
        }
        single(T.self, transpose: transpose, rows: rows, cols: cols, a: a, lda: cols, x: x, beta: beta, y: y)
    }

    /// Matrix-vector products with at least this many matrix elements are split over ``threads`` threads.
    static let parallelVector = 1 << 16

    /// One OpenBLAS call on a `rows × cols` block of a matrix whose rows are `lda` apart; sizes past OpenBLAS's
    /// 32-bit integers (reachable only with raised element limits) take plain loops instead.
    @inline(__always)
    static func single<T: TensorFloat>(_: T.Type, transpose: Bool, rows: Int, cols: Int, a: UnsafePointer<T>, lda: Int,
                                       x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>) {
        guard let rows32 = Int32(exactly: rows), let cols32 = Int32(exactly: cols), let lda32 = Int32(exactly: lda) else {
            plain(transpose: transpose, rows: rows, cols: cols, a: a, lda: lda, x: x, beta: beta, y: y)
            return
        }
        let t = transpose ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            a.withMemoryRebound(to: Float.self, capacity: 1) { pa in
                x.withMemoryRebound(to: Float.self, capacity: 1) { px in
                    y.withMemoryRebound(to: Float.self, capacity: 1) { py in
                        cblas_sgemv(CblasRowMajor, t, rows32, cols32, 1, pa, lda32, px, 1, Float(beta), py, 1)
                    }
                }
            }
        } else {
            a.withMemoryRebound(to: Double.self, capacity: 1) { pa in
                x.withMemoryRebound(to: Double.self, capacity: 1) { px in
                    y.withMemoryRebound(to: Double.self, capacity: 1) { py in
                        cblas_dgemv(CblasRowMajor, t, rows32, cols32, 1, pa, lda32, px, 1, Double(beta), py, 1)
                    }
                }
            }
        }
    }

    /// `y = op(A) · x + beta · y` in plain loops (`op` transposes when `transpose`), for sizes OpenBLAS cannot take.
    static func plain<T: TensorFloat>(transpose: Bool, rows: Int, cols: Int, a: UnsafePointer<T>, lda: Int,
                                      x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>) {
        let outCount = transpose ? cols : rows
        for i in 0..<outCount { y[i] = beta == 0 ? 0 : y[i] * beta }
        for r in 0..<rows {
            let row = a + r * lda
            if transpose {
                let xr = x[r]
                for c in 0..<cols { y[c] += row[c] * xr }
            } else {
                var acc: T = 0
                for c in 0..<cols { acc += row[c] * x[c] }
                y[r] += acc
            }
        }
    }
}
