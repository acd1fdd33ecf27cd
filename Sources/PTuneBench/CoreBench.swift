import COpenBLAS
import PTuneCore

/// The tensor core's benchmarks: matmul throughput against OpenBLAS called directly, per-op overhead on tiny
/// tensors, and elementwise throughput on a million elements.
enum CoreBench {
    /// matmul GFLOPS through `Tensor.matmul` beside `cblas_?gemm` on the same operands, for square sizes.
    static func matmul(sizes: [Int]) throws -> Table {
        var table = Table(title: "matmul (square n×n, \(BLAS.threads) threads): ptune vs OpenBLAS called directly",
                          header: ["n", "dtype", "ptune GFLOPS", "OpenBLAS GFLOPS", "ptune / OpenBLAS"])
        var g = Generator(seed: 1)
        for n in sizes {
            for dtype in [DType.float32, .float64] {
                let a = try Tensor.randn([n, n], dtype: dtype, using: &g), b = try Tensor.randn([n, n], dtype: dtype, using: &g)
                let flops = 2 * Double(n) * Double(n) * Double(n)
                let minTime = n >= 512 ? 0.6 : 0.3
                let tp = try Clock.median(minTime: minTime) { _ = try Tensor.matmul(a, b) }
                var c = try Tensor.zeros([n, n], dtype: dtype)
                let td: Double = try BLAS.withOpenBLASThreading {
                    if dtype == .float32 {
                        let pa = try a.scalars(as: Float.self), pb = try b.scalars(as: Float.self)
                        return try c.withMutableScalars(Float.self) { pc in
                            Clock.median(minTime: minTime) {
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, pa, Int32(n),
                                            pb, Int32(n), 0, pc.baseAddress, Int32(n))
                            }
                        }
                    } else {
                        let pa = try a.scalars(as: Double.self), pb = try b.scalars(as: Double.self)
                        return try c.withMutableScalars(Double.self) { pc in
                            Clock.median(minTime: minTime) {
                                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, pa, Int32(n),
                                            pb, Int32(n), 0, pc.baseAddress, Int32(n))
                            }
                        }
                    }
                }
                table.add(["\(n)", "\(dtype)", fmt(flops / tp / 1e9), fmt(flops / td / 1e9), fmt(td / tp * 100, 0) + "%"])
            }
        }
        return table
    }

    /// The seed toy's state: frozen W, V0, x, T and trainable P (float64).
    struct Toy {
        let w: Tensor, v0: Tensor, x: Tensor, t: Tensor
        var p: Tensor

        init() throws {
            var g = Generator(seed: 0)
            w = try Tensor.randn([4, 3], dtype: .float64, using: &g)
            v0 = try Tensor.randn([2, 4], dtype: .float64, using: &g)
            p = try Tensor.randn([2, 4], dtype: .float64, using: &g).requiringGradient(name: "P")
            x = try Tensor.randn([1, 4], dtype: .float64, using: &g)
            t = try Tensor.randn([1, 3], dtype: .float64, using: &g)
        }

        /// One forward + backward + SGD(lr 0.01) step; returns the loss.
        @discardableResult
        mutating func step() throws -> Tensor {
            let z = try Tensor.concat([v0 * p, x], axis: 0)
            let loss = try (Tensor.matmul(z, w) - t).square().mean()
            let grad = try Tensor.gradients(of: loss, wrt: [p])[0]
            try p.addInPlace(grad, scaledBy: -0.01)
            return loss
        }
    }

    /// Per-operation cost on 4×4 tensors and the seed toy's whole training step.
    static func overhead() throws -> Table {
        var table = Table(title: "tiny tensors (float64): per-call cost", header: ["operation", "ns per call", "calls/s"])
        var g = Generator(seed: 2)
        let a = try Tensor.randn([4, 4], dtype: .float64, using: &g), b = try Tensor.randn([4, 4], dtype: .float64, using: &g)
        let add = try Clock.rate(batch: 10_000) { _ = try a + b }
        table.add(["add 4×4", fmt(1e9 / add, 0), grouped(add)])
        let mm = try Clock.rate(batch: 10_000) { _ = try Tensor.matmul(a, b) }
        table.add(["matmul 4×4", fmt(1e9 / mm, 0), grouped(mm)])
        let p = try a.requiringGradient()
        let fb = try Clock.rate(batch: 5_000) { _ = try Tensor.gradients(of: try Tensor.matmul(p, b).sum(), wrt: [p]) }
        table.add(["matmul+sum forward+backward 4×4", fmt(1e9 / fb, 0), grouped(fb)])
        var toy = try Toy()
        let steps = try Clock.rate(minTime: 0.5, batch: 10_000) { try toy.step() }
        table.add(["seed toy step (fwd+bwd+SGD)", fmt(1e9 / steps, 0), grouped(steps)])
        return table
    }

    /// Elementwise throughput on 1M float32 elements.
    static func elementwise() throws -> Table {
        var table = Table(title: "elementwise, 1M float32 elements", header: ["operation", "ms", "M elements/s"])
        var g = Generator(seed: 3)
        let n = 1_000_000
        let a = try Tensor.randn([n], using: &g), b = try Tensor.randn([n], using: &g)
        let cases: [(String, () throws -> Tensor)] = [
            ("a + b", { try a + b }), ("a * b", { try a * b }), ("a * 2", { try a * 2 }),
            ("exp(a)", { try a.exp() }), ("gelu(a)", { try a.gelu() }), ("sum(a)", { try a.sum() }),
        ]
        for (name, f) in cases {
            let t = try Clock.median { _ = try f() }
            table.add([name, fmt(t * 1e3, 2), fmt(Double(n) / t / 1e6, 0)])
        }
        return table
    }
}
