import Foundation

/// Fast `erf` and `exp` for the hot elementwise kernels (GELU, attention softmax, cross-entropy), accurate to about
/// one ulp (checked against libm in the tests), branch-free and four lanes at a time.
///
/// - `erf(z) = z · Q_i(t)` for |z| < 6, with Q_i the degree-9 Chebyshev interpolant of `erf(z)/z` on interval i of
///   width ⅛ (`t = 16(|z| − c_i)`; table from `scripts/gen_erf_table.py`); `±1` beyond (erfc(6) < 2⁻⁵⁵).
/// - `exp(x) = 2ᵏ · e^r` with Cody–Waite reduction `r = x − k·ln2` (|r| ≤ ln2/2, ln2 in two parts, k rounded by the
///   1.5·2⁵² trick) and the degree-13 Taylor polynomial of `e^r` (truncation < 10⁻¹⁷); libm handles |x| ≥ 708
///   (overflow, subnormal results) and NaN.
enum FastMath {
    private static let log2e = 1.4426950408889634
    private static let ln2Hi = 6.93147180369123816490e-01
    private static let ln2Lo = 1.90821492927058770002e-10
    private static let magic = 6_755_399_441_055_744.0  // 1.5 · 2⁵²: adding it rounds to an integer

    /// Calls `body` with the erf table (hoist it out of loops).
    @inline(__always) static func withErfTable<R>(_ body: (UnsafePointer<Double>) throws -> R) rethrows -> R {
        try erfTable.withUnsafeBufferPointer { try body($0.baseAddress.unsafelyUnwrapped) }
    }

    /// erf x, given the table from ``withErfTable(_:)``.
    @inline(__always) static func erf(_ x: Double, table: UnsafePointer<Double>) -> Double {
        let z = Swift.abs(x)
        guard z < 6 else { return x.isNaN ? x : (x < 0 ? -1 : 1) }
        let i = Int(z * 8)
        let t = (z - (Double(i) + 0.5) * 0.125) * 16
        let c = table + i * 10
        var q = c[9]
        q = q * t + c[8]; q = q * t + c[7]; q = q * t + c[6]; q = q * t + c[5]; q = q * t + c[4]
        q = q * t + c[3]; q = q * t + c[2]; q = q * t + c[1]; q = q * t + c[0]
        return x * q
    }

    /// erf x.
    static func erf(_ x: Double) -> Double { withErfTable { erf(x, table: $0) } }

    /// erf of four lanes.
    @inline(__always) static func erf(_ x: SIMD4<Double>, table: UnsafePointer<Double>) -> SIMD4<Double> {
        let z = x.replacing(with: -x, where: x .< 0)
        guard all(z .< 6) else {  // a lane at ±1, ±∞ or NaN: lane by lane
            return SIMD4(erf(x[0], table: table), erf(x[1], table: table), erf(x[2], table: table), erf(x[3], table: table))
        }
        let z8 = z * 8
        let i0 = Int(z8[0]), i1 = Int(z8[1]), i2 = Int(z8[2]), i3 = Int(z8[3])
        let t = (z - (SIMD4(Double(i0), Double(i1), Double(i2), Double(i3)) + 0.5) * 0.125) * 16
        let c0 = table + i0 * 10, c1 = table + i1 * 10, c2 = table + i2 * 10, c3 = table + i3 * 10
        @inline(__always) func coefficient(_ j: Int) -> SIMD4<Double> { SIMD4(c0[j], c1[j], c2[j], c3[j]) }
        var q = coefficient(9)
        q = q * t + coefficient(8); q = q * t + coefficient(7); q = q * t + coefficient(6)
        q = q * t + coefficient(5); q = q * t + coefficient(4); q = q * t + coefficient(3)
        q = q * t + coefficient(2); q = q * t + coefficient(1); q = q * t + coefficient(0)
        return x * q
    }

    /// erf x and its derivative `2/√π · e^(−x²)`, the latter from the same polynomial (`d/dz [z·Q(t)] = Q + 16·|z|·Q′`,
    /// about 1e-15 absolute), so no `exp` is needed.
    @inline(__always) static func erfWithDerivative(_ x: Double, table: UnsafePointer<Double>) -> (Double, Double) {
        let z = Swift.abs(x)
        guard z < 6 else {
            return x.isNaN ? (x, x) : (x < 0 ? -1 : 1, 1.1283791670955126 * Foundation.exp(-x * x))
        }
        let i = Int(z * 8)
        let t = (z - (Double(i) + 0.5) * 0.125) * 16
        let c = table + i * 10
        var q = c[9], dq = 0.0
        for j in stride(from: 8, through: 0, by: -1) { dq = dq * t + q; q = q * t + c[j] }
        return (x * q, q + 16 * z * dq)
    }

    /// erf and its derivative on four lanes (see the scalar form).
    @inline(__always) static func erfWithDerivative(_ x: SIMD4<Double>, table: UnsafePointer<Double>) -> (SIMD4<Double>, SIMD4<Double>) {
        let z = x.replacing(with: -x, where: x .< 0)
        guard all(z .< 6) else {
            let a = erfWithDerivative(x[0], table: table), b = erfWithDerivative(x[1], table: table)
            let c = erfWithDerivative(x[2], table: table), d = erfWithDerivative(x[3], table: table)
            return (SIMD4(a.0, b.0, c.0, d.0), SIMD4(a.1, b.1, c.1, d.1))
        }
        let z8 = z * 8
        let i0 = Int(z8[0]), i1 = Int(z8[1]), i2 = Int(z8[2]), i3 = Int(z8[3])
        let t = (z - (SIMD4(Double(i0), Double(i1), Double(i2), Double(i3)) + 0.5) * 0.125) * 16
        let c0 = table + i0 * 10, c1 = table + i1 * 10, c2 = table + i2 * 10, c3 = table + i3 * 10
        @inline(__always) func coefficient(_ j: Int) -> SIMD4<Double> { SIMD4(c0[j], c1[j], c2[j], c3[j]) }
        var q = coefficient(9), dq = SIMD4<Double>()
        dq = dq * t + q; q = q * t + coefficient(8)
        dq = dq * t + q; q = q * t + coefficient(7)
        dq = dq * t + q; q = q * t + coefficient(6)
        dq = dq * t + q; q = q * t + coefficient(5)
        dq = dq * t + q; q = q * t + coefficient(4)
        dq = dq * t + q; q = q * t + coefficient(3)
        dq = dq * t + q; q = q * t + coefficient(2)
        dq = dq * t + q; q = q * t + coefficient(1)
        dq = dq * t + q; q = q * t + coefficient(0)
        return (x * q, q + 16 * z * dq)
    }

    /// eˣ
    @inline(__always) static func exp(_ x: Double) -> Double {
        guard x > -708, x < 708 else { return Foundation.exp(x) }
        let y = x * log2e + magic
        let k = y - magic
        let r = (x - k * ln2Hi) - k * ln2Lo
        let scale = Double(bitPattern: (y.bitPattern &- magic.bitPattern &+ 1023) << 52)
        return expPolynomial(r) * scale
    }

    /// eˣ of four lanes.
    @inline(__always) static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        guard all(x .> -708 .& x .< 708) else {
            return SIMD4(exp(x[0]), exp(x[1]), exp(x[2]), exp(x[3]))
        }
        let y = x * log2e + magic
        let k = y - magic
        let r = (x - k * ln2Hi) - k * ln2Lo
        let bits = (unsafeBitCast(y, to: SIMD4<UInt64>.self) &- magic.bitPattern &+ 1023) &<< 52
        return expPolynomial(r) * unsafeBitCast(bits, to: SIMD4<Double>.self)
    }

    /// e^r for |r| ≤ ln2/2: Taylor to degree 13 (Horner).
    @inline(__always) private static func expPolynomial<V: SIMDOrScalar>(_ r: V) -> V {
        var p = V(1.0 / 6_227_020_800)
        p = p * r + V(1.0 / 479_001_600); p = p * r + V(1.0 / 39_916_800); p = p * r + V(1.0 / 3_628_800)
        p = p * r + V(1.0 / 362_880); p = p * r + V(1.0 / 40_320); p = p * r + V(1.0 / 5040); p = p * r + V(1.0 / 720)
        p = p * r + V(1.0 / 120); p = p * r + V(1.0 / 24); p = p * r + V(1.0 / 6); p = p * r + V(0.5)
        p = p * r + V(1); p = p * r + V(1)
        return p
    }
}

/// `Double` or `SIMD4<Double>`: what the shared polynomial code runs on.
protocol SIMDOrScalar {
    init(_ value: Double)
    static func * (a: Self, b: Self) -> Self
    static func + (a: Self, b: Self) -> Self
}

extension Double: SIMDOrScalar {}
extension SIMD4: SIMDOrScalar where Scalar == Double {
    init(_ value: Double) { self.init(repeating: value) }
}
