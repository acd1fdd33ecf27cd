/// Random quantized matrices for tests and benchmarks (a model of a given shape and format without its file).
extension QuantizedMatrix {
    /// A `rows × columns` matrix in `format` whose codes are uniform and whose scales are set so that its decoded
    /// elements have mean ≈ 0 and standard deviation ≈ `std` (plain floats: 𝒩(0, std²)); seeded.
    public static func random(format: BlockFormat, rows: Int, columns: Int, std: Double,
                              seed: UInt64) throws -> QuantizedMatrix {
        guard let total = format.byteCount(elements: rows * columns), columns % format.elements == 0 else {
            throw TensorError.invalidArgument(op: .dequantize, "a \(format) row of \(columns) elements is not a whole number of blocks of \(format.elements)")
        }
        var bytes = [UInt8](repeating: 0, count: total)
        var g = Generator(seed: seed)
        bytes.withUnsafeMutableBytes { raw in
            guard let p = raw.baseAddress else { return }
            fillRandom(p, blocks: total / format.bytes, format: format, std: Float(std), using: &g)
        }
        return try bytes.withUnsafeBytes { try QuantizedMatrix(format: format, rows: rows, columns: columns, bytes: $0) }
    }

    /// Writes `blocks` random blocks of `format` at `p` (see ``random(format:rows:columns:std:seed:)``).
    public static func fillRandom(_ p: UnsafeMutableRawPointer, blocks: Int, format: BlockFormat, std: Float,
                                  using g: inout Generator) {
        let size = format.bytes
        // Random codes everywhere first (eight bytes per draw), then each block's scale fields.
        let words = blocks * size / 8
        for i in 0..<words { p.storeBytes(of: g.next(), toByteOffset: 8 * i, as: UInt64.self) }
        for i in (words * 8)..<(blocks * size) { p.storeBytes(of: UInt8(truncatingIfNeeded: g.next()), toByteOffset: i, as: UInt8.self) }
        func half(_ v: Float, _ at: Int) {
            p.storeBytes(of: HalfPrecision.half(fromFloat: v).littleEndian, toByteOffset: at, as: UInt16.self)
        }
        func bytes(_ value: UInt8, _ range: Range<Int>, _ o: Int) { for k in range { p.storeBytes(of: value, toByteOffset: o + k, as: UInt8.self) } }
        for b in 0..<blocks {
            let o = b * size
            switch format {
            case .f32: p.storeBytes(of: (Float(g.nextNormal()) * std).bitPattern.littleEndian, toByteOffset: o, as: UInt32.self)
            case .f64: p.storeBytes(of: (g.nextNormal() * Double(std)).bitPattern.littleEndian, toByteOffset: o, as: UInt64.self)
            case .f16: half(Float(g.nextNormal()) * std, o)
            case .bf16:
                p.storeBytes(of: HalfPrecision.bfloat(fromFloat: Float(g.nextNormal()) * std).littleEndian, toByteOffset: o, as: UInt16.self)
            // Codes uniform on 0…15 have standard deviation 4.61, on 0…31 9.23, on 0…63 18.47, on 0…7 2.29, on 0…3 1.12.
            case .q4_0: half(std / 4.61, o)
            case .q4_1: half(std / 4.61, o); half(-7.5 * std / 4.61, o + 2)
            case .q5_0: half(std / 9.23, o)
            case .q5_1: half(std / 9.23, o); half(-15.5 * std / 9.23, o + 2)
            case .q8_0: half(std / 73.9, o)
            case .q2_K:
                // Scale 8, minimum 12 in every group: d·8·q − d·12 has mean 0.
                bytes(0xC8, 0..<16, o); half(std / 8.94, o + 80); half(std / 8.94, o + 82)
            case .q3_K:
                // Every 6-bit scale 48 (signed 16): low nibbles 0, high pairs 3.
                bytes(0, 96..<104, o); bytes(0xFF, 104..<108, o); half(std / (16 * 2.29), o + 108)
            case .q4_K, .q5_K:
                // Every 6-bit scale and minimum 32: bytes 0–7 hold 32 with bit 7 set for groups 4–7, bytes 8–11 zero.
                let spread: Float = format == .q4_K ? 4.61 : 9.23, mean: Float = format == .q4_K ? 7.5 : 15.5
                bytes(0xA0, 4..<12, o); bytes(0, 12..<16, o)
                half(std / (32 * spread), o); half(mean * std / (32 * spread), o + 2)
            case .q6_K: bytes(16, 192..<208, o); half(std / (16 * 18.47), o + 208)
            }
        }
    }
}
