import Foundation

/// The one random number generator of ptune: **xoshiro256\*\*** (Blackman & Vigna, 2018), seeded by expanding a
/// 64-bit seed with **SplitMix64**.
///
/// - Uniform doubles in [0, 1) take the top 53 bits of one draw: `(x >> 11) · 2⁻⁵³`.
/// - Normal draws use the **Box–Muller** transform on two uniforms, keeping the cosine branch only:
///   `z = √(−2 ln(1 − u₁)) · cos(2π u₂)` — one normal per two draws, so the stream never depends on a cached value.
/// - Integers in `0..<n` use rejection on the top bits (no modulo bias).
///
/// The same seed gives bit-identical draws on every run, in every build mode and whatever the thread count: there is
/// no global generator, whoever draws holds one, and its whole ``state`` can be saved and restored.
public struct Generator: Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The four 64-bit words of xoshiro256** state (save them to resume the stream exactly).
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator seeded from `seed` by SplitMix64.
    public init(seed: UInt64) {
        var z = seed
        var s = [UInt64](repeating: 0, count: 4)
        for i in 0..<4 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            s[i] = x ^ (x >> 31)
        }
        (s0, s1, s2, s3) = (s[0], s[1], s[2], s[3])
    }

    /// A generator restored from a saved ``state`` (four words, not all zero), or nil when the state is invalid.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always) public mutating func next() -> UInt64 {
        let result = Generator.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Generator.rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1).
    @inline(__always) public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal double (Box–Muller, cosine branch).
    @inline(__always) public mutating func nextNormal() -> Double {
        let u1 = nextUniform()
        let u2 = nextUniform()
        return (-2.0 * Foundation.log(1.0 - u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2)
    }

    /// A uniform integer in `0..<bound` (bound > 0), without modulo bias.
    public mutating func nextInt(below bound: UInt64) -> UInt64 {
        guard bound > 1 else { return 0 }
        let bits = 64 - (bound - 1).leadingZeroBitCount
        while true {
            let x = next() >> UInt64(64 - bits)
            if x < bound { return x }
        }
    }

    /// A uniform integer in `range` (which must not be empty).
    public mutating func nextInt(in range: Range<Int>) -> Int {
        guard !range.isEmpty else { return range.lowerBound }
        let width = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound))
        return range.lowerBound &+ Int(truncatingIfNeeded: nextInt(below: width))
    }

    /// A permutation of `0..<n` by Fisher–Yates.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<Swift.max(n, 0))
        if p.count > 1 {
            for i in stride(from: p.count - 1, to: 0, by: -1) {
                let j = Int(nextInt(below: UInt64(i + 1)))
                p.swapAt(i, j)
            }
        }
        return p
    }

    /// An independent generator derived from this one's next draws (for a sub-component that must not perturb the
    /// parent's stream order more than one draw).
    public mutating func split() -> Generator { Generator(seed: next()) }
}
