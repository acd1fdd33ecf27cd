import PTuneCore

/// Conversion of stored GGUF tensor data to float32.
extension GGMLType {
    /// Converts the elements stored in `src` to float32, filling all of `dst`.
    ///
    /// `dst.count` must be a whole number of blocks and `src` must hold at least ``byteCount(elements:)`` bytes for
    /// it. The block formats (ggml's, little-endian):
    /// - Q8_0: f16 scale d, 32 × int8 q → `x = d·q`
    /// - Q4_0: f16 d, 16 bytes; element j < 16 is the low nibble of byte j, element j + 16 its high nibble → `x = d·(q − 8)`
    /// - Q4_1: f16 d, f16 m, 16 bytes of nibbles laid out as Q4_0 → `x = d·q + m`
    public func dequantize(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Float>) throws {
        guard canDequantize else { throw TensorError.invalidArgument(op: .dequantize, "type \(self) cannot be dequantized") }
        guard let need = byteCount(elements: dst.count) else {
            throw TensorError.invalidArgument(op: .dequantize, "\(dst.count) elements is not a whole number of \(self) blocks of \(blockSize)")
        }
        guard src.count >= need else {
            throw TensorError.invalidArgument(op: .dequantize, "\(dst.count) \(self) elements need \(need) bytes, got \(src.count)")
        }
        guard let s = src.baseAddress, let d = dst.baseAddress, dst.count > 0 else { return }
        GGMLType.convert(self, s, d, dst.count)
    }

    /// The unchecked kernel behind ``dequantize(_:into:)``: `n` elements (whole blocks) from `s` into `d`.
    static func convert(_ type: GGMLType, _ s: UnsafeRawPointer, _ d: UnsafeMutablePointer<Float>, _ n: Int) {
        switch type {
        case .f32:
            UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: n * 4)
        case .f16:
            for i in 0..<n { d[i] = half(s, i * 2) }
        case .bf16:
            for i in 0..<n {
                let bits = UInt32(UInt16(littleEndian: s.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16
                d[i] = Float(bitPattern: bits)
            }
        case .f64:
            for i in 0..<n { d[i] = Float(Double(bitPattern: UInt64(littleEndian: s.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
        case .q8_0:
            for b in 0..<(n / 32) {
                let block = s + b * 34, out = d + b * 32
                let scale = half(block, 0)
                let q = (block + 2).assumingMemoryBound(to: Int8.self)
                for j in 0..<32 { out[j] = scale * Float(q[j]) }
            }
        case .q4_0:
            for b in 0..<(n / 32) {
                let block = s + b * 18, out = d + b * 32
                let scale = half(block, 0)
                let q = (block + 2).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    out[j] = scale * Float(Int(q[j] & 0x0F) - 8)
                    out[j + 16] = scale * Float(Int(q[j] >> 4) - 8)
                }
            }
        case .q4_1:
            for b in 0..<(n / 32) {
                let block = s + b * 20, out = d + b * 32
                let scale = half(block, 0), minimum = half(block, 2)
                let q = (block + 4).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    out[j] = scale * Float(q[j] & 0x0F) + minimum
                    out[j + 16] = scale * Float(q[j] >> 4) + minimum
                }
            }
        case .q5_0, .q5_1, .q8_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .i8, .i16, .i32, .i64:
            // Unreachable through dequantize(_:into:), which checks canDequantize; fill with NaN rather than trap.
            for i in 0..<n { d[i] = .nan }
        }
    }

    /// The IEEE half at byte `offset` of `p`, as a float.
    @inline(__always) static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }
}
