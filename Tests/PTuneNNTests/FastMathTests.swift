import Foundation
import Testing
@testable import PTuneNN

/// The fast erf/exp of the fused kernels stay within a few ulps of libm over their whole range, scalar and SIMD.
@Suite struct FastMathTests {
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
        #expect(FastMath.exp(-800) == 0 && FastMath.exp(800) == .infinity && FastMath.exp(.nan).isNaN)
        #expect(FastMath.exp(0) == 1)
    }
}
