import Foundation
import Testing
@testable import PTuneCore

/// The fused causal grouped-query attention: finite-difference gradients, and agreement with a plain
/// reference (per head softmax(q·kᵀ/√d) over the visible keys, then ·v).
@Suite struct AttentionOpTests {
    var g = Generator(seed: 5)
    mutating func r(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, dtype: .float64, using: &g) }

    func scalarize(_ t: Tensor) throws -> Tensor {
        var gen = Generator(seed: 98)
        return try (t * Tensor.randn(t.shape, dtype: t.dtype, using: &gen)).sum()
    }

    /// Shared prefix rows 0..<2, then two sequences of 3 and 2 rows that see the prefix first.
    let prefixed = [AttentionSegment(queries: 0..<2, keys: [0..<2]),
                    AttentionSegment(queries: 2..<5, keys: [0..<2, 2..<5]),
                    AttentionSegment(queries: 5..<7, keys: [0..<2, 5..<7])]

    /// The reference: explicit loops in float64 over the same segments.
    func reference(q: [Double], k: [Double], v: [Double], nq: Int, heads: AttentionHeads,
                   segments: [AttentionSegment]) -> [Double] {
        let hd = heads.headDim, qw = heads.queryWidth, kw = heads.kvWidth, group = heads.heads / heads.kvHeads
        var out = [Double](repeating: 0, count: nq * qw)
        for s in segments {
            let keys = s.keys.flatMap { Array($0) }
            for (j, qr) in s.queries.enumerated() {
                let visible = Array(keys.prefix(keys.count - s.queries.count + j + 1))
                for h in 0..<heads.heads {
                    let kh = h / group
                    var scores = visible.map { kr in
                        (0..<hd).reduce(0.0) { $0 + q[qr * qw + h * hd + $1] * k[kr * kw + kh * hd + $1] } / Double(hd).squareRoot()
                    }
                    let m = scores.max() ?? 0
                    scores = scores.map { Foundation.exp($0 - m) }
                    let z = scores.reduce(0, +)
                    for (i, kr) in visible.enumerated() {
                        for d in 0..<hd { out[qr * qw + h * hd + d] += scores[i] / z * v[kr * kw + kh * hd + d] }
                    }
                }
            }
        }
        return out
    }

    @Test mutating func matchesReferenceWithSharedPrefix() throws {
        let heads = try AttentionHeads(heads: 4, kvHeads: 2, headDim: 3)
        let q = try r([7, 12]), k = try r([7, 6]), v = try r([7, 6])
        let y = try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: prefixed, mask: .causal).doubles
        let ref = reference(q: q.doubles, k: k.doubles, v: v.doubles, nq: 7, heads: heads, segments: prefixed)
        #expect(zip(y, ref).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        // The fused [q | k | v] form gives the same.
        let fused = try Tensor.concat([q, k, v], axis: 1)
        let y2 = try Tensor.attention(qkv: fused, heads: heads, segments: prefixed, mask: .causal).doubles
        #expect(zip(y2, ref).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        // float32 agrees to float32 precision.
        let y3 = try Tensor.attention(qkv: fused.to(.float32), heads: heads, segments: prefixed, mask: .causal).doubles
        #expect(zip(y3, ref).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
    }

    @Test mutating func gradientsSeparateAndFused() throws {
        let heads = try AttentionHeads(heads: 4, kvHeads: 2, headDim: 3)
        let segs = prefixed
        let res = try GradCheck.check([try r([7, 12]), try r([7, 6]), try r([7, 6])]) {
            try scalarize(Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: heads, segments: segs, mask: .causal))
        }
        #expect(res.passed, "\(res)")
        let res2 = try GradCheck.check([try r([7, 24])]) {
            try scalarize(Tensor.attention(qkv: $0[0], heads: heads, segments: segs, mask: .causal))
        }
        #expect(res2.passed, "\(res2)")
    }

    @Test mutating func cachedKeysAndLongerSegments() throws {
        // Decoding: two new queries against five cached keys plus their own (7 keys), and a long sequence that
        // goes through BLAS (not the small-product loop) on several threads.
        let heads = try AttentionHeads(heads: 6, kvHeads: 3, headDim: 16)
        let segs = [AttentionSegment(queries: 0..<2, keys: [0..<7])]
        let q = try r([2, 96]), k = try r([7, 48]), v = try r([7, 48])
        let y = try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: segs, mask: .causal).doubles
        let ref = reference(q: q.doubles, k: k.doubles, v: v.doubles, nq: 2, heads: heads, segments: segs)
        #expect(zip(y, ref).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        let long = [AttentionSegment(queries: 0..<40, keys: [0..<40]), AttentionSegment(queries: 40..<90, keys: [0..<10, 40..<90])]
        let q2 = try r([90, 96]), k2 = try r([90, 48]), v2 = try r([90, 48])
        let y2 = try Tensor.attention(query: q2.to(.float32), key: k2.to(.float32), value: v2.to(.float32),
                                            heads: heads, segments: long, mask: .causal).doubles
        let ref2 = reference(q: q2.doubles, k: k2.doubles, v: v2.doubles, nq: 90, heads: heads, segments: long)
        #expect(zip(y2, ref2).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        // Gradient along random directions (a full finite-difference sweep would take minutes here).
        let me = self
        let f: ([Tensor]) throws -> Tensor = {
            try me.scalarize(Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: heads, segments: long, mask: .causal))
        }
        let leaves = try [q2, k2, v2].map { try $0.requiringGradient() }
        let grads = try Tensor.gradients(of: try f(leaves), wrt: leaves)
        for _ in 0..<3 {
            let dirs = try [q2, k2, v2].map { try r($0.shape) }
            let eps = 1e-6
            let plus = try f(zip([q2, k2, v2], dirs).map { try $0 + $1 * eps }).scalarValue()
            let minus = try f(zip([q2, k2, v2], dirs).map { try $0 - $1 * eps }).scalarValue()
            let numeric = (plus - minus) / (2 * eps)
            let analytic = try zip(grads, dirs).reduce(0.0) { $0 + (try ($1.0 * $1.1).sum().scalarValue()) }
            #expect(Swift.abs(numeric - analytic) < 1e-6 * Swift.max(1, Swift.abs(numeric)), "\(numeric) vs \(analytic)")
        }
    }

    @Test mutating func frozenKeysGetNoGradient() throws {
        let heads = try AttentionHeads(heads: 2, kvHeads: 1, headDim: 4)
        let q = try r([3, 8]).requiringGradient(), k = try r([3, 4]), v = try r([3, 4])
        let loss = try scalarize(Tensor.attention(query: q, key: k, value: v, heads: heads,
                                                        segments: [AttentionSegment(queries: 0..<3, keys: [0..<3])], mask: .causal))
        var report = BackwardReport()
        let gq = try Tensor.gradients(of: loss, wrt: [q], report: &report)[0]
        #expect(gq.shape == [3, 8])
        #expect(report.gradientKernels == 3, "sum, mul, then attention's query side only")
    }

    @Test func rejectsBadSegments() throws {
        let heads = try AttentionHeads(heads: 2, kvHeads: 1, headDim: 2)
        let x = try Tensor.zeros([4, 8])
        #expect(throws: TensorError.self) { try Tensor.attention(qkv: x, heads: heads, segments: [AttentionSegment(queries: 0..<5, keys: [0..<5])], mask: .causal) }
        #expect(throws: TensorError.self) { try Tensor.attention(qkv: x, heads: heads, segments: [AttentionSegment(queries: 0..<3, keys: [0..<2])], mask: .causal) }
        #expect(throws: TensorError.self) {
            try Tensor.attention(qkv: x, heads: heads, segments: [AttentionSegment(queries: 0..<3, keys: [0..<3]), AttentionSegment(queries: 2..<4, keys: [2..<4])], mask: .causal)
        }
        #expect(throws: TensorError.self) { try Tensor.attention(qkv: try Tensor.zeros([4, 7]), heads: heads, segments: [], mask: .causal) }
        #expect(throws: TensorError.self) { try AttentionHeads(heads: 3, kvHeads: 2, headDim: 4) }
    }
}
