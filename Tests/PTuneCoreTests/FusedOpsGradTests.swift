import Testing
@testable import PTuneCore

/// Finite-difference checks of the fused transformer ops (linear, rotary, attention, SwiGLU) in float64, plus
/// checks that frozen inputs get no gradient.
@Suite struct FusedOpsGradTests {
    var g = Generator(seed: 11)

    mutating func r(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, dtype: .float64, using: &g) }

    /// A random linear functional of the output, so every output element's gradient matters.
    func scalarize(_ t: Tensor) throws -> Tensor {
        var gen = Generator(seed: 99)
        return try (t * Tensor.randn(t.shape, dtype: t.dtype, using: &gen)).sum()
    }

    func expectGrad(_ inputs: [Tensor], _ f: @escaping ([Tensor]) throws -> Tensor,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let res = try GradCheck.check(inputs, step: 1e-6, tolerance: 1e-6) { try scalarize(f($0)) }
        #expect(res.passed, "\(res)", sourceLocation: sourceLocation)
    }

    @Test mutating func linearOneRowAndBLASSizes() throws {
        let x = try r([2, 3, 5]), w = try r([4, 5]), b = try r([4])
        try expectGrad([x, w, b]) { try Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        try expectGrad([x, w]) { try Tensor.linear($0[0], weight: $0[1], bias: nil) }
        // Large enough for BLAS, and one row (matrix-vector products).
        try expectGrad([try r([7, 19]), try r([23, 19])]) { try Tensor.linear($0[0], weight: $0[1], bias: nil) }
        try expectGrad([try r([1, 19]), try r([23, 19]), try r([23])]) { try Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        try expectGrad([try r([19]), try r([23, 19])]) { try Tensor.linear($0[0], weight: $0[1], bias: nil) }
        // Same values as matmul with the transposed weight.
        let y = try Tensor.linear(x, weight: w, bias: b), ref = try Tensor.matmul(x, w.transposed()) + b
        #expect(zip(y.doubles, ref.doubles).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    }

    @Test mutating func linearThroughFrozenWeightComputesInputGradientOnly() throws {
        let x = try r([3, 5]).requiringGradient(), w = try r([4, 5])
        let loss = try scalarize(Tensor.linear(x, weight: w, bias: nil))
        var report = BackwardReport()
        _ = try Tensor.gradients(of: loss, wrt: [x], report: &report)
        #expect(report.gradientKernels == 3, "sum, mul, then linear's input side only: the frozen weight's is never computed")
    }

    @Test mutating func linearThroughFrozenWeightHoldsNoActivation() throws {
        let x = try Tensor.randn([64, 64], using: &g).requiringGradient(), w = try Tensor.randn([32, 64], using: &g)
        let budget = MemoryBudget(maxElements: 1 << 30, maxBytes: 1 << 40)
        let y = try TensorContext.withBudget(budget) { try Tensor.linear(x * 2, weight: w, bias: nil) }
        #expect(budget.liveBytes == y.byteCount, "the temporary x * 2 is freed: the frozen weight needs no saved input")
        let gx = try Tensor.gradients(of: y.sum(), wrt: [x])[0]
        let ref = try Tensor.matmul(Tensor.ones([64, 32]), w) * 2
        #expect(zip(gx.doubles, ref.doubles).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
    }

    @Test mutating func rotary() throws {
        let table = try RotaryTable(positions: [0, 3, 7, 12], headDim: 4, base: 10_000)
        try expectGrad([try r([4, 12])]) { try $0[0].rotaryEmbedding(table) }
        try expectGrad([try r([2, 2, 12])]) { try $0[0].rotaryEmbedding(table, heads: 2) }
    }

    @Test mutating func rotaryMatchesAdjacentPairFormula() throws {
        let hd = 8, base = 100_000.0, positions = [0, 1, 5, 40]
        let table = try RotaryTable(positions: positions, headDim: hd, base: base)
        let x = try r([4, 3 * hd])
        let y = try x.rotaryEmbedding(table, heads: 2).doubles, xs = x.doubles
        for (row, p) in positions.enumerated() {
            for c in 0..<(3 * hd) {
                let h = c / hd, j = c % hd, i = j / 2
                let expected: Double
                if h >= 2 {
                    expected = xs[row * 3 * hd + c]
                } else {
                    let theta = Double(p) * pow(base, -Double(2 * i) / Double(hd))
                    let x0 = xs[row * 3 * hd + h * hd + 2 * i], x1 = xs[row * 3 * hd + h * hd + 2 * i + 1]
                    expected = j % 2 == 0 ? x0 * cos(theta) - x1 * sin(theta) : x0 * sin(theta) + x1 * cos(theta)
                }
                #expect(Swift.abs(y[row * 3 * hd + c] - expected) < 1e-12)
            }
        }
    }

    @Test func rotaryRejectsBadInput() throws {
        #expect(throws: TensorError.self) { try RotaryTable(positions: [0], headDim: 3, base: 10) }
        #expect(throws: TensorError.self) { try RotaryTable(positions: [-1], headDim: 4, base: 10) }
        let t = try RotaryTable(positions: [0, 1], headDim: 4, base: 10)
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 8]).rotaryEmbedding(t) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 8]).rotaryEmbedding(t, heads: 3) }
    }

    @Test mutating func swiglu() throws {
        try expectGrad([try r([3, 10])]) { try $0[0].swiglu() }
        try expectGrad([try r([2, 2, 4])]) { try $0[0].swiglu() }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).swiglu() }
    }

    @Test mutating func swigluFloat32MatchesFloat64() throws {
        let x = try r([5, 2 * 37]) * 4
        let y64 = try x.swiglu().doubles, y32 = try x.to(.float32).swiglu().doubles
        for (a, b) in zip(y64, y32) { #expect(Swift.abs(a - b) <= 1e-5 * Swift.max(1, Swift.abs(a))) }
        let x32 = try x.to(.float32).requiringGradient(), x64 = try x.requiringGradient()
        let g32 = try Tensor.gradients(of: try x32.swiglu().sum(), wrt: [x32])[0].doubles
        let g64 = try Tensor.gradients(of: try x64.swiglu().sum(), wrt: [x64])[0].doubles
        for (a, b) in zip(g64, g32) { #expect(Swift.abs(a - b) <= 1e-5 * Swift.max(1, Swift.abs(a))) }
    }

    @Test func fastExpIsAccurate() throws {
        var worst = 0.0
        for i in stride(from: -87.0, through: 88.0, by: 0.37) {
            let xs = SIMD8<Float>((0..<8).map { Float(i + Double($0) * 0.041) })
            let e = FastMath.exp(xs)
            for l in 0..<8 {
                let ref = Foundation.exp(Double(xs[l]))
                worst = Swift.max(worst, Swift.abs(Double(e[l]) - ref) / ref)
            }
        }
        #expect(worst < 5e-7, "worst relative error \(worst)")
        let edge = FastMath.exp(SIMD8<Float>(-200, -90, 0, 1, 89, 200, .infinity, -.infinity))
        #expect(edge[0] == 0 && edge[1] == 0 && edge[2] == 1 && edge[4] == .infinity && edge[5] == .infinity)
        #expect(edge[6] == .infinity && edge[7] == 0)
    }
}

import Foundation
