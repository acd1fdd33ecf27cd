/// The decoders of ggml's 256-element "k-quant" super-blocks (layouts on ``BlockFormat``).
extension BlockFormat {
    /// Q2_K: scales[16] · qs[64] · d · dmin. Element 128·h + 32·s + l (half h, shift s = 0…3, l < 32) is bits
    /// 2s…2s+1 of qs[32h + l]; its group is 8h + 2s + l/16.
    static func decodeQ2_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 80), dmin = half(b, 82)
        for h in 0..<2 {
            for s in 0..<4 {
                for g in 0..<2 {
                    let sc = byte(b, 8 * h + 2 * s + g)
                    let dl = d * Float(sc & 0x0F), ml = dmin * Float(sc >> 4)
                    let out = y + 128 * h + 32 * s + 16 * g
                    for l in 0..<16 {
                        let q = (byte(b, 16 + 32 * h + 16 * g + l) >> UInt8(2 * s)) & 3
                        out[l] = dl * Float(q) - ml
                    }
                }
            }
        }
    }

    /// Q3_K: hmask[32] · qs[64] · scales[12] · d. Low bits as Q2_K; the high bit of element 128·h + 32·s + l is bit
    /// 4h + s of hmask[l]. The 16 six-bit scales: low nibbles from bytes 0–7 (groups 0–7 low, 8–15 high nibble),
    /// high pairs from bytes 8–11 (group g: bits 2·(g/4) of byte 8 + g%4).
    static func decodeQ3_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 108)
        for h in 0..<2 {
            for s in 0..<4 {
                for g in 0..<2 {
                    let group = 8 * h + 2 * s + g
                    let low = (byte(b, 96 + group % 8) >> UInt8(4 * (group / 8))) & 0x0F
                    let high = (byte(b, 104 + group % 4) >> UInt8(2 * (group / 4))) & 0x03
                    let dl = d * Float(Int32(low | high << 4) - 32)
                    let out = y + 128 * h + 32 * s + 16 * g
                    for l in 0..<16 {
                        let k = 16 * g + l
                        let q = (byte(b, 32 + 32 * h + k) >> UInt8(2 * s)) & 3
                        let set = (byte(b, k) >> UInt8(4 * h + s)) & 1
                        out[l] = dl * Float(Int32(q) - (set == 1 ? 0 : 4))
                    }
                }
            }
        }
    }

    /// The 6-bit scale and minimum of group `j` (0…7) of a Q4_K/Q5_K block whose 12 scale bytes start at `s`.
    @inline(__always) static func scaleMinK4(_ j: Int, _ s: UnsafeRawPointer) -> (scale: UInt8, min: UInt8) {
        if j < 4 { return (byte(s, j) & 63, byte(s, j + 4) & 63) }
        return ((byte(s, j + 4) & 0x0F) | ((byte(s, j - 4) >> 6) << 4), (byte(s, j + 4) >> 4) | ((byte(s, j) >> 6) << 4))
    }

    /// Q4_K: d · dmin · scales[12] · qs[128]. Group 2c (c < 4) is the low nibbles of qs[32c..<32c+32], group 2c+1
    /// their high nibbles.
    static func decodeQ4_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0), dmin = half(b, 2), scales = b + 4
        for c in 0..<4 {
            let (s1, m1) = scaleMinK4(2 * c, scales), (s2, m2) = scaleMinK4(2 * c + 1, scales)
            let d1 = d * Float(s1), dm1 = dmin * Float(m1), d2 = d * Float(s2), dm2 = dmin * Float(m2)
            let out = y + 64 * c
            for l in 0..<32 {
                let q = byte(b, 16 + 32 * c + l)
                out[l] = d1 * Float(q & 0x0F) - dm1
                out[l + 32] = d2 * Float(q >> 4) - dm2
            }
        }
    }

    /// Q5_K: d · dmin · scales[12] · qh[32] · qs[128]. As Q4_K, with the fifth bit of element 32·g + l in bit g of
    /// qh[l].
    static func decodeQ5_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0), dmin = half(b, 2), scales = b + 4
        for c in 0..<4 {
            let (s1, m1) = scaleMinK4(2 * c, scales), (s2, m2) = scaleMinK4(2 * c + 1, scales)
            let d1 = d * Float(s1), dm1 = dmin * Float(m1), d2 = d * Float(s2), dm2 = dmin * Float(m2)
            let out = y + 64 * c
            for l in 0..<32 {
                let q = byte(b, 48 + 32 * c + l), h = byte(b, 16 + l)
                let h1 = ((h >> UInt8(2 * c)) & 1) << 4, h2 = ((h >> UInt8(2 * c + 1)) & 1) << 4
                out[l] = d1 * Float((q & 0x0F) | h1) - dm1
                out[l + 32] = d2 * Float((q >> 4) | h2) - dm2
            }
        }
    }

    /// Q6_K: ql[128] · qh[64] · scales[16] (int8) · d. In half h (128 elements), element 32·k + l (k < 4, l < 32)
    /// takes its low nibble from ql[64h + 32·(k%2) + l] (low nibble for k < 2, high for k ≥ 2) and its top two bits
    /// from bits 2k…2k+1 of qh[32h + l]; its scale is scales[8h + 2k + l/16].
    static func decodeQ6_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 208)
        for h in 0..<2 {
            for k in 0..<4 {
                let out = y + 128 * h + 32 * k
                for l in 0..<32 {
                    let ql = byte(b, 64 * h + 32 * (k % 2) + l)
                    let low = k < 2 ? ql & 0x0F : ql >> 4
                    let high = (byte(b, 128 + 32 * h + l) >> UInt8(2 * k)) & 3
                    let q = Int32(low | high << 4) - 32
                    let sc = Float(Int8(bitPattern: byte(b, 192 + 8 * h + 2 * k + l / 16)))
                    out[l] = (d * sc) * Float(q)
                }
            }
        }
    }
}
