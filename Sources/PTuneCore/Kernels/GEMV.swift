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
        let t = transpose ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            a.withMemoryRebound(to: Float.self, capacity: 1) { pa in
                x.withMemoryRebound(to: Float.self, capacity: 1) { px in
                    y.withMemoryRebound(to: Float.self, capacity: 1) { py in
                        cblas_sgemv(CblasRowMajor, t, Int32(rows), Int32(cols), 1, pa, Int32(cols), px, 1, Float(beta), py, 1)
                    }
                }
            }
        } else {
            a.withMemoryRebound(to: Double.self, capacity: 1) { pa in
                x.withMemoryRebound(to: Double.self, capacity: 1) { px in
                    y.withMemoryRebound(to: Double.self, capacity: 1) { py in
                        cblas_dgemv(CblasRowMajor, t, Int32(rows), Int32(cols), 1, pa, Int32(cols), px, 1, Double(beta), py, 1)
                    }
                }
            }
        }
    }
}
