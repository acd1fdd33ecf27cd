import PTuneCore

/// GELU in the exact erf form (PyTorch's default) as one op whose forward also computes the derivative, so the
/// backward is one multiply per element:
/// ```
/// y = x · Φ(x),  Φ(x) = ½(1 + erf(x/√2))          D = dy/dx = Φ(x) + x · φ(x),  φ(x) = erf′(x/√2) / (2√2)
/// ```
/// ``FastMath`` gives erf and erf′ from one polynomial evaluation (about one ulp and 1e-15 absolute); the loops split
/// across the configured threads.
enum FusedGELU {
    static func apply(_ x: Tensor) throws -> Tensor {
        switch x.dtype {
        case .float32: return try run(Float.self, x)
        case .float64: return try run(Double.self, x)
        case .int64: throw TensorError.unsupportedDType(op: .gelu, .int64)
        }
    }

    private static func run<T: TensorFloat>(_: T.Type, _ x: Tensor) throws -> Tensor {
        let n = x.count
        var output: Tensor? = nil
        // y and D are written in one pass; every element of both is written, so neither is zero-filled first.
        let derivativeStore = try Tensor.filling(x.shape, as: T.self) { cdf in
            output = try Tensor.filling(x.shape, as: T.self) { out in
                try x.withScalars(T.self) { xs in
                    guard let po = out.baseAddress, let px = xs.baseAddress, let pc = cdf.baseAddress else { return }
                    FastMath.withErfTable { table in
                        Parallel.forChunks(n) { range in
                            var i = range.lowerBound
                            while i + 4 <= range.upperBound {
                                let v = Lanes.load(px + i)
                                let (e, de) = FastMath.erfWithDerivative(v * 0.70710678118654752440, table: table)
                                let c = 0.5 * (1 + e)
                                Lanes.store(c + v * de * 0.35355339059327376220, pc + i)
                                Lanes.store(v * c, po + i)
                                i += 4
                            }
                            while i < range.upperBound {
                                let v = px[i].doubleValue
                                let (e, de) = FastMath.erfWithDerivative(v * 0.70710678118654752440, table: table)
                                let c = 0.5 * (1 + e)
                                pc[i] = T(fromDouble: c + v * de * 0.35355339059327376220)
                                po[i] = T(fromDouble: v * c)
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        guard let y = output else { throw TensorError.invalidArgument(op: .gelu, "no output was produced") }
        let derivative = derivativeStore
        return Tensor.differentiable("gelu", output: y, inputs: [x]) { g, needs in
            guard needs[0] else { return [nil] }
            return [try Tensor.filling(derivative.shape, as: T.self) { out in
                try g.withScalars(T.self) { gs in
                    try derivative.withScalars(T.self) { ds in
                        guard let po = out.baseAddress, let pg = gs.baseAddress, let pd = ds.baseAddress else { return }
                        Parallel.forChunks(n) { range in for i in range { po[i] = pg[i] * pd[i] } }
                    }
                }
            }]
        }
    }
}

/// Four consecutive elements as double lanes.
enum Lanes {
    @inline(__always) static func load<T: TensorFloat>(_ p: UnsafePointer<T>) -> SIMD4<Double> {
        SIMD4(p[0].doubleValue, p[1].doubleValue, p[2].doubleValue, p[3].doubleValue)
    }
    @inline(__always) static func load<T: TensorFloat>(_ p: UnsafeMutablePointer<T>) -> SIMD4<Double> {
        load(UnsafePointer(p))
    }
    @inline(__always) static func store<T: TensorFloat>(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<T>) {
        p[0] = T(fromDouble: v[0]); p[1] = T(fromDouble: v[1]); p[2] = T(fromDouble: v[2]); p[3] = T(fromDouble: v[3])
    }
}
