/// Branch-free float32 elementary functions for the elementwise hot paths (SiLU, sigmoid, softmax, exp). They are
/// written as plain scalar code with no calls and no traps so that loops over them auto-vectorise; float64 keeps the C
/// library's functions (exact references are computed in float64).
enum FastMath {
    /// eˣ: Cody–Waite range reduction x = n·ln2 + r (n found with the 1.5·2²³ rounding trick, so no float→int
    /// conversion), a degree-6 polynomial for eʳ (the Cephes `expf` coefficients), and 2ⁿ built in the exponent bits.
    /// Relative error ≤ 2 ulp on [−87.3, 88.3]; above that +∞, below it 0; NaN stays NaN.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let hi: Float = 88.3762626647949, lo: Float = -87.3365447504
        let v = x > hi ? hi : (x < lo ? lo : x)
        let magic: Float = 12582912 // 1.5 · 2²³: adding it rounds to an integer kept in the low mantissa bits
        let t = v * 1.44269504088896341 + magic
        let n = t - magic
        var r = v - n * 0.693359375
        r = r - n * -2.12194440e-4
        let r2 = r * r
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r2 + r + 1
        let k = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000
        let scale = Float(bitPattern: UInt32(bitPattern: (k &+ 127) &<< 23))
        let e = p * scale
        return x > hi ? .infinity : (x < lo ? 0 : e)
    }

    /// σ(x) = 1 / (1 + e⁻ˣ).
    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// x · σ(x).
    @inline(__always) static func silu(_ x: Float) -> Float { x / (1 + exp(-x)) }

    /// The derivative of SiLU: σ(x) · (1 + x · (1 − σ(x))).
    @inline(__always) static func siluDerivative(_ x: Float) -> Float {
        let s = sigmoid(x)
        return s * (1 + x * (1 - s))
    }

    /// `dst[i] = f(src[i])` — a loop the compiler vectorises when `f` is one of the functions above.
    @inline(__always)
    static func map(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int, _ f: (Float) -> Float) {
        for i in 0..<count { dst[i] = f(src[i]) }
    }
}
