import Testing
@testable import PTuneCore

/// Finite-difference checks of every differentiable op, in float64, including broadcasting cases.
@Suite struct GradCheckTests {
    var g = Generator(seed: 7)

    mutating func r(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, dtype: .float64, using: &g) }
    /// Positive values (for log, sqrt, pow bases).
    mutating func p(_ shape: [Int]) throws -> Tensor { try Tensor.rand(shape, low: 0.5, high: 2, dtype: .float64, using: &g) }

    /// A random linear functional of the output, so every output element's gradient matters.
    func scalarize(_ t: Tensor, seed: UInt64 = 99) throws -> Tensor {
        var gen = Generator(seed: seed)
        let w = try Tensor.randn(t.shape, dtype: t.dtype, using: &gen)
        return try (t * w).sum()
    }

    func expectGrad(_ inputs: [Tensor], tol: Double = 1e-6, step: Double = 1e-6, _ f: @escaping ([Tensor]) throws -> Tensor,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let res = try GradCheck.check(inputs, step: step, tolerance: tol) { try scalarize(f($0)) }
        #expect(res.passed, "\(res)", sourceLocation: sourceLocation)
    }

    @Test mutating func binaryOpsWithBroadcasting() throws {
        let shapes: [([Int], [Int])] = [([3, 4], [3, 4]), ([3, 4], [4]), ([2, 1, 4], [3, 1]), ([], [2, 3]), ([5], [])]
        for (sa, sb) in shapes {
            let a = try r(sa), b = try r(sb), pb = try p(sb), pa = try p(sa)
            try expectGrad([a, b]) { try $0[0] + $0[1] }
            try expectGrad([a, b]) { try $0[0] - $0[1] }
            try expectGrad([a, b]) { try $0[0] * $0[1] }
            try expectGrad([a, pb]) { try $0[0] / $0[1] }
            try expectGrad([pa, b]) { try Tensor.pow($0[0], $0[1]) }
            try expectGrad([a, b]) { try Tensor.maximum($0[0], $0[1]) }
            try expectGrad([a, b]) { try Tensor.minimum($0[0], $0[1]) }
        }
    }

    @Test mutating func whereSelects() throws {
        let c = try Tensor.compare(try r([3, 4]), try Tensor.zeros([], dtype: .float64), .greater)
        let a = try r([3, 4]), b = try r([4])
        try expectGrad([a, b]) { try Tensor.where(c, $0[0], $0[1]) }
    }

    @Test mutating func unaryOps() throws {
        let x = try r([3, 5]), px = try p([3, 5])
        try expectGrad([x]) { try -$0[0] }
        try expectGrad([x]) { try $0[0].exp() }
        try expectGrad([px]) { try $0[0].log() }
        try expectGrad([px]) { try $0[0].sqrt() }
        try expectGrad([x]) { try $0[0].abs() }
        try expectGrad([x]) { try $0[0].tanh() }
        try expectGrad([x]) { try $0[0].sigmoid() }
        try expectGrad([x]) { try $0[0].relu() }
        try expectGrad([x]) { try $0[0].gelu() }
        try expectGrad([x]) { try $0[0].silu() }
        try expectGrad([x]) { try $0[0].square() }
        try expectGrad([px]) { try $0[0].pow(1.7) }
        try expectGrad([x]) { try $0[0].clamped(low: -0.5, high: 0.5) }
    }

    @Test mutating func scalarOps() throws {
        let x = try p([2, 3])
        try expectGrad([x]) { try $0[0] + 2 }
        try expectGrad([x]) { try 2 + $0[0] }
        try expectGrad([x]) { try $0[0] - 2 }
        try expectGrad([x]) { try 2 - $0[0] }
        try expectGrad([x]) { try $0[0] * 3 }
        try expectGrad([x]) { try $0[0] / 3 }
        try expectGrad([x]) { try 3 / $0[0] }
    }

    @Test mutating func shapeOps() throws {
        let x = try r([2, 3, 4])
        try expectGrad([x]) { try $0[0].reshaped([6, -1]) }
        try expectGrad([x]) { try $0[0].permuted([2, 0, 1]) }
        try expectGrad([x]) { try $0[0].transposed() }
        try expectGrad([x]) { try $0[0].transposed(0, 2) }
        try expectGrad([try r([3, 1])]) { try $0[0].broadcasted(to: [2, 3, 4]) }
        try expectGrad([x]) { try $0[0].unsqueezed(axis: 1).squeezed(axis: 1) }
        try expectGrad([x, try r([2, 2, 4]), try r([2, 1, 4])]) { try Tensor.concat($0, axis: 1) }
        try expectGrad([try r([2, 4]), try r([1, 4])]) { try Tensor.concat($0, axis: 0) }
        try expectGrad([try r([3, 2]), try r([3, 5])]) { try Tensor.concat($0, axis: -1) }
        try expectGrad([try r([2, 3]), try r([2, 3])]) { try Tensor.stack($0, axis: 1) }
        try expectGrad([x]) { try $0[0].narrowed(axis: 2, start: 1, length: 2) }
        try expectGrad([x]) { try $0[0].indexed([.at(1), .range(start: nil, end: nil, step: -1), .range(start: 1, end: 4, step: 2)]) }
    }

    @Test mutating func gatherAndPick() throws {
        let table = try r([5, 3])
        let idx = try Tensor(shape: [2, 3], scalars: [Int64(0), 4, 4, 1, 0, 2])
        try expectGrad([table]) { try $0[0].gatherRows(idx) }
        let logits = try r([4, 6])
        let labels = try Tensor(shape: [4], scalars: [Int64(5), 0, 2, 2])
        try expectGrad([logits]) { try $0[0].picking(labels) }
    }

    @Test mutating func reductions() throws {
        let x = try r([3, 4, 5])
        for axis in [nil, 0, 1, -1] as [Int?] {
            for keep in [false, true] {
                try expectGrad([x]) { try $0[0].sum(axis: axis, keepDims: keep) }
                try expectGrad([x]) { try $0[0].mean(axis: axis, keepDims: keep) }
                try expectGrad([x]) { try $0[0].max(axis: axis, keepDims: keep) }
                try expectGrad([x]) { try $0[0].min(axis: axis, keepDims: keep) }
                try expectGrad([x]) { try $0[0].variance(axis: axis, keepDims: keep) }
                try expectGrad([x]) { try $0[0].variance(axis: axis, keepDims: keep, correction: 1) }
            }
        }
        for axis in [0, 1, -1] {
            try expectGrad([x]) { try $0[0].softmax(axis: axis) }
            try expectGrad([x]) { try $0[0].logSoftmax(axis: axis) }
        }
    }

    @Test mutating func fusedNorms() throws {
        let x = try r([2, 3, 6]), w = try r([6]), b = try r([6])
        try expectGrad([x, w, b]) { try $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        try expectGrad([x]) { try $0[0].layerNorm(weight: nil, bias: nil) }
        try expectGrad([x, b]) { try $0[0].layerNorm(weight: nil, bias: $0[1]) }
        try expectGrad([x, w]) { try $0[0].rmsNorm(weight: $0[1]) }
        try expectGrad([x]) { try $0[0].rmsNorm(weight: nil) }
    }

    @Test mutating func matmuls() throws {
        try expectGrad([try r([3, 4]), try r([4, 5])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([2, 3, 4]), try r([4, 5])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([2, 3, 4]), try r([2, 4, 5])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([2, 2, 3, 4]), try r([2, 2, 4, 3])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([2, 1, 3, 4]), try r([3, 4, 2])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([3, 4]), try r([2, 4, 5])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([4]), try r([4, 5])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([3, 4]), try r([4])]) { try Tensor.matmul($0[0], $0[1]) }
        // Large enough to go through BLAS rather than the small-product loop.
        try expectGrad([try r([9, 17]), try r([17, 20])]) { try Tensor.matmul($0[0], $0[1]) }
        try expectGrad([try r([2, 9, 17]), try r([2, 17, 20])]) { try Tensor.matmul($0[0], $0[1]) }
    }

    @Test mutating func dtypeConversion() throws {
        let x = try r([2, 3])
        try expectGrad([x], tol: 1e-4, step: 1e-2) { try $0[0].to(.float32).to(.float64) }
    }
}
