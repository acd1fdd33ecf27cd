/// Explicitly vectorised forms for the fused float32 kernels (attention softmax, SwiGLU): eight lanes at a time, so
/// that their exponentials do not dominate the time between GEMMs. Float64 kernels use the scalar library functions.
extension FastMath {
    /// `exp(x)` on eight lanes, relative error below 2·10⁻⁷ on the whole float range (Cephes' polynomial after
    /// reduction by ln 2); underflows to 0 below −87.3 and overflows to +∞ above 88.7.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let hi = SIMD8<Float>(repeating: 88.72283), lo = SIMD8<Float>(repeating: -87.33654)
        let xc = x.clamped(lowerBound: lo, upperBound: hi)
        // n = round(x / ln 2), r = x − n·ln 2 (in two parts for accuracy).
        let n = (xc * 1.442695040888963).rounded(.toNearestOrEven).clamped(lowerBound: SIMD8(repeating: -126), upperBound: SIMD8(repeating: 127))
        var r = xc - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        // Scale by 2ⁿ through the exponent bits; n ∈ [−126, 127].
        let ni = SIMD8<Int32>(n, rounding: .towardZero)
        var result = p * unsafeBitCast((ni &+ 127) &<< 23, to: SIMD8<Float>.self)
        result.replace(with: SIMD8<Float>(repeating: .infinity), where: x .> hi)
        result.replace(with: SIMD8<Float>(repeating: 0), where: x .< lo)
        return result
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
