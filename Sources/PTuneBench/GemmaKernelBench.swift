import CPTuneKernels
import PTuneCore

/// The products of Gemma-3-270M's layers by the float-activation matrix-vector kernels at the AVX-512 level, one
/// thread, in the shapes and block formats of its `Q4_K_M` GGUF (Q5_0 for the 640-column products, Q4_K and Q6_K
/// for the attention output and the feed-forward down projection): the 256-bit kernels, the path every format but
/// Q4_0, Q4_1 and Q8_0 took before it had 512-bit ones (`ptk_matvec_float256`), against `ptk_matvec`, interleaved
/// round by round in this process (section `llm-kernels`). The weights are random bytes with realistic scales: the
/// kernels' speed does not depend on the values.
enum GemmaKernelBench {
    /// One product of Gemma's layers: what it is, its block format and shape (output rows × input columns).
    struct Product { let name: String; let format: ptk_format; let rows: Int; let columns: Int }

    static let products = [
        Product(name: "q", format: PTK_Q5_0, rows: 1024, columns: 640),
        Product(name: "gate, up", format: PTK_Q5_0, rows: 2048, columns: 640),
        Product(name: "attention output", format: PTK_Q4_K, rows: 640, columns: 1024),
        Product(name: "down (9 layers)", format: PTK_Q4_K, rows: 640, columns: 2048),
        Product(name: "down (9 layers)", format: PTK_Q6_K, rows: 640, columns: 2048),
    ]

    /// Random blocks of `format` for `rows × columns` with every scale half set to 2⁻⁷ (finite, as in a real file).
    static func blocks(_ format: ptk_format, rows: Int, columns: Int, using g: inout Generator) -> [UInt8] {
        let per = ptk_block_elements(Int32(format.rawValue)), size = ptk_block_bytes(Int32(format.rawValue))
        let count = rows * columns / per
        var bytes = (0..<(count * size)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        let halves: [Int]
        switch format {
        case PTK_Q6_K: halves = [208]
        case PTK_Q4_K, PTK_Q5_K, PTK_Q4_1, PTK_Q5_1: halves = [0, 2]
        default: halves = [0]
        }
        for b in 0..<count { for o in halves { bytes[b * size + o] = 0x00; bytes[b * size + o + 1] = 0x20 } }
        return bytes
    }

    /// The table: µs per call of each kernel path and their ratio, 1, 2, 4 and 8 activation rows.
    static func table(rounds: Int = 30) throws -> Table {
        let level = Int32(KernelLevel.detected.rawValue)
        var table = Table(title: "Gemma-3-270M's quantized products at \(KernelLevel.detected), float32 activations, one thread, µs per call (fastest of \(rounds) interleaved rounds)",
                          header: ["weight", "rows", "256-bit kernels", "512-bit kernels", "256-bit ÷ 512-bit"])
        guard KernelLevel.detected >= .avx512VNNI else {
            print("\nllm-kernels: this CPU has no AVX-512 VNNI: the Gemma table compares nothing")
            return table
        }
        var g = Generator(seed: 11)
        for p in products {
            let w = blocks(p.format, rows: p.rows, columns: p.columns, using: &g)
            let code = Int32(p.format.rawValue), rowBytes = p.columns / ptk_block_elements(code) * ptk_block_bytes(code)
            for m in [1, 2, 4, 8] {
                let x = try Tensor.randn([m, p.columns], using: &g).scalars(as: Float.self)
                let y = UnsafeMutablePointer<Float>.allocate(capacity: m * p.rows)
                defer { y.deallocate() }
                let t = try w.withUnsafeBytes { wb in
                    try x.withUnsafeBufferPointer { xb in
                        try DecodeKernelBench.fastest(rounds: rounds, [
                            { ptk_matvec_float256(level, code, wb.baseAddress, rowBytes, p.rows, p.columns, xb.baseAddress,
                                                  p.columns, m, y, p.rows) },
                            { ptk_matvec(level, code, wb.baseAddress, rowBytes, p.rows, p.columns, nil, 0, xb.baseAddress,
                                         p.columns, m, y, p.rows) },
                        ])
                    }
                }
                let name = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"][Int(code) - 4]
                table.add(["\(p.name) \(name) \(p.rows) × \(p.columns)", "\(m)", fmt(t[0] * 1e6, 1), fmt(t[1] * 1e6, 1),
                           fmt(t[0] / t[1], 2) + "×"])
            }
        }
        return table
    }
}
