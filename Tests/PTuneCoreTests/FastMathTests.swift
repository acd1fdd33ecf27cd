import Foundation
import Testing
@testable import PTuneCore

/// The fast exp and erf of the kernels stay within a few ulps of libm over their whole range, scalar and SIMD, in
/// float32 and float64.
@Suite struct FastMathTests {
    /// The vectorised float32 exp stays within a few ulp of the C library's over the whole finite range.
    @Test func expMatchesLibm() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let r = FastMath.exp(x)
            let ref = Foundation.expf(x)
            worst = Swift.max(worst, Swift.abs(r - ref) / ref)
            x += 0.00917
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        let edge = ([100, -100, .nan, .infinity, -.infinity, 0, 1] as [Float]).map { FastMath.exp($0) }
        #expect(edge[0] == .infinity && edge[1] == 0 && edge[2].isNaN && edge[3] == .infinity && edge[4] == 0)
        #expect(edge[5] == 1 && Swift.abs(edge[6] - Float(M_E)) < 1e-6)
    }

    /// float32 tensor ops that take the vector path agree with float64 evaluation.
    @Test func vectorPathsAgreeWithFloat64() throws {
        var g = Generator(seed: 5)
        let x64 = try Tensor.randn([5, 37], dtype: .float64, using: &g) * 6
        let x32 = try x64.to(.float32)
        for (a, b) in [(try x32.exp(), try x64.exp()), (try x32.sigmoid(), try x64.sigmoid()), (try x32.silu(), try x64.silu()),
                       (try x32.softmax(), try x64.softmax()), (try x32.logSoftmax(), try x64.logSoftmax())] {
            for (u, v) in zip(a.doubles, b.doubles) { #expect(Swift.abs(u - v) <= 1e-5 * Swift.max(1, Swift.abs(v))) }
        }
    }

    func ulps(_ a: Double, _ b: Double) -> Double {
        a == b ? 0 : Swift.abs(a - b) / Swift.max(b.ulp, Double.leastNormalMagnitude)
    }

    @Test func erfIsWithinTwoUlpsOfLibm() {
        var worst = 0.0
        FastMath.withErfTable { table in
            var x = -7.0
            while x < 7 {
                let lanes = SIMD4(x, -x, x * 0.5, x + 1e-3)
                let v = FastMath.erf(lanes, table: table)
                for l in 0..<4 {
                    let want = Foundation.erf(lanes[l])
                    worst = Swift.max(worst, ulps(FastMath.erf(lanes[l], table: table), want), ulps(v[l], want))
                }
                x += 0.000_731
            }
        }
        #expect(worst <= 2, "worst \(worst) ulps")
        for tiny in [1e-300, 1e-20, -3e-9] { #expect(ulps(FastMath.erf(tiny), Foundation.erf(tiny)) <= 1) }
        #expect(FastMath.erf(.infinity) == 1 && FastMath.erf(-.infinity) == -1 && FastMath.erf(.nan).isNaN)
    }

    @Test func erfDerivativeIsAccurate() {
        var worst = 0.0
        FastMath.withErfTable { table in
            var x = -7.0
            while x < 7 {
                let lanes = SIMD4(x, -x * 0.3, x * 0.9, x + 0.01)
                let (v, dv) = FastMath.erfWithDerivative(lanes, table: table)
                for l in 0..<4 {
                    let (sv, sdv) = FastMath.erfWithDerivative(lanes[l], table: table)
                    let want = 1.1283791670955126 * Foundation.exp(-lanes[l] * lanes[l])
                    worst = Swift.max(worst, Swift.abs(dv[l] - want), Swift.abs(sdv - want))
                    #expect(v[l] == FastMath.erf(lanes[l], table: table) && sv == v[l])
                }
                x += 0.000_917
            }
        }
        #expect(worst < 4e-15, "worst absolute error \(worst)")
    }

    @Test func expIsWithinTwoUlpsOfLibm() {
        var worst = 0.0
        var x = -745.0
        while x < 710 {
            let lanes = SIMD4(x, x * 0.01, -x * 0.001, x * 1e-6)
            let v = FastMath.exp(lanes)
            for l in 0..<4 {
                let want = Foundation.exp(lanes[l])
                worst = Swift.max(worst, ulps(FastMath.exp(lanes[l]), want), ulps(v[l], want))
            }
            x += 0.0917
        }
        #expect(worst <= 2, "worst \(worst) ulps")
        #expect(FastMath.exp(-800.0) == 0 && FastMath.exp(800.0) == .infinity && FastMath.exp(Double.nan).isNaN)
        #expect(FastMath.exp(0.0) == 1)
    }
}
