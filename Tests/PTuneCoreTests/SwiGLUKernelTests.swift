import Testing
@testable import PTuneCore

/// The float32 SwiGLU kernel (C, one variant per instruction-set level) against the composed path: FastMath's
/// sigmoid on lanes, `g · σ(g) · u` and its gradient written out, bit for bit at every level, tails and extreme
/// gates included.
@Suite struct SwiGLUKernelTests {
    /// Rows `[g | u]` of 2·`f` floats: normal draws scaled by 6, with a few gates far outside exp's range.
    func rows(_ n: Int, _ f: Int) throws -> [Float] {
        var g = Generator(seed: 21)
        var x = try Tensor.randn([n, 2 * f], using: &g).doubles.map { Float($0 * 6) }
        for (i, v) in [-120, 95, -88, 89, 0].enumerated() where i < f { x[i] = Float(v) }
        return x
    }

    /// The composed forward and backward of one element, as FastMath computes σ on lanes.
    func composed(_ g: Float, _ u: Float, _ d: Float) -> (y: Float, dg: Float, du: Float) {
        let s = FastMath.sigmoid(SIMD8<Float>(repeating: g))[0]
        return (g * s * u, d * u * s * (1 + g * (1 - s)), d * g * s)
    }

    @Test(arguments: [1, 8, 16, 37, 1536])
    func everyLevelEqualsTheComposedPath(f: Int) throws {
        let n = 3, x = try rows(n, f)
        var gen = Generator(seed: 4)
        let dy = try Tensor.randn([n, f], using: &gen).doubles.map { Float($0) }
        for level in KernelLevel.available {
            var y = [Float](repeating: .nan, count: n * f), dx = [Float](repeating: .nan, count: n * 2 * f)
            var xs = x, ds = dy
            xs.withUnsafeMutableBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    SwiGLUKernel.forward(rows: 0..<n, px.baseAddress!, py.baseAddress!, f, level: level)
                }
                ds.withUnsafeMutableBufferPointer { pd in
                    dx.withUnsafeMutableBufferPointer { po in
                        SwiGLUKernel.backward(rows: 0..<n, px.baseAddress!, pd.baseAddress!, po.baseAddress!, f, level: level)
                    }
                }
            }
            for r in 0..<n {
                for j in 0..<f {
                    let want = composed(x[r * 2 * f + j], x[r * 2 * f + f + j], dy[r * f + j])
                    let place = "\(level) row \(r) column \(j)"
                    #expect(y[r * f + j].bitPattern == want.y.bitPattern, "y at \(place)")
                    #expect(dx[r * 2 * f + j].bitPattern == want.dg.bitPattern, "dg at \(place)")
                    #expect(dx[r * 2 * f + f + j].bitPattern == want.du.bitPattern, "du at \(place)")
                }
            }
        }
    }
}
