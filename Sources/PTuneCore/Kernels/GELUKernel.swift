/// GELU in the exact erf form (PyTorch's default) and in the tanh approximation (PyTorch's `approximate="tanh"`,
/// Gemma's and GPT-2's `gelu_pytorch_tanh` / `gelu_new`), whose forwards also write the derivative so that the
/// backward is one multiply per element:
/// ```
/// erf:   y = x · Φ(x),  Φ(x) = ½(1 + erf(x/√2))          D = Φ(x) + x · φ(x),  φ(x) = erf′(x/√2) / (2√2)
/// tanh:  y = ½x(1 + t),  t = tanh(√(2/π)(x + 0.044715x³))   D = ½(1 + t) + ½x(1 − t²)√(2/π)(1 + 3·0.044715x²)
/// ```
/// erf and erf′ come from one polynomial evaluation (``FastMath/erfWithDerivative(_:table:)``, about one ulp and
/// 1e-15 absolute), tanh from ``FastMath``'s eˣ (`t = 1 − 2/(e²ᶻ + 1)`), four lanes at a time in float64 for both
/// dtypes; the loops split across the threads.
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

    static let tanhScale = 0.79788456080286535588, tanhCubic = 0.044715

    /// The tanh form of GELU and its derivative on four float64 lanes.
    @inline(__always)
    static func tanhForm(_ x: SIMD4<Double>) -> (value: SIMD4<Double>, derivative: SIMD4<Double>) {
        typealias V = SIMD4<Double>
        let one = V(repeating: 1), x2: V = x * x
        let inner: V = x + V(repeating: tanhCubic) * x2 * x
        let z: V = V(repeating: tanhScale) * inner
        let e: V = FastMath.exp(z + z)
        let t: V = one - V(repeating: 2) / (e + one)
        let half: V = V(repeating: 0.5) * (one + t)
        let slope: V = V(repeating: tanhScale) * (one + V(repeating: 3 * tanhCubic) * x2)
        let derivative: V = half + V(repeating: 0.5) * x * (one - t * t) * slope
        return (x * half, derivative)
    }

    /// The tanh form of GELU and its derivative of one value.
    @inline(__always)
    static func tanhForm(_ x: Double) -> (value: Double, derivative: Double) {
        let (v, d) = tanhForm(SIMD4<Double>(repeating: x))
        return (v[0], d[0])
    }

    /// `y[i] = gelu_tanh(x[i])` for `i < count`, and `derivative[i] = gelu_tanh′(x[i])` when a buffer is given.
    static func tanhForward<T: TensorFloat>(_ x: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                            derivative: UnsafeMutablePointer<T>?, count: Int) {
        Parallel.forChunks(count) { range in
            var i = range.lowerBound
            while i + 4 <= range.upperBound {
                let (v, d) = tanhForm(FastMath.lanes(x + i))
                FastMath.store(v, y + i)
                if let derivative { FastMath.store(d, derivative + i) }
                i += 4
            }
            while i < range.upperBound {
                let (v, d) = tanhForm(x[i].doubleValue)
                y[i] = T(fromDouble: v)
                derivative?[i] = T(fromDouble: d)
                i += 1
            }
        }
    }
}
