/// GELU in the exact erf form (PyTorch's default), whose forward also writes the derivative so that the backward is
/// one multiply per element:
/// ```
/// y = x · Φ(x),  Φ(x) = ½(1 + erf(x/√2))          D = dy/dx = Φ(x) + x · φ(x),  φ(x) = erf′(x/√2) / (2√2)
/// ```
/// erf and erf′ come from one polynomial evaluation (``FastMath/erfWithDerivative(_:table:)``, about one ulp and
/// 1e-15 absolute), four lanes at a time in float64 for both dtypes; the loops split across the threads.
enum GELUKernel {
    /// `y[i] = gelu(x[i])` for `i < count`, and `derivative[i] = gelu′(x[i])` when a derivative buffer is given
    /// (a forward that no backward will follow skips it).
    static func forward<T: TensorFloat>(_ x: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                        derivative: UnsafeMutablePointer<T>?, count: Int) {
        FastMath.withErfTable { table in
            Parallel.forChunks(count) { range in
                var i = range.lowerBound
                if let derivative {
                    while i + 4 <= range.upperBound {
                        let v = FastMath.lanes(x + i)
                        let (e, de) = FastMath.erfWithDerivative(v * 0.70710678118654752440, table: table)
                        let c = 0.5 * (1 + e)
                        FastMath.store(c + v * de * 0.35355339059327376220, derivative + i)
                        FastMath.store(v * c, y + i)
                        i += 4
                    }
                    while i < range.upperBound {
                        let v = x[i].doubleValue
                        let (e, de) = FastMath.erfWithDerivative(v * 0.70710678118654752440, table: table)
                        let c = 0.5 * (1 + e)
                        derivative[i] = T(fromDouble: c + v * de * 0.35355339059327376220)
                        y[i] = T(fromDouble: v * c)
                        i += 1
                    }
                } else {
                    while i + 4 <= range.upperBound {
                        let v = FastMath.lanes(x + i)
                        FastMath.store(v * 0.5 * (1 + FastMath.erf(v * 0.70710678118654752440, table: table)), y + i)
                        i += 4
                    }
                    while i < range.upperBound {
                        let v = x[i].doubleValue
                        y[i] = T(fromDouble: v * 0.5 * (1 + FastMath.erf(v * 0.70710678118654752440, table: table)))
                        i += 1
                    }
                }
            }
        }
    }

    /// `dx[i] = g[i] · derivative[i]`.
    static func backward<T: TensorFloat>(_ g: UnsafePointer<T>, derivative: UnsafePointer<T>,
                                         dx: UnsafeMutablePointer<T>, count: Int) {
        Parallel.forChunks(count) { range in for i in range { dx[i] = g[i] * derivative[i] } }
    }
}
