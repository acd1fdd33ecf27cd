/// The summation every float reduction uses (sums, means, softmax normalisers): blocks of up to 256 elements added on
/// SIMD lanes, and blocks combined pairwise. Adding n float32 numbers one after another lets the error grow with n
/// (over 49,152 softmax probabilities, the sum drifted 4e-5 from 1); here it grows with log n, and the lanes make it
/// faster than the sequential loop besides.
enum Summation {
    /// Elements summed on lanes before the pairwise tree takes over.
    static let block = 256

    /// Σ `x[0..<count]`.
    @inline(__always)
    static func sum<T: TensorFloat>(_ x: UnsafePointer<T>, count: Int) -> T {
        if T.self == Float.self {
            return x.withMemoryRebound(to: Float.self, capacity: count) { T(fromDouble: Double(pairwise($0, count))) }
        }
        return x.withMemoryRebound(to: Double.self, capacity: count) { T(fromDouble: pairwise($0, count)) }
    }

    /// Σ `x[0..<count]` for float32: pairwise above ``block`` elements.
    static func pairwise(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        if count <= block { return lanes(x, count) }
        let half = (count / 2 + 7) / 8 * 8
        return pairwise(x, half) + pairwise(x + half, count - half)
    }

    /// Σ `x[0..<count]` for float64: pairwise above ``block`` elements.
    static func pairwise(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
        if count <= block { return lanes(x, count) }
        let half = (count / 2 + 7) / 8 * 8
        return pairwise(x, half) + pairwise(x + half, count - half)
    }

    /// One block on sixteen float32 lanes (two vectors of eight, so the adds do not wait on each other).
    @inline(__always)
    static func lanes(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var a = SIMD8<Float>(), b = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            a += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            b += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            i += 16
        }
        if i + 8 <= count {
            a += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var s = (a + b).sum()
        while i < count { s += x[i]; i += 1 }
        return s
    }

    /// One block on eight float64 lanes.
    @inline(__always)
    static func lanes(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
        let raw = UnsafeRawPointer(x)
        var a = SIMD4<Double>(), b = SIMD4<Double>()
        var i = 0
        while i + 8 <= count {
            a += raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
            b += raw.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self)
            i += 8
        }
        var s = (a + b).sum()
        while i < count { s += x[i]; i += 1 }
        return s
    }

    /// `out[j] = Σ_k x[k · width + j]` for `j < width`, `k < rows`: the sum over a leading axis, rows added in place
    /// up to 32 at a time and the partial sums combined pairwise.
    static func sumRows<T: TensorFloat>(_ x: UnsafePointer<T>, rows: Int, width: Int, into out: UnsafeMutablePointer<T>) {
        if rows <= 32 {
            for j in 0..<width { out[j] = 0 }
            for k in 0..<rows {
                let row = x + k * width
                for j in 0..<width { out[j] += row[j] }
            }
            return
        }
        let half = rows / 2
        sumRows(x, rows: half, width: width, into: out)
        let rest = UnsafeMutablePointer<T>.allocate(capacity: width)
        defer { rest.deallocate() }
        sumRows(x + half * width, rows: rows - half, width: width, into: rest)
        for j in 0..<width { out[j] += rest[j] }
    }
}
