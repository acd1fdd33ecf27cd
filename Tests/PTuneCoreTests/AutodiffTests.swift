import Testing
@testable import PTuneCore

@Suite struct AutodiffTests {
    /// The seed toy: only P is trainable; W, V0, x, T are frozen.
    func toy() throws -> (w: Tensor, v0: Tensor, p: Tensor, x: Tensor, t: Tensor) {
        var g = Generator(seed: 0)
        let w = try Tensor.randn([4, 3], dtype: .float64, using: &g)
        let v0 = try Tensor.randn([2, 4], dtype: .float64, using: &g)
        let p = try Tensor.randn([2, 4], dtype: .float64, using: &g).requiringGradient(name: "P")
        let x = try Tensor.randn([1, 4], dtype: .float64, using: &g)
        let t = try Tensor.randn([1, 3], dtype: .float64, using: &g)
        return (w, v0, p, x, t)
    }

    func toyLoss(_ m: (w: Tensor, v0: Tensor, p: Tensor, x: Tensor, t: Tensor)) throws -> Tensor {
        let z = try Tensor.concat([m.v0 * m.p, m.x], axis: 0)
        let y = try Tensor.matmul(z, m.w)
        return try (y - m.t).square().mean()
    }

    @Test func frozenInputsGetNoGradientComputed() throws {
        let m = try toy()
        let loss = try toyLoss(m)
        let report = try loss.backward(recordingNames: true)
        // mean; square; sub (only the Y side); matmul (only the Z side); concat (only V0⊙P); mul (only P).
        #expect(report.operationNames == ["mean", "square", "sub", "matmul", "concat", "mul"])
        #expect(report.gradientKernels == 6, "one input gradient per op: frozen W, T, x, V0 get none")
        #expect(m.p.node?.grad?.shape == [2, 4])
        // The hand-derived gradient of the numpy baseline: dP = (2(Y − T)/9 · Wᵀ)[:2] ⊙ V0.
        let y = try Tensor.matmul(Tensor.concat([m.v0 * m.p.detached(), m.x]), m.w)
        let dz = try Tensor.matmul((y - m.t) * (2.0 / 9.0), m.w.transposed())
        let expected = try dz.narrowed(axis: 0, start: 0, length: 2) * m.v0
        let got = try #require(m.p.node?.grad)
        for (a, b) in zip(got.doubles, expected.doubles) { #expect(Swift.abs(a - b) < 1e-14) }
    }

    @Test func backwardAccumulatesAndGradientsTouchNothing() throws {
        let m = try toy()
        try toyLoss(m).backward()
        let once = try #require(m.p.node?.grad).doubles
        try toyLoss(m).backward()
        let twice = try #require(m.p.node?.grad).doubles
        for (a, b) in zip(once, twice) { #expect(Swift.abs(2 * a - b) < 1e-14) }
        let g = try Tensor.gradients(of: try toyLoss(m), wrt: [m.p])
        #expect(try #require(m.p.node?.grad).doubles == twice, "gradients(of:wrt:) must not accumulate into leaves")
        for (a, b) in zip(g[0].doubles, once) { #expect(Swift.abs(a - b) < 1e-14) }
    }

    @Test func noGradScopeRecordsNothing() throws {
        let m = try toy()
        let loss = try Tensor.withoutRecording { try toyLoss(m) }
        #expect(loss.node == nil)
        #expect(throws: TensorError.self) { try loss.backward() }
        #expect(try toyLoss(m).node != nil)
    }

    @Test func onlyPathsToRequestedTensorsAreWalked() throws {
        var g = Generator(seed: 1)
        let a = try Tensor.randn([3, 3], dtype: .float64, using: &g).requiringGradient()
        let b = try Tensor.randn([3, 3], dtype: .float64, using: &g).requiringGradient()
        let loss = try (Tensor.matmul(a, b)).sum()
        var report = BackwardReport()
        _ = try Tensor.gradients(of: loss, wrt: [a], report: &report)
        #expect(report.gradientKernels == 2, "sum → matmul's A side only; B's gradient is never computed")
    }

    @Test func unrelatedTensorGetsZeros() throws {
        var g = Generator(seed: 2)
        let a = try Tensor.randn([2], dtype: .float64, using: &g).requiringGradient()
        let b = try Tensor.randn([3], dtype: .float64, using: &g).requiringGradient()
        let grads = try Tensor.gradients(of: try a.sum(), wrt: [a, b])
        #expect(grads[0].doubles == [1, 1])
        #expect(grads[1].doubles == [0, 0, 0])
    }

    @Test func nonScalarLossIsAnError() throws {
        var g = Generator(seed: 3)
        let a = try Tensor.randn([2], dtype: .float64, using: &g).requiringGradient()
        #expect(throws: TensorError.notScalar([2])) { try (a * 2).backward() }
        #expect(throws: TensorError.self) { try Tensor.gradients(of: a.sum(), wrt: [a.detached()]) }
    }

    @Test func inPlaceUpdateKeepsLeafIdentityAndSavedValues() throws {
        var g = Generator(seed: 4)
        var p = try Tensor.randn([3], dtype: .float64, using: &g).requiringGradient()
        let before = p.doubles
        let loss = try (p * p).sum()
        try p.addInPlace(try Tensor.ones([3], dtype: .float64), scaledBy: -0.5)
        // The graph saved the old values (copy-on-write), so the gradient is 2·p_old.
        let grad = try Tensor.gradients(of: loss, wrt: [p])[0]
        for (gv, b) in zip(grad.doubles, before) { #expect(Swift.abs(gv - 2 * b) < 1e-15) }
        for (a, b) in zip(p.doubles, before) { #expect(a == b - 0.5) }
    }
}

/// Gradient checkpointing gives the same values and gradients as the plain computation, and nothing when no
/// gradient is needed.
@Suite("checkpointed")
struct CheckpointedTests {
    static func f(_ x: Tensor) throws -> Tensor { try (x.tanh() * x).exp().sum(axis: 1) }

    @Test func sameValueAndGradientAsThePlainComputation() throws {
        var g = Generator(seed: 11)
        let x = try Tensor.randn([3, 4], dtype: .float64, using: &g).requiringGradient()
        let w = try Tensor.randn([3], dtype: .float64, using: &g)
        let plain = try CheckpointedTests.f(x)
        let checked = try Tensor.checkpointed(x) { try CheckpointedTests.f($0) }
        #expect(plain.doubles == checked.doubles)
        let gp = try Tensor.gradients(of: (plain * w).sum(), wrt: [x])[0]
        let gc = try Tensor.gradients(of: (checked * w).sum(), wrt: [x])[0]
        let worst = zip(gp.doubles, gc.doubles).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-12, "max |Δ| \(worst)")
        let quiet = try Tensor.withoutRecording { try Tensor.checkpointed(x) { try CheckpointedTests.f($0) } }
        #expect(!quiet.requiresGrad && quiet.doubles == plain.doubles)
    }
}
