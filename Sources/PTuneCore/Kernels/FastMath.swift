import Foundation

/// Branch-free elementary functions for the hot elementwise and fused kernels (softmax, attention, SiLU, SwiGLU,
/// GELU, cross-entropy), scalar and on SIMD lanes, so that loops over them vectorise. Fused kernels outside the core
/// (the losses of PTuneNN) use the same functions.
///
/// eˣ is one algorithm at both precisions: Cody–Waite reduction `x = k·ln2 + r` (`|r| ≤ ln2/2`, k rounded by adding
/// 1.5·2ᵐ, m the mantissa width, so no float→int conversion), the Taylor polynomial of `eʳ` (``expPolynomial(_:)``,
/// degree 7 for float32 and 13 for float64: truncation below 1e-8 and 1e-17 relative), and 2ᵏ built in the
/// exponent bits. Relative error ≤ 2 ulp (checked against libm in the tests); beyond the finite range +∞ or 0, NaN
/// stays NaN.
public enum FastMath {
    // MARK: float32

    /// eˣ in float32.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let hi: Float = 88.3762626647949, lo: Float = -87.3365447504
        let v = x > hi ? hi : (x < lo ? lo : x)
        let magic: Float = 12_582_912  // 1.5 · 2²³: adding it rounds to an integer kept in the low mantissa bits
        let t = v * 1.44269504088896341 + magic
        let k = t - magic
        let r = (v - k * 0.693359375) - k * -2.12194440e-4
        let scale = Float(bitPattern: UInt32(bitPattern: (Int32(bitPattern: t.bitPattern) &- 0x4B40_0000 &+ 127) &<< 23))
        let e = expPolynomial(r) * scale
        return x > hi ? .infinity : (x < lo ? 0 : e)
    }

    /// eˣ on eight float32 lanes (lanes outside the finite range compute garbage that the masks replace).
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let t = x * 1.44269504088896341 + magic
        let k = t - magic
        let r = (x - k * 0.693359375) - k * -2.12194440e-4
        let bits = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        var e = expPolynomial(r) * unsafeBitCast(bits, to: SIMD8<Float>.self)
        e.replace(with: .infinity, where: x .> 88.3762626647949)
        e.replace(with: 0, where: x .< -87.3365447504)
        return e
    }

    /// `p[i] = eᵖ⁽ⁱ⁾` over a float32 buffer, eight lanes at a time.
    @inlinable @inline(__always)
    public static func expInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        mapInPlace(p, count: count, as: SIMD8<Float>.self, exp, exp)
    }

    /// `p[i] = eᵖ⁽ⁱ⁾` over a float64 buffer, four lanes at a time.
    @inlinable @inline(__always)
    public static func expInPlace(_ p: UnsafeMutablePointer<Double>, count: Int) {
        mapInPlace(p, count: count, as: SIMD4<Double>.self, exp, exp)
    }

    /// `p[i] = f(p[i])` over a buffer, `V.scalarCount` lanes at a time by `vector`, the tail by `scalar`.
    @inlinable @inline(__always) @usableFromInline
    static func mapInPlace<V: SIMD>(_ p: UnsafeMutablePointer<V.Scalar>, count: Int, as _: V.Type,
                                    _ vector: (V) -> V, _ scalar: (V.Scalar) -> V.Scalar) {
        let width = V.scalarCount, bytes = MemoryLayout<V.Scalar>.stride
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i + width <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * bytes, as: V.self)
            raw.storeBytes(of: vector(v), toByteOffset: i * bytes, as: V.self)
            i += width
        }
        while i < count { p[i] = scalar(p[i]); i += 1 }
    }

    /// σ(x) = 1 / (1 + e⁻ˣ).
    @inlinable @inline(__always) public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// σ on eight lanes.
    @inlinable @inline(__always) public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + exp(-x)) }

    /// x · σ(x).
    @inlinable @inline(__always) public static func silu(_ x: Float) -> Float { x / (1 + exp(-x)) }

    /// The derivative of SiLU: σ(x) · (1 + x · (1 − σ(x))).
    @inlinable @inline(__always) public static func siluDerivative(_ x: Float) -> Float {
        let s = sigmoid(x)
        return s * (1 + x * (1 - s))
    }

    // MARK: float64

    /// eˣ in float64 (libm beyond ±708, where the result overflows or is subnormal).
    @inlinable @inline(__always)
    public static func exp(_ x: Double) -> Double {
        guard x > -708, x < 708 else { return Foundation.exp(x) }
        let magic = 6_755_399_441_055_744.0  // 1.5 · 2⁵²
        let t = x * 1.4426950408889634 + magic
        let k = t - magic
        let r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
        let scale = Double(bitPattern: (t.bitPattern &- magic.bitPattern &+ 1023) << 52)
        return expPolynomial(r) * scale
    }

    /// eˣ on four float64 lanes.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        guard all(x .> -708 .& x .< 708) else { return SIMD4(exp(x[0]), exp(x[1]), exp(x[2]), exp(x[3])) }
        let magic = 6_755_399_441_055_744.0
        let t = x * 1.4426950408889634 + magic
        let k = t - magic
        let r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
        let bits = (unsafeBitCast(t, to: SIMD4<UInt64>.self) &- magic.bitPattern &+ 1023) &<< 52
        return expPolynomial(r) * unsafeBitCast(bits, to: SIMD4<Double>.self)
    }

    // MARK: the polynomial

    /// eʳ for |r| ≤ ln2/2: the Taylor polynomial `Σ_{j ≤ n} rʲ/j!` by Horner, of degree n = ``ExpLanes/expDegree``
    /// (the terms above it fold away once the lane type is known).
    @inlinable @inline(__always) @usableFromInline
    static func expPolynomial<V: ExpLanes>(_ r: V) -> V {
        let n = V.expDegree
        var p = V(n >= 13 ? 1.0 / 6_227_020_800 : (n >= 7 ? 1.0 / 5040 : 1))
        if n >= 13 {
            p = p * r + V(1.0 / 479_001_600); p = p * r + V(1.0 / 39_916_800); p = p * r + V(1.0 / 3_628_800)
            p = p * r + V(1.0 / 362_880); p = p * r + V(1.0 / 40_320); p = p * r + V(1.0 / 5040)
        }
        p = p * r + V(1.0 / 720); p = p * r + V(1.0 / 120); p = p * r + V(1.0 / 24); p = p * r + V(1.0 / 6)
        p = p * r + V(0.5); p = p * r + V(1); p = p * r + V(1)
        return p
    }

    // MARK: lanes of tensor elements

    /// Four consecutive elements as float64 lanes.
    @inlinable @inline(__always)
    public static func lanes<T: TensorFloat>(_ p: UnsafePointer<T>) -> SIMD4<Double> {
        SIMD4(p[0].doubleValue, p[1].doubleValue, p[2].doubleValue, p[3].doubleValue)
    }

    /// Four consecutive elements as float64 lanes.
    @inlinable @inline(__always)
    public static func lanes<T: TensorFloat>(_ p: UnsafeMutablePointer<T>) -> SIMD4<Double> { lanes(UnsafePointer(p)) }

    /// Stores four float64 lanes as consecutive elements of type `T`.
    @inlinable @inline(__always)
    public static func store<T: TensorFloat>(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<T>) {
        p[0] = T(fromDouble: v[0]); p[1] = T(fromDouble: v[1]); p[2] = T(fromDouble: v[2]); p[3] = T(fromDouble: v[3])
    }
}

/// A scalar or vector type ``FastMath/expPolynomial(_:)`` evaluates on, with the degree its precision needs.
public protocol ExpLanes {
    /// The degree of the Taylor polynomial of eʳ (|r| ≤ ln2/2) that reaches this type's precision.
    static var expDegree: Int { get }
    /// Every lane `value`.
    init(_ value: Double)
    static func * (a: Self, b: Self) -> Self
    static func + (a: Self, b: Self) -> Self
}

extension Float: ExpLanes {
    /// 7: the next term is below 5.2e-9 relative.
    public static var expDegree: Int { 7 }
}

extension Double: ExpLanes {
    /// 13: the next term is below 1e-17 relative.
    public static var expDegree: Int { 13 }
}

extension SIMD8: ExpLanes where Scalar == Float {
    /// 7, as `Float`.
    public static var expDegree: Int { 7 }
    /// Every lane `value`.
    @inlinable public init(_ value: Double) { self.init(repeating: Float(value)) }
}

extension SIMD4: ExpLanes where Scalar == Double {
    /// 13, as `Double`.
    public static var expDegree: Int { 13 }
    /// Every lane `value`.
    @inlinable public init(_ value: Double) { self.init(repeating: value) }
}
