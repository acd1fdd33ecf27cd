import PTuneCore

/// The quantized-weight kernels on a 4096 × 4096 matrix of each block format (section `quant`): matrix-vector
/// products with 8-bit activations at each instruction-set level (weight bytes streamed per second), 8 rows at once,
/// tiled sgemm over decoded tiles at 320 rows against sgemm on the float32 matrix, and the error of each path
/// against the float32 product with the dequantized matrix.
enum QuantBench {
    static let formats: [BlockFormat] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .f16, .bf16]

    static func run(rows: Int = 4096, columns: Int = 4096) throws -> [Table] {
        let levels = KernelLevel.available
        var speed = Table(title: "quantized matrix-vector products, \(rows) × \(columns), 8-bit activations (\(BLAS.threads) threads; weight GB/s)",
                          header: ["format", "bits/weight"] + levels.map { "1 row \($0)" } + ["8 rows, ms", "320 rows tiled GFLOPS", "f32 sgemm GFLOPS"])
        var errors = Table(title: "error against the float32 product with the dequantized matrix (relative, ‖Δ‖/‖y‖, 8 rows 𝒩(0,1))",
                           header: ["format", "8-bit activations", "tiled (float32 activations)", "input gradient (tiled)"])
        var g = Generator(seed: 7)
        let x1 = try Tensor.randn([1, columns], using: &g), x8 = try Tensor.randn([8, columns], using: &g)
        let x320 = try Tensor.randn([320, columns], using: &g), g8 = try Tensor.randn([8, rows], using: &g)
        for format in formats {
            let w = try QuantizedMatrix.random(format: format, rows: rows, columns: columns, std: 0.02, seed: 1)
            let bits = Double(w.byteCount * 8) / Double(rows * columns)
            var row = [format.description, fmt(bits, 2)]
            for level in levels {
                let t = try Clock.median(minTime: 0.3, minReps: 5) {
                    _ = try Tensor.linear(x1, quantized: w, activations: .int8, level: level)
                }
                row.append(fmt(Double(w.byteCount) / t / 1e9, 1))
            }
            let t8 = try Clock.median(minTime: 0.3, minReps: 5) { _ = try Tensor.linear(x8, quantized: w, activations: .int8) }
            row.append(fmt(t8 * 1000, 2))
            let flops = 2 * 320 * Double(rows * columns)
            let tt = try Clock.median(minTime: 0.5, minReps: 3) { _ = try Tensor.linear(x320, quantized: w, activations: .float32) }
            row.append(fmt(flops / tt / 1e9, 1))
            let dense = try w.dequantized()
            let td = try Clock.median(minTime: 0.5, minReps: 3) { _ = try Tensor.linear(x320, weight: dense, bias: nil) }
            row.append(fmt(flops / td / 1e9, 1))
            speed.add(row)

            let want = try Tensor.linear(x8.to(.float64), weight: dense.to(.float64), bias: nil).doubles
            let int8 = try Tensor.linear(x8, quantized: w, activations: .int8).doubles
            let tiled = try Tensor.linear(x8, quantized: w, activations: .float32).doubles
            let xg = try x8.requiringGradient()
            let gx = try Tensor.gradients(of: (Tensor.linear(xg, quantized: w) * g8).sum(), wrt: [xg])[0].doubles
            let gxRef = try Tensor.matmul(g8.to(.float64), dense.to(.float64)).doubles
            errors.add([format.description, sci(relative(int8, want)), sci(relative(tiled, want)), sci(relative(gx, gxRef))])
        }
        return [speed, errors]
    }

    static func relative(_ a: [Double], _ b: [Double]) -> Double {
        var num = 0.0, den = 0.0
        for (x, y) in zip(a, b) { num += (x - y) * (x - y); den += y * y }
        return (num / Swift.max(den, 1e-300)).squareRoot()
    }
}

/// A number in scientific notation with two significant decimals.
func sci(_ v: Double) -> String {
    guard v.isFinite else { return "–" }
    return String(format: "%.2e", v)
}
