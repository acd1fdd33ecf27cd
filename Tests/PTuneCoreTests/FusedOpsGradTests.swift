import Testing
@testable import PTuneCore

/// Finite-difference checks of the fused transformer ops (linear, rotary, attention, SwiGLU, GEGLU) in float64, plus
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

    @Test mutating func rotaryHalvesAndScaling() throws {
        let hd = 8, half = 4, positions = [0, 2, 9]
        let scalings: [RotaryScaling] = [.none, .linear(factor: 4), .factors([1, 2, 3, 4]),
                                         .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 64)]
        for scaling in scalings {
            let encoding = try RotaryEncoding(headDim: hd, base: 10_000, scaling: scaling, layout: .halves)
            let table = try RotaryTable(positions: positions, encoding: encoding)
            try expectGrad([try r([3, 2 * hd])]) { try $0[0].rotaryEmbedding(table) }
            let x = try r([3, hd]), y = try x.rotaryEmbedding(table).doubles, xs = x.doubles
            let w = encoding.frequencies
            for (row, p) in positions.enumerated() {
                for i in 0..<half {
                    let theta = Double(p) * w[i], x0 = xs[row * hd + i], x1 = xs[row * hd + i + half]
                    #expect(Swift.abs(y[row * hd + i] - (x0 * cos(theta) - x1 * sin(theta))) < 1e-12)
                    #expect(Swift.abs(y[row * hd + i + half] - (x0 * sin(theta) + x1 * cos(theta))) < 1e-12)
                }
            }
        }
        let plain = try RotaryEncoding(headDim: hd, base: 10_000).frequencies
        #expect(try RotaryEncoding(headDim: hd, base: 10_000, scaling: .linear(factor: 4)).frequencies == plain.map { $0 / 4 })
        // Llama 3: wavelengths 2π/ω of 6.3, 63, 628 and 6283 against 64/4 = 16 and 64/1 = 64: kept, smoothed,
        // divided by 8, divided by 8.
        let l3 = try RotaryEncoding(headDim: hd, base: 10_000, scaling: scalings[3]).frequencies
        #expect(l3[0] == plain[0] && l3[2] == plain[2] / 8 && l3[3] == plain[3] / 8)
        let smooth = (64 / (2 * Double.pi / plain[1]) - 1) / 3
        #expect(Swift.abs(l3[1] - ((1 - smooth) * plain[1] / 8 + smooth * plain[1])) < 1e-15)
        #expect(throws: TensorError.self) { try RotaryEncoding(headDim: hd, base: 10, scaling: .factors([1, 2])) }
        #expect(throws: TensorError.self) { try RotaryEncoding(headDim: hd, base: 10, scaling: .linear(factor: 0)) }
    }

    @Test mutating func geluTanhAndGEGLU() throws {
        try expectGrad([try r([3, 10])]) { try $0[0].geluTanh() }
        try expectGrad([try r([3, 10])]) { try $0[0].geglu() }
        try expectGrad([try r([2, 2, 6]) * 3]) { try $0[0].geglu() }
        let x = try r([4, 2 * 9]) * 3
        let y = try x.geglu().doubles, xs = x.doubles, gelu = try x.geluTanh().doubles
        for row in 0..<4 {
            for j in 0..<9 {
                let v = xs[row * 18 + j]
                let formula = 0.5 * v * (1 + Foundation.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))
                #expect(Swift.abs(gelu[row * 18 + j] - formula) < 1e-14)
                #expect(Swift.abs(y[row * 9 + j] - formula * xs[row * 18 + 9 + j]) < 1e-13)
            }
        }
        let y32 = try x.to(.float32).geglu().doubles
        for (a, b) in zip(y, y32) { #expect(Swift.abs(a - b) <= 1e-5 * Swift.max(1, Swift.abs(a))) }
        #expect(try Tensor(shape: [3], values: [-40, 0, 40], dtype: .float64).geluTanh().doubles == [-0.0, 0, 40])
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).geglu() }
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
