/// The decoders of the plain float formats and of ggml's 32-element block formats (layouts on ``BlockFormat``).
extension BlockFormat {
    static func decodeF16(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        y[0] = half(b, 0)
    }

    static func decodeBF16(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        y[0] = Float(bitPattern: UInt32(UInt16(littleEndian: b.loadUnaligned(as: UInt16.self))) << 16)
    }

    static func decodeF64(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        y[0] = Float(Double(bitPattern: UInt64(littleEndian: b.loadUnaligned(as: UInt64.self))))
    }

    /// `d·(q − 8)`.
    static func decodeQ4_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0)
        for j in 0..<16 {
            let q = byte(b, 2 + j)
            y[j] = d * Float(Int32(q & 0x0F) - 8)
            y[j + 16] = d * Float(Int32(q >> 4) - 8)
        }
    }

    /// `d·q + m`.
    static func decodeQ4_1(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0), m = half(b, 2)
        for j in 0..<16 {
            let q = byte(b, 4 + j)
            y[j] = d * Float(q & 0x0F) + m
            y[j + 16] = d * Float(q >> 4) + m
        }
    }

    /// `d·((low | high << 4) − 16)`; bit j of the 32 high bits belongs to element j.
    static func decodeQ5_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0)
        let high = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        for j in 0..<16 {
            let q = byte(b, 6 + j)
            let h0 = UInt8(truncatingIfNeeded: (high >> UInt32(j)) & 1) << 4
            let h1 = UInt8(truncatingIfNeeded: (high >> UInt32(j + 16)) & 1) << 4
            y[j] = d * Float(Int32((q & 0x0F) | h0) - 16)
            y[j + 16] = d * Float(Int32((q >> 4) | h1) - 16)
        }
    }

    /// `d·(low | high << 4) + m`.
    static func decodeQ5_1(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0), m = half(b, 2)
        let high = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        for j in 0..<16 {
            let q = byte(b, 8 + j)
            let h0 = UInt8(truncatingIfNeeded: (high >> UInt32(j)) & 1) << 4
            let h1 = UInt8(truncatingIfNeeded: (high >> UInt32(j + 16)) & 1) << 4
            y[j] = d * Float((q & 0x0F) | h0) + m
            y[j + 16] = d * Float((q >> 4) | h1) + m
        }
    }

    /// `d·q`, q signed.
    static func decodeQ8_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0)
        for j in 0..<32 { y[j] = d * Float(Int8(bitPattern: byte(b, 2 + j))) }
    }
}
