import Foundation
import Testing
@testable import PTuneCore

/// Float reductions do not drift with length: long float32 sums agree with the float64 sum of the same numbers to
/// a few ulps, along the last axis and along a leading one, and a softmax over a vocabulary-sized row sums to one.
@Suite struct SummationTests {
    /// The float64 sum of the float32 values, and the relative difference of `got` from it.
    func relativeError(_ got: Double, _ values: [Double]) -> Double {
        let exact = values.reduce(0, +)
        return Swift.abs(got - exact) / Swift.abs(exact)
    }

    @Test(arguments: [1, 7, 16, 255, 256, 257, 1000, 4099, 49_152, 1_000_003])
    func longFloat32SumsMatchFloat64(count: Int) throws {
        var g = Generator(seed: UInt64(count))
        // Positive values: the partial sums grow, which is what makes a sequential float32 sum drift.
        let x = try Tensor.rand([count], using: &g) + 0.5
        let values = x.doubles
        let err = relativeError(try x.sum().scalarValue(), values)
        #expect(err < 4e-7, "sum of \(count): relative error \(err)")
        let meanErr = Swift.abs(try x.mean().scalarValue() * Double(count) - values.reduce(0, +)) / values.reduce(0, +)
        #expect(meanErr < 4e-7, "mean of \(count): relative error \(meanErr)")
        // The same numbers as a column: the sum over a leading axis.
        let column = try x.reshaped([count, 1]).sum(axis: 0)
        #expect(relativeError(try column.scalarValue(), values) < 4e-7)
        // float64 stays exact to its own precision.
        #expect(relativeError(try x.to(.float64).sum().scalarValue(), values) < 1e-15)
    }

    @Test func leadingAxisSumsEachColumn() throws {
        var g = Generator(seed: 3)
        let x = try Tensor.rand([3, 5000, 7], using: &g)
        let s = try x.sum(axis: 1).doubles, v = x.doubles
        for o in 0..<3 {
            for j in 0..<7 {
                let lane = (0..<5000).map { v[(o * 5000 + $0) * 7 + j] }
                #expect(relativeError(s[o * 7 + j], lane) < 4e-7)
            }
        }
    }

    @Test func softmaxOverAVocabularySumsToOne() throws {
        var g = Generator(seed: 11)
        let logits = try Tensor.randn([2, 49_152], using: &g) * 4
        for row in try logits.softmax(axis: -1).sum(axis: -1).doubles {
            #expect(Swift.abs(row - 1) < 3e-7, "Σ softmax = \(row)")
        }
        let probs = try logits.softmax(axis: -1).doubles
        let exact = try logits.to(.float64).softmax(axis: -1).doubles
        // Each probability is as exact as float32 logits allow: x − max, rounded to float32, carries an absolute
        // error of up to half an ulp of |x − max| (here up to ~40), which exp turns into a relative one.
        let worst = zip(probs, exact).map { Swift.abs($0 - $1) / $1 }.max() ?? 1
        #expect(worst < 4e-6, "worst relative error of a probability \(worst)")
        // Along a leading axis too.
        let column = try logits.transposed().softmax(axis: 0).sum(axis: 0).doubles
        #expect(column.allSatisfy { Swift.abs($0 - 1) < 3e-7 })
    }
}
