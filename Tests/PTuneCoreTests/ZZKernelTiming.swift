import Foundation
import Testing
@testable import PTuneCore

@Suite struct ZZKernelTiming {
    static func cpu() -> Double { var ts = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }
    @Test func timing() throws {
        guard ProcessInfo.processInfo.environment["PTUNE_KTIME"] != nil else { return }
        BLAS.setThreads(1)
        var g = Generator(seed: 1)
        let rows = 4096, cols = 4096
        for f in [BlockFormat.q4_0, .q4_1, .q8_0, .q4_K, .q6_K, .f16] {
            let w = try QuantizedMatrix.random(format: f, rows: rows, columns: cols, std: 0.02, seed: 1)
            var line = "\(f):"
            for m in [1, 4, 8] {
                let x = try Tensor.randn([m, cols], using: &g)
                for act in [ActivationPrecision.float32, .int8] { let level = KernelLevel.detected;
                    _ = try Tensor.linear(x, quantized: w, activations: act, level: level)
                    var best = 1e9
                    for _ in 0..<5 { let t0 = Self.cpu(); _ = try Tensor.linear(x, quantized: w, activations: act, level: level); best = min(best, Self.cpu() - t0) }
                    line += " m\(m) \(act) \(String(format: "%.2f", best * 1e3))ms (\(String(format: "%.2f", best * 1e9 / Double(rows * cols / 32 * m))) ns/unit)"
                }
            }
            print(line)
        }
        BLAS.setThreads(2)
    }
}
