/// Explicitly vectorised forms for the fused float32 kernels (attention softmax, SwiGLU): eight lanes at a time, so
/// that their exponentials do not dominate the time between GEMMs. Float64 kernels use the scalar library functions.
extension FastMath {
    /// `exp(x)` on eight lanes, the same algorithm as the scalar ``exp(_:)`` (Cody–Waite reduction with the
    /// 1.5·2²³ rounding trick, Cephes polynomial, 2ⁿ in the exponent bits), written on vectors so no lane-by-lane
    /// conversion creeps in: relative error ≤ 2 ulp on [−87.3, 88.3], +∞ above, 0 below.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Lanes outside [lo, hi] compute garbage that the two masks at the end replace (no clamp: the generic
        // pointwise min/max do not inline).
        let hi = SIMD8<Float>(repeating: 88.3762626647949), lo = SIMD8<Float>(repeating: -87.3365447504)
        let v = x
        let magic = SIMD8<Float>(repeating: 12582912)
        let t = v * 1.44269504088896341 + magic
        let n = t - magic
        var r = v - n * 0.693359375
        r = r - n * -2.12194440e-4
        let r2 = r * r
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r2 + r + 1
        let k = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        var e = p * unsafeBitCast((k &+ 127) &<< 23, to: SIMD8<Float>.self)
        e.replace(with: .infinity, where: x .> hi)
        e.replace(with: 0, where: x .< lo)
        return e
    }

    /// `exp` over a buffer in place (eight lanes at a time, the tail scalar).
    @inline(__always)
    static func expInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: exp(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { p[i] = Float.exp(p[i]); i += 1 }
    }

    /// The logistic sigmoid `1 / (1 + e⁻ˣ)` on eight lanes.
    @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }
}
