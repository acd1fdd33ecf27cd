import Foundation
import Testing
@testable import PTuneCore

/// The quantized-weight kernels against dequantize-then-multiply, on every block format, every instruction-set
/// level this CPU runs, odd shapes and tails: decoded tiles are bit for bit the Swift decoders' values, float32
/// products (matrix-vector kernels for a few rows, decoded tiles for more) and input gradients equal the float32
/// products with the decoded matrix, and the 8-bit-activation kernels stay within the error of quantizing the
/// activations.
@Suite struct QuantizedKernelTests {
    static let formats = BlockFormat.allCases

    /// Random blocks of `format` for a `rows × columns` matrix: random bytes with every scale field set to a finite
    /// half of a realistic size (the minimums signed), plain floats drawn from 𝒩(0, 1).
    static func blocks(_ format: BlockFormat, rows: Int, columns: Int, seed: UInt64) -> [UInt8] {
        var g = Generator(seed: seed)
        let count = format.byteCount(elements: rows * columns) ?? 0
        var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        func put(_ value: Float, _ offset: Int) {
            let h = HalfPrecision.half(fromFloat: value)
            bytes[offset] = UInt8(h & 0xFF)
            bytes[offset + 1] = UInt8(h >> 8)
        }
        let size = format.bytes
        for b in 0..<(count / size) {
            let o = b * size
            let d = Float(0.002 + 0.02 * g.nextUniform()), m = Float(0.05 * (g.nextUniform() - 0.5))
            switch format {
            case .f32:
                let v = Float(g.nextNormal()).bitPattern
                for k in 0..<4 { bytes[o + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            case .f64:
                let v = Double(g.nextNormal()).bitPattern
                for k in 0..<8 { bytes[o + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
            case .f16: put(Float(g.nextNormal()), o)
            case .bf16:
                let v = HalfPrecision.bfloat(fromFloat: Float(g.nextNormal()))
                bytes[o] = UInt8(v & 0xFF); bytes[o + 1] = UInt8(v >> 8)
            case .q4_0, .q5_0, .q8_0: put(d, o)
            case .q4_1, .q5_1: put(d, o); put(m, o + 2)
            case .q2_K: put(d, o + 80); put(d * 0.5, o + 82)
            case .q3_K: put(d * 0.1, o + 108)
            case .q4_K, .q5_K: put(d * 0.1, o); put(d * 0.05, o + 2)
            case .q6_K: put(d * 0.05, o + 208)
            }
        }
        return bytes
    }

    static func matrix(_ format: BlockFormat, rows: Int, columns: Int, seed: UInt64) throws -> QuantizedMatrix {
        let bytes = blocks(format, rows: rows, columns: columns, seed: seed)
        return try bytes.withUnsafeBytes { try QuantizedMatrix(format: format, rows: rows, columns: columns, bytes: $0) }
    }

    /// The reference decoding: BlockFormat's Swift decoders.
    static func reference(_ format: BlockFormat, _ bytes: [UInt8], count: Int) throws -> [Float] {
        var out = [Float](repeating: 0, count: count)
        try bytes.withUnsafeBytes { src in try out.withUnsafeMutableBufferPointer { try format.decode(src, into: $0) } }
        return out
    }

    /// Columns that exercise one block, several, and several super-blocks.
    static func columns(_ format: BlockFormat) -> [Int] {
        switch format.elements {
        case 1: return [7, 64, 131]
        case 32: return [32, 96, 576]
        default: return [256, 768]
        }
    }

    static func random(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var g = Generator(seed: seed)
        return try Tensor.randn(shape, using: &g)
    }

    /// ‖a − b‖ / ‖b‖ over all elements.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        var num = 0.0, den = 0.0
        for (x, y) in zip(a, b) { num += (x - y) * (x - y); den += y * y }
        return (num / Swift.max(den, 1e-300)).squareRoot()
    }

    /// `x · Wᵀ` in float64 with the decoded weights.
    static func referenceProduct(_ x: Tensor, _ w: [Float], rows: Int, columns: Int) -> [Double] {
        let xs = x.doubles, m = xs.count / columns
        var y = [Double](repeating: 0, count: m * rows)
        for i in 0..<m { for r in 0..<rows {
            var s = 0.0
            for c in 0..<columns { s += xs[i * columns + c] * Double(w[r * columns + c]) }
            y[i * rows + r] = s
        } }
        return y
    }

    @Test(arguments: formats)
    func decodedTilesAreTheSwiftDecodersBits(format: BlockFormat) throws {
        for cols in Self.columns(format) {
            let rows = 5
            let bytes = Self.blocks(format, rows: rows, columns: cols, seed: 11)
            let expected = try Self.reference(format, bytes, count: rows * cols)
            let w = try bytes.withUnsafeBytes { try QuantizedMatrix(format: format, rows: rows, columns: cols, bytes: $0) }
            for level in KernelLevel.available {
                // A block-aligned column window of rows 1..<4, written with a wider row stride.
                let per = format.elements, first = (cols / per) / 3 * per, width = cols - first, ld = width + 3
                var out = [Float](repeating: .nan, count: 3 * ld)
                out.withUnsafeMutableBufferPointer { w.decode(rows: 1..<4, columns: first..<cols, into: $0.baseAddress!, ld: ld, level: level) }
                for r in 0..<3 { for c in 0..<width {
                    let got = out[r * ld + c], want = expected[(r + 1) * cols + first + c]
                    #expect(got.bitPattern == want.bitPattern, "\(format) \(level) row \(r + 1) col \(first + c): \(got) vs \(want)")
                } }
            }
            #expect(try w.dequantized().scalars(as: Float.self) == expected)
            #expect(try w.gatherRows([4, 0, 4]).scalars(as: Float.self) == Array(expected[(4 * cols)...] + expected[0..<cols] + expected[(4 * cols)...]))
        }
    }

    @Test(arguments: formats)
    func floatProductsEqualTheDequantizedProduct(format: BlockFormat) throws {
        // 303 rows cross several tiles and leave a tail, and leave odd rows after groups of two and four weight rows
        // in each thread's half; 1, 2, 3, 5 and 8 activation rows run the matrix-vector kernels (one and two rows
        // against groups of weight rows, groups of four and eight activation rows and a tail), 9 and 37 the decoded
        // tiles.
        for cols in Self.columns(format) {
            let rows = 303
            let w = try Self.matrix(format, rows: rows, columns: cols, seed: 3)
            let decoded = try w.dequantized().scalars(as: Float.self)
            for m in [1, 2, 3, 5, 8, 9, 37] {
                let x = try Self.random([m, cols], seed: UInt64(m))
                let want = Self.referenceProduct(x, decoded, rows: rows, columns: cols)
                for level in KernelLevel.available {
                    let y = try Tensor.linear(x, quantized: w, activations: .float32, level: level)
                    #expect(y.shape == [m, rows])
                    let e = Self.relativeError(y.doubles, want)
                    #expect(e < 1e-6, "\(format) \(cols) cols, \(m) rows, \(level): relative error \(e)")
                }
            }
        }
    }

    /// The formats given 512-bit float-activation kernels after Q4_0, Q4_1 and Q8_0 (ptk_matvec_float512.h,
    /// ptk_matvec_kquant512.h); Q2_K and Q3_K keep the 256-bit ones.
    static let wideFloatFormats: [BlockFormat] = [.q5_0, .q5_1, .q4_K, .q5_K, .q6_K]

    @Test(arguments: wideFloatFormats)
    func wideFloatKernelsEqualTheDequantizedProduct(format: BlockFormat) throws {
        // One weight row, a few, and an odd number past several of each kernel's groups; one super-block (or block),
        // two, and an odd count of them; every activation row count from 1 to 8 (each a separate instantiation).
        // Each output is held to float32 rounding: within 10⁻⁶·Σ|w·x| of the float64 product with the decoded
        // weights (one output alone can cancel to far less than its terms, so no relative error of its own).
        let per = format.elements
        for cols in [per, 2 * per, 5 * per] {
            for rows in [1, 7, 67] {
                let w = try Self.matrix(format, rows: rows, columns: cols, seed: UInt64(rows * 31 + cols))
                let decoded = try w.dequantized().scalars(as: Float.self)
                let magnitudes = decoded.map { Swift.abs($0) }
                for m in 1...8 {
                    let x = try Self.random([m, cols], seed: UInt64(200 + m))
                    let want = Self.referenceProduct(x, decoded, rows: rows, columns: cols)
                    let xs = x.doubles.map { Swift.abs($0) }
                    let scale = (0..<(m * rows)).map { k in
                        (0..<cols).reduce(0.0) { $0 + xs[k / rows * cols + $1] * Double(magnitudes[k % rows * cols + $1]) }
                    }
                    for level in KernelLevel.available {
                        let y = try Tensor.linear(x, quantized: w, activations: .float32, level: level).doubles
                        let worst = zip(zip(y, want), scale).map { Swift.abs($0.0 - $0.1) / $1 }.max() ?? 0
                        #expect(worst < 1e-6, "\(format) \(rows) × \(cols), \(m) rows, \(level): error \(worst)·Σ|w·x|")
                    }
                }
            }
        }
    }

    @Test(arguments: formats)
    func int8ProductsStayWithinTheActivationQuantizationError(format: BlockFormat) throws {
        for cols in Self.columns(format) {
            let rows = 67
            let w = try Self.matrix(format, rows: rows, columns: cols, seed: 5)
            let decoded = try w.dequantized().scalars(as: Float.self)
            for m in [1, 2, 4, 5, 8] {
                let x = try Self.random([m, cols], seed: 100 + UInt64(m))
                let want = Self.referenceProduct(x, decoded, rows: rows, columns: cols)
                var portable: [Double] = []
                for level in KernelLevel.available {
                    let y = try Tensor.linear(x, quantized: w, activations: .int8, level: level).doubles
                    // Plain floats are not quantized: only the summation order differs.
                    let bound = format.elements == 1 ? 1e-6 : 2e-2
                    let e = Self.relativeError(y, want)
                    #expect(e < bound, "\(format) \(cols) cols, \(m) rows, \(level): relative error \(e)")
                    // Every level computes the same integer sums: they differ by float rounding only.
                    if level == .portable { portable = y } else {
                        #expect(Self.relativeError(y, portable) < 1e-5, "\(format) \(level) vs portable")
                    }
                }
            }
        }
    }

    @Test(arguments: formats)
    func inputGradientsEqualTheDequantizedProduct(format: BlockFormat) throws {
        for cols in Self.columns(format) {
            let rows = 275
            let w = try Self.matrix(format, rows: rows, columns: cols, seed: 9)
            let dense = try w.dequantized()
            for m in [1, 6, 33] {
                let x = try Self.random([m, cols], seed: 7).requiringGradient()
                let weights = try Self.random([m, rows], seed: 8)
                for level in KernelLevel.available {
                    let loss = try (Tensor.linear(x, quantized: w, level: level) * weights).sum()
                    let gx = try Tensor.gradients(of: loss, wrt: [x])[0]
                    let refLoss = try (Tensor.linear(x, weight: dense, bias: nil) * weights).sum()
                    let ref = try Tensor.gradients(of: refLoss, wrt: [x])[0]
                    let e = Self.relativeError(gx.doubles, ref.doubles)
                    #expect(gx.shape == [m, cols])
                    #expect(e < 1e-6, "\(format) \(cols) cols, \(m) rows, \(level): relative error \(e)")
                }
            }
        }
    }

    @Test func stackedFormatsBiasAndLeadingAxes() throws {
        // [q | k | v] in three formats, as a Q4_K_M file stores them.
        let parts = try [(BlockFormat.q4_K, 40), (.q6_K, 24), (.q8_0, 9)].enumerated().map { i, p in
            try Self.matrix(p.0, rows: p.1, columns: 512, seed: UInt64(20 + i))
        }
        let w = try QuantizedMatrix(stacking: parts)
        #expect(w.rows == 73 && w.columns == 512 && w.formats == [.q4_K, .q6_K, .q8_0])
        #expect(w.byteCount == parts.reduce(0) { $0 + $1.byteCount })
        let dense = try w.dequantized()
        let stacked = try Tensor.concat(parts.map { try $0.dequantized() }, axis: 0)
        #expect(try dense.scalars(as: Float.self) == stacked.scalars(as: Float.self))
        let x = try Self.random([2, 3, 512], seed: 1).requiringGradient()
        let bias = try Self.random([73], seed: 2).requiringGradient()
        let y = try Tensor.linear(x, quantized: w, bias: bias)
        let ref = try Tensor.linear(x, weight: dense, bias: bias)
        #expect(y.shape == [2, 3, 73])
        #expect(Self.relativeError(y.doubles, ref.doubles) < 1e-6)
        let g = try Tensor.gradients(of: y.square().sum(), wrt: [x, bias])
        let gr = try Tensor.gradients(of: ref.square().sum(), wrt: [x, bias])
        #expect(Self.relativeError(g[0].doubles, gr[0].doubles) < 1e-6)
        #expect(Self.relativeError(g[1].doubles, gr[1].doubles) < 1e-6)
        // Six rows take the matrix-vector kernels, with float or 8-bit activations; the bias is added once.
        let few = try Tensor.linear(x.detached(), quantized: w, bias: bias.detached())
        #expect(Self.relativeError(few.doubles, ref.doubles) < 1e-6)
        let few8 = try Tensor.linear(x.detached(), quantized: w, bias: bias.detached(), activations: .int8)
        #expect(Self.relativeError(few8.doubles, ref.doubles) < 2e-2)
    }

    @Test func tiledProductsSplitRowsOverThreadsInWholeTiles() throws {
        // Fewer rows than one register tile, tails of 1 to 7 past a multiple of 8, and enough rows for several
        // tiles per thread (1,000 rows of 1,024 columns); 40 activation rows make each product big enough to be
        // split over the threads, and the bias runs the accumulating path.
        for (rows, cols) in [(7, 64), (13, 96), (61, 576), (300, 1024), (1000, 1024)] {
            let w = try Self.matrix(.q4_1, rows: rows, columns: cols, seed: UInt64(rows))
            let decoded = try w.dequantized().scalars(as: Float.self)
            let x = try Self.random([40, cols], seed: 9), bias = try Self.random([rows], seed: 10)
            let b = bias.doubles
            let want = Self.referenceProduct(x, decoded, rows: rows, columns: cols).enumerated().map { $1 + b[$0 % rows] }
            let y = try Tensor.linear(x, quantized: w, bias: bias)
            #expect(y.shape == [40, rows])
            #expect(Self.relativeError(y.doubles, want) < 1e-6, "\(rows) × \(cols): relative error \(Self.relativeError(y.doubles, want))")
        }
    }

    @Test(arguments: formats)
    func avx512TiledProductsMatchSgemm(format: BlockFormat) throws {
        // The AVX-512 micro-kernels (8 rows × 32 columns, packed panels of 16 weight rows) against OpenBLAS on the
        // same decoded tiles: row tails of 1–7 past blocks of 8, output widths and columns that are not multiples of
        // 16, one tile and several, overwriting and accumulating.
        guard KernelLevel.detected >= .avx512VNNI else { return }
        for cols in Self.columns(format) {
            for rows in [7, 45, 300] {
                let w = try Self.matrix(format, rows: rows, columns: cols, seed: UInt64(rows + cols))
                for m in [1, 3, 7, 9, 33] {
                    let x = try Self.random([m, cols], seed: UInt64(m)).scalars(as: Float.self)
                    let start = try Self.random([m, rows], seed: UInt64(m + 50)).scalars(as: Float.self)
                    for beta: Float in [0, 1] {
                        var got = start, want = start
                        QuantizedProducts.tiledProduct(w, x: x, m: m, beta: beta, y: &got, ldy: rows, level: .avx512VNNI)
                        QuantizedProducts.tiledProduct(w, x: x, m: m, beta: beta, y: &want, ldy: rows, level: .avx2)
                        let e = Self.relativeError(got.map(Double.init), want.map(Double.init))
                        #expect(e <= 1e-5, "\(format) \(rows) × \(cols), \(m) rows, beta \(beta): relative error \(e)")
                    }
                    let g = start
                    var got = [Float](repeating: .nan, count: m * cols), want = got
                    QuantizedProducts.tiledInputGradient(w, g: g, m: m, gx: &got, level: .avx512VNNI)
                    QuantizedProducts.tiledInputGradient(w, g: g, m: m, gx: &want, level: .avx2)
                    let e = Self.relativeError(got.map(Double.init), want.map(Double.init))
                    #expect(e <= 1e-5, "\(format) \(rows) × \(cols), \(m) rows, input gradient: relative error \(e)")
                }
            }
        }
    }

    @Test func badShapesAreErrors() throws {
        let w = try Self.matrix(.q4_0, rows: 4, columns: 64, seed: 1)
        #expect(throws: TensorError.self) { try Tensor.linear(Tensor.zeros([2, 63]), quantized: w) }
        #expect(throws: TensorError.self) { try Tensor.linear(Tensor.zeros([2, 64]), quantized: w, bias: Tensor.zeros([3])) }
        #expect(throws: TensorError.self) { try w.gatherRows([4]) }
        #expect(throws: TensorError.self) {
            try [UInt8](repeating: 0, count: 36).withUnsafeBytes { try QuantizedMatrix(format: .q4_0, rows: 1, columns: 48, bytes: $0) }
        }
        #expect(throws: TensorError.self) {
            try [UInt8](repeating: 0, count: 10).withUnsafeBytes { try QuantizedMatrix(format: .q4_0, rows: 1, columns: 32, bytes: $0) }
        }
    }
}
