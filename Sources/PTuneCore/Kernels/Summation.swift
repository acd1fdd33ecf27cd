/// The summation every float reduction uses (sums, means, softmax normalisers): blocks of up to 256 elements added on
/// SIMD lanes, and blocks combined pairwise. Adding n float32 numbers one after another lets the error grow with n
/// (49,152 softmax probabilities summed that way come to 1 + 4e-5); here it grows with log n, and the lanes make it
/// faster than a sequential loop besides.
enum Summation {
    /// Elements summed on lanes before the pairwise tree takes over.
    static let block = 256

    /// Σ `x[0..<count]`.
    @inline(__always)
    static func sum<T: TensorFloat>(_ x: UnsafePointer<T>, count: Int) -> T {
        if T.self == Float.self {
            return x.withMemoryRebound(to: Float.self, capacity: count) { T(fromDouble: Double(pairwise($0, count, as: SIMD8<Float>.self))) }
        }
        return x.withMemoryRebound(to: Double.self, capacity: count) { T(fromDouble: pairwise($0, count, as: SIMD4<Double>.self)) }
    }

    /// Σ `x[0..<count]`: pairwise above ``block`` elements, each block on two vectors of lanes `V`.
    static func pairwise<V: SIMD>(_ x: UnsafePointer<V.Scalar>, _ count: Int, as _: V.Type) -> V.Scalar
    where V.Scalar: BinaryFloatingPoint {
        if count <= block { return lanes(x, count, as: V.self) }
        let half = (count / 2 + 7) / 8 * 8
        return pairwise(x, half, as: V.self) + pairwise(x + half, count - half, as: V.self)
    }

    /// One block summed on two vectors of lanes (so the adds do not wait on each other), then across the lanes.
    @inline(__always)
    static func lanes<V: SIMD>(_ x: UnsafePointer<V.Scalar>, _ count: Int, as _: V.Type) -> V.Scalar
    where V.Scalar: BinaryFloatingPoint {
        let raw = UnsafeRawPointer(x), width = V.scalarCount, bytes = MemoryLayout<V.Scalar>.stride
        var a = V(), b = V()
        var i = 0
        while i + 2 * width <= count {
            a += raw.loadUnaligned(fromByteOffset: i * bytes, as: V.self)
            b += raw.loadUnaligned(fromByteOffset: (i + width) * bytes, as: V.self)
            i += 2 * width
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
