import Foundation
import PTuneCore

/// The core of multi-head self-attention as one differentiable operation: from the fused projections `[B, T, 3d]`
/// (q | k | v, heads side by side in each) to the heads' outputs concatenated `[B, T, d]`.
/// ```
/// S = q kᵀ · s        P = softmax over allowed keys (0 elsewhere)        Y = P v
/// ```
/// with `s = 1/√(d/H)`. Allowed keys: not after the query when causal, and not padding. Every head's q, k, v and Y is
/// addressed in place through BLAS leading dimensions, so no split, permute or mask tensor is ever built; masked
/// scores are never exponentiated, and a query with no allowed key gets zeros. The probabilities `P` `[B, H, T, T]`
/// are kept for the backward:
/// ```
/// dP = dY vᵀ    dv = Pᵀ dY    dS = P ⊙ (dP − Σ_j dP ⊙ P) · s    dq = dS k    dk = dSᵀ q
/// ```
enum FusedAttention {
    /// `keyPadding[b · T + j]` is true where key j of sequence b is padding (nil: none).
    static func attend(_ qkv: Tensor, heads: Int, causal: Bool, keyPadding: [Bool]?) throws -> Tensor {
        guard qkv.rank == 3, qkv.shape[2] % (3 * heads) == 0, heads > 0 else {
            throw NNError.shapeMismatch("attention", "fused projections must be [batch, time, 3·d] with d a multiple of \(heads) heads, got \(Shape.describe(qkv.shape))")
        }
        let b = qkv.shape[0], t = qkv.shape[1], d3 = qkv.shape[2], d = d3 / 3, hd = d / heads
        if let keyPadding, keyPadding.count != b * t {
            throw NNError.shapeMismatch("attention", "padding mask of \(keyPadding.count) entries for [\(b), \(t)]")
        }
        let scale = 1 / Double(hd).squareRoot()
        switch qkv.dtype {
        case .float32: return try run(Float.self, qkv, b, t, d, heads, hd, scale, causal, keyPadding)
        case .float64: return try run(Double.self, qkv, b, t, d, heads, hd, scale, causal, keyPadding)
        case .int64: throw TensorError.unsupportedDType(op: .attention, .int64)
        }
    }

    private static func run<T: TensorFloat>(_: T.Type, _ qkv: Tensor, _ b: Int, _ t: Int, _ d: Int, _ heads: Int,
                                            _ hd: Int, _ scale: Double, _ causal: Bool, _ padding: [Bool]?) throws -> Tensor {
        let d3 = 3 * d, s = T(scale), tt = t * t
        let pairsPerChunk = Swift.max(1, 32_768 / Swift.max(1, tt * hd))
        // Every probability and output element is written (masked entries as 0), so nothing is zero-filled first.
        var output: Tensor? = nil
        let probs = try Tensor.filling([b, heads, t, t], as: T.self) { pr in
            output = try Tensor.filling([b, t, d], as: T.self) { o in
                guard let ob = o.baseAddress, let pb = pr.baseAddress else { return }
                try qkv.withScalars(T.self) { x in
                    guard let xb = x.baseAddress else { return }
                    Parallel.forChunks(b * heads, minimumChunk: pairsPerChunk) { pairs in
                        for pair in pairs {
                            let bi = pair / heads, h = pair % heads
                            let q = xb + bi * t * d3 + h * hd, k = q + d, v = q + 2 * d
                            let p = pb + pair * tt
                            BLAS.multiply(transposeA: false, transposeB: true, m: t, n: t, k: hd, a: q, lda: d3, b: k, ldb: d3,
                                          beta: 0, c: p, ldc: t)
                            softmaxRows(p, t, s, causal, padding, bi)
                            BLAS.multiply(transposeA: false, transposeB: false, m: t, n: hd, k: t, a: p, lda: t, b: v, ldb: d3,
                                          beta: 0, c: ob + bi * t * d + h * hd, ldc: d)
                        }
                    }
                }
            }
        }
        guard let out = output else { throw TensorError.invalidArgument(op: .attention, "no output was produced") }
        let x = qkv.detached(), saved = probs
        return Tensor.differentiable("attention", output: out, inputs: [qkv]) { g, needs in
            guard needs[0] else { return [nil] }
            let dx = try Tensor.filling([b, t, d3], as: T.self) { dq in
                guard let dqb = dq.baseAddress else { return }
                try x.withScalars(T.self) { xs in
                    try saved.withScalars(T.self) { ps in
                        try g.withScalars(T.self) { gs in
                            guard let xb = xs.baseAddress, let pb = ps.baseAddress, let gb = gs.baseAddress else { return }
                            Parallel.forChunks(b * heads, minimumChunk: pairsPerChunk) { pairs in
                                let dp = UnsafeMutablePointer<T>.allocate(capacity: tt)
                                defer { dp.deallocate() }
                                for pair in pairs {
                                    let bi = pair / heads, h = pair % heads
                                    let q = xb + bi * t * d3 + h * hd, k = q + d, v = q + 2 * d
                                    let p = pb + pair * tt
                                    let gy = gb + bi * t * d + h * hd
                                    let dQ = dqb + bi * t * d3 + h * hd, dK = dQ + d, dV = dQ + 2 * d
                                    BLAS.multiply(transposeA: false, transposeB: true, m: t, n: t, k: hd, a: gy, lda: d,
                                                  b: v, ldb: d3, beta: 0, c: dp, ldc: t)
                                    BLAS.multiply(transposeA: true, transposeB: false, m: t, n: hd, k: t, a: p, lda: t,
                                                  b: gy, ldb: d, beta: 0, c: dV, ldc: d3)
                                    for i in 0..<t {
                                        let pr = p + i * t, dr = dp + i * t
                                        let limit = causal ? i + 1 : t
                                        var dot: T = 0
                                        for j in 0..<limit { dot += dr[j] * pr[j] }
                                        for j in 0..<limit { dr[j] = pr[j] * (dr[j] - dot) * s }
                                        if limit < t { (dr + limit).update(repeating: 0, count: t - limit) }
                                    }
                                    BLAS.multiply(transposeA: false, transposeB: false, m: t, n: hd, k: t, a: dp, lda: t,
                                                  b: k, ldb: d3, beta: 0, c: dQ, ldc: d3)
                                    BLAS.multiply(transposeA: true, transposeB: false, m: t, n: hd, k: t, a: dp, lda: t,
                                                  b: q, ldb: d3, beta: 0, c: dK, ldc: d3)
                                }
                            }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// The masked softmax of each row of `p` (`t × t` scores of sequence `bi`), scaled by `s`, in place.
    @inline(__always)
    private static func softmaxRows<T: TensorFloat>(_ p: UnsafeMutablePointer<T>, _ t: Int, _ s: T, _ causal: Bool,
                                                    _ padding: [Bool]?, _ bi: Int) {
        for i in 0..<t {
            let row = p + i * t
            let limit = causal ? i + 1 : t
            var m = -T.infinity
            for j in 0..<limit where !(padding?[bi * t + j] ?? false) { m = Swift.max(m, row[j] * s) }
            guard m > -T.infinity else { row.update(repeating: 0, count: t); continue }
            var z = 0.0
            for j in 0..<limit {
                if padding?[bi * t + j] ?? false { row[j] = 0; continue }
                let e = FastMath.exp((row[j] * s - m).doubleValue)
                row[j] = T(fromDouble: e)
                z += e
            }
            if limit < t { (row + limit).update(repeating: 0, count: t - limit) }
            let inv = T(fromDouble: 1 / z)
            for j in 0..<limit { row[j] *= inv }
        }
    }
}
