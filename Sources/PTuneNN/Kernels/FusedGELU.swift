import PTuneCore

/// GELU in the exact erf form (PyTorch's default) as one op that keeps `Φ(x)` from the forward, so the backward
/// needs one `exp` per element instead of recomputing `erf`:
/// ```
/// y = x · Φ(x),  Φ(x) = ½(1 + erf(x/√2))          dy/dx = Φ(x) + x · φ(x),  φ(x) = e^(−x²/2) / √(2π)
/// ```
/// Uses ``FastMath`` (about one ulp from libm) and splits the loops across the configured threads.
enum FusedGELU {
    static func apply(_ x: Tensor) throws -> Tensor {
        switch x.dtype {
        case .float32: return try run(Float.self, x)
        case .float64: return try run(Double.self, x)
        case .int64: throw TensorError.unsupportedDType(op: "gelu", .int64)
        }
    }

    private static func run<T: TensorFloat>(_: T.Type, _ x: Tensor) throws -> Tensor {
        let n = x.count
        var output: Tensor? = nil
        // Φ and y are written in one pass; every element of both is written, so neither is zero-filled first.
        let cdfStore = try Tensor.filling(x.shape, as: T.self) { cdf in
            output = try Tensor.filling(x.shape, as: T.self) { out in
                try x.withScalars(T.self) { xs in
                    guard let po = out.baseAddress, let px = xs.baseAddress, let pc = cdf.baseAddress else { return }
                    FastMath.withErfTable { table in
                        Parallel.forChunks(n) { range in
                            var i = range.lowerBound
                            while i + 4 <= range.upperBound {
                                let v = Lanes.load(px + i)
                                let c = 0.5 * (1 + FastMath.erf(v * 0.70710678118654752440, table: table))
                                Lanes.store(c, pc + i)
                                Lanes.store(v * c, po + i)
                                i += 4
                            }
                            while i < range.upperBound {
                                let v = px[i].doubleValue
                                let c = 0.5 * (1 + FastMath.erf(v * 0.70710678118654752440, table: table))
                                pc[i] = T(fromDouble: c)
                                po[i] = T(fromDouble: v * c)
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        guard let y = output else { throw TensorError.invalidArgument(op: "gelu", "no output was produced") }
        let xd = x.detached(), cdf = cdfStore
        return Tensor.differentiable("gelu", output: y, inputs: [x]) { g, needs in
            guard needs[0] else { return [nil] }
            return [try Tensor.filling(xd.shape, as: T.self) { out in
                try g.withScalars(T.self) { gs in
                    try xd.withScalars(T.self) { xs in
                        try cdf.withScalars(T.self) { cs in
                            guard let po = out.baseAddress, let pg = gs.baseAddress, let px = xs.baseAddress,
                                  let pc = cs.baseAddress else { return }
                            Parallel.forChunks(n) { range in
                                var i = range.lowerBound
                                while i + 4 <= range.upperBound {
                                    let v = Lanes.load(px + i)
                                    let pdf = FastMath.exp(-0.5 * v * v) * 0.39894228040143267794
                                    Lanes.store(Lanes.load(pg + i) * (Lanes.load(pc + i) + v * pdf), po + i)
                                    i += 4
                                }
                                while i < range.upperBound {
                                    let v = px[i].doubleValue
                                    let pdf = FastMath.exp(-0.5 * v * v) * 0.39894228040143267794
                                    po[i] = T(fromDouble: pg[i].doubleValue * (pc[i].doubleValue + v * pdf))
                                    i += 1
                                }
                            }
                        }
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
