import Foundation
import Testing
@testable import PTuneCore

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
        let edge = [100, -100, .nan, .infinity, -.infinity, 0, 1].map { FastMath.exp($0) }
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
}
