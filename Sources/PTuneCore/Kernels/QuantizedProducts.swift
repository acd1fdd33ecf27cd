import CPTuneKernels

/// The instruction sets the quantized-weight kernels (the C target `CPTuneKernels`) have variants for; the best one
/// the CPU runs is ``detected``, and any lower one can be asked for (tests compare them all).
public enum KernelLevel: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Plain C, any CPU.
    case portable = 0
    /// AVX2 + FMA + F16C: byte dot products with `vpmaddubsw`.
    case avx2 = 1
    /// AVX-512 (F, BW, VL) with VNNI: byte dot products with `vpdpbusd`.
    case avx512VNNI = 2

    /// The best level this CPU runs.
    public static let detected: KernelLevel = KernelLevel(rawValue: Int(ptk_detected_level())) ?? .portable

    /// The levels this CPU runs, lowest first.
    public static var available: [KernelLevel] { allCases.filter { $0 <= detected } }

    public static func < (a: KernelLevel, b: KernelLevel) -> Bool { a.rawValue < b.rawValue }

    /// `portable`, `avx2`, `avx512-vnni`.
    public var description: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "avx2"
        case .avx512VNNI: return "avx512-vnni"
        }
    }
}

/// How a product with a quantized weight treats its activations. Either way, up to ``vectorRowLimit`` rows (a
/// decoding step, a batch of them) run matrix-vector kernels that read each weight block once for all rows, and more
/// rows (a prefill, a training step, every input gradient) multiply decoded tiles of the weight by sgemm.
public enum ActivationPrecision: Sendable, Equatable {
    /// Float32 activations: the weight codes are widened to floats and scaled in registers. The result is the
    /// float32 product with the dequantized matrix, up to summation order.
    case float32
    /// Activations quantized to 8 bits per 32 (scale max|x|/127) and dotted with the weight codes in integers (AVX-512
    /// VNNI, AVX2), as ggml does: less arithmetic per weight, at a relative error of about 5·10⁻³ in each output
    /// (the rounding of the activations).
    case int8

    /// The most rows that run matrix-vector kernels.
    public static let vectorRowLimit = 8
}

/// Products with a ``QuantizedMatrix``: the integer matrix-vector kernels (few rows) and matrix products over decoded
/// tiles (many rows, and the input gradient; AVX-512 kernels where the CPU has them, sgemm otherwise), split over the
/// ``WorkerPool``.
enum QuantizedProducts {
    /// Floats per decoded tile: a tile of a few hundred KB stays in L2 while sgemm reads it.
    static let tileFloats = 65_536

    /// `y[m, rows] = x[m, columns] · Wᵀ` by the matrix-vector kernels, with float or 8-bit activations (plain-float
    /// parts always read `x` as floats); `y` has row stride `ldy` and is overwritten.
    static func vectorProduct(_ w: QuantizedMatrix, x: UnsafePointer<Float>, m: Int, y: UnsafeMutablePointer<Float>,
                              ldy: Int, activations: ActivationPrecision, level: KernelLevel) {
        let n = w.columns
        var quantized: [ptk_q8_block] = []
        let blocksPerRow = n / 32
        if activations == .int8, w.parts.contains(where: { $0.format.elements > 1 }) {
            quantized = [ptk_q8_block](repeating: ptk_q8_block(), count: m * blocksPerRow)
            quantized.withUnsafeMutableBufferPointer { q in
                guard let qb = q.baseAddress else { return }
                for r in 0..<m { ptk_quantize_q8(x + r * n, n, qb + r * blocksPerRow) }
            }
        }
        quantized.withUnsafeBufferPointer { q in
            let qb = q.isEmpty ? nil : q.baseAddress
            let work = w.rows * n * Swift.max(m, 1)
            let parts = Swift.min(Parallel.workers, Swift.max(1, work / (1 << 15)), Swift.max(1, w.rows / 16))
            Parallel.forEach(parts, parallel: parts > 1) { p in
                let lo = w.rows * p / parts, hi = w.rows * (p + 1) / parts
                w.forEachPart(in: lo..<hi) { part, first, count, offset in
                    ptk_matvec(Int32(level.rawValue), part.format.kernelCode, part.base + first * part.rowBytes,
                               part.rowBytes, count, n, qb, blocksPerRow, x, n, m, y + lo + offset, ldy)
                }
            }
        }
    }

    /// `y[m, rows] = x[m, columns] · Wᵀ + beta·y` by decoded tiles of output rows, each multiplied by the AVX-512
    /// kernel (`ptk_gemm_nt`, at ``KernelLevel/avx512VNNI`` with beta 0 or 1) or sgemm (below it). The
    /// rows are split evenly over the threads (on multiples of 8, whole register tiles), then each thread's share
    /// into equal tiles, so no thread waits on another's extra tile (960 rows in tiles of 112 would go four tiles
    /// and five).
    static func tiledProduct(_ w: QuantizedMatrix, x: UnsafePointer<Float>, m: Int, beta: Float,
                             y: UnsafeMutablePointer<Float>, ldy: Int, level: KernelLevel) {
        let n = w.columns, rows = w.rows
        guard rows > 0, m > 0 else { return }
        // The AVX-512 kernel packs a tile into panels of 16 rows: tiles of whole panels waste no lanes.
        let wide = level >= .avx512VNNI && (beta == 0 || beta == 1), step = wide ? 16 : 8
        let maxTile = Swift.max(step, Swift.min(256, tileFloats / Swift.max(n, 1)) / step * step)
        let parts = Swift.min(Parallel.workers, Swift.max(1, rows / 8), Swift.max(1, m * rows * n / BLAS.parallelProduct))
        Parallel.forEach(parts, parallel: parts > 1) { p in
            func edge(_ q: Int) -> Int { q == 0 ? 0 : q == parts ? rows : (rows * q / parts + 4) / 8 * 8 }
            let lo = edge(p), hi = edge(p + 1)
            guard lo < hi else { return }
            let tiles = (hi - lo + maxTile - 1) / maxTile
            let tile = Swift.min(maxTile, ((hi - lo + tiles - 1) / tiles + step - 1) / step * step)
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: tile * n)
            let panels = UnsafeMutablePointer<Float>.allocate(capacity: wide ? (tile + 15) / 16 * 16 * n : 0)
            defer { buffer.deallocate(); panels.deallocate() }
            var r0 = lo
            while r0 < hi {
                let r1 = Swift.min(hi, r0 + tile)
                w.decode(rows: r0..<r1, columns: 0..<n, into: buffer, ld: n, level: level)
                if !wide || ptk_gemm_nt(Int32(level.rawValue), x, n, m, n, buffer, n, r1 - r0, panels, y + r0, ldy,
                                        beta == 0 ? 0 : 1) == 0 {
                    BLAS.single(Float.self, transA: false, transB: true, m: m, n: r1 - r0, k: n, a: x, lda: n,
                                b: buffer, ldb: n, beta: beta, c: y + r0, ldc: ldy)
                }
                r0 = r1
            }
        }
    }

    /// `gx[m, columns] = g[m, rows] · W` (the input gradient through the frozen weight) by decoded tiles: the
    /// columns are split over the threads on block boundaries, and each thread runs down the rows in tiles, each
    /// multiplied by the AVX-512 kernel (`ptk_gemm_nn`, at ``KernelLevel/avx512VNNI``) or sgemm (below it).
    static func tiledInputGradient(_ w: QuantizedMatrix, g: UnsafePointer<Float>, m: Int,
                                   gx: UnsafeMutablePointer<Float>, level: KernelLevel) {
        let n = w.columns, rows = w.rows
        guard m > 0, n > 0 else { return }
        if rows == 0 { gx.update(repeating: 0, count: m * n); return }
        let align = w.blockAlignment, units = n / align
        let parts = Swift.min(Parallel.workers, units, Swift.max(1, m * rows * n / BLAS.parallelProduct))
        Parallel.forEach(parts, parallel: parts > 1) { p in
            let c0 = units * p / parts * align, c1 = units * (p + 1) / parts * align, width = c1 - c0
            guard width > 0 else { return }
            let tile = Swift.max(8, Swift.min(256, tileFloats / width) / 8 * 8)
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: tile * width)
            defer { buffer.deallocate() }
            var r0 = 0
            while r0 < rows {
                let r1 = Swift.min(rows, r0 + tile)
                w.decode(rows: r0..<r1, columns: c0..<c1, into: buffer, ld: width, level: level)
                if ptk_gemm_nn(Int32(level.rawValue), g + r0, rows, m, r1 - r0, buffer, width, width, gx + c0, n,
                               r0 == 0 ? 0 : 1) == 0 {
                    BLAS.single(Float.self, transA: false, transB: false, m: m, n: width, k: r1 - r0, a: g + r0,
                                lda: rows, b: buffer, ldb: width, beta: r0 == 0 ? 0 : 1, c: gx + c0, ldc: n)
                }
                r0 = r1
            }
        }
    }
}
