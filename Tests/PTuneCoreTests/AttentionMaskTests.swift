import Foundation
import Testing
@testable import PTuneCore

/// The attention op beyond causal packing: bidirectional masks, key padding, sliding windows, score scales and soft
/// caps, and a KV prefix (the per-layer trainable keys and values of prefix tuning), with grouped-query heads, against
/// explicit float64 loops and finite differences; and the fused layer norm and GELU at sizes that split over threads.
@Suite struct AttentionMaskTests {
    var g = Generator(seed: 17)
    mutating func r(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, dtype: .float64, using: &g) }

    func scalarize(_ t: Tensor) throws -> Tensor {
        var gen = Generator(seed: 97)
        return try (t * Tensor.randn(t.shape, dtype: t.dtype, using: &gen)).sum()
    }

    /// Explicit loops: per segment, query and head, softmax over [prefix keys; the segment's keys it may see].
    func reference(q: [Double], k: [Double], v: [Double], pk: [Double], pv: [Double], p: Int, nq: Int,
                   heads: AttentionHeads, segments: [AttentionSegment], mask: AttentionMask,
                   scoring: AttentionScoring = .standard) -> [Double] {
        let hd = heads.headDim, qw = heads.queryWidth, kw = heads.kvWidth, group = heads.heads / heads.kvHeads
        var out = [Double](repeating: 0, count: nq * qw)
        for s in segments {
            let keys = s.keys.flatMap { Array($0) }
            for (j, qr) in s.queries.enumerated() {
                let seen = mask.isCausal ? Array(keys.prefix(keys.count - s.queries.count + j + 1)) : keys
                // Positions: the prefix at 0..<p, then the segment's keys; the query at the last key it sees.
                let position = p + seen.count - 1
                let inWindow = { (kp: Int) in mask.window.map { position - kp < $0 } ?? true }
                let visible = seen.enumerated().filter { !(mask.keyPadding?[$0.element] ?? false) && inWindow(p + $0.offset) }.map(\.element)
                let prefixRows = (0..<p).filter { inWindow($0) }
                for h in 0..<heads.heads {
                    let kh = h / group
                    func dot(_ row: [Double], _ r: Int) -> Double {
                        let s = (0..<hd).reduce(0.0) { $0 + q[qr * qw + h * hd + $1] * row[r * kw + kh * hd + $1] }
                            * (scoring.scale ?? 1 / Double(hd).squareRoot())
                        return scoring.softCap.map { Foundation.tanh(s / $0) * $0 } ?? s
                    }
                    // (source, row): 0 = prefix, 1 = keys.
                    let entries = prefixRows.map { (0, $0) } + visible.map { (1, $0) }
                    if entries.isEmpty { continue }
                    var scores = entries.map { $0.0 == 0 ? dot(pk, $0.1) : dot(k, $0.1) }
                    let m = scores.max() ?? 0
                    scores = scores.map { Foundation.exp($0 - m) }
                    let z = scores.reduce(0, +)
                    for (i, e) in entries.enumerated() {
                        let vals = e.0 == 0 ? pv : v
                        for d in 0..<hd { out[qr * qw + h * hd + d] += scores[i] / z * vals[e.1 * kw + kh * hd + d] }
                    }
                }
            }
        }
        return out
    }

    /// Two sequences of 4 and 3 rows, each attending within itself.
    let batch = [AttentionSegment(queries: 0..<4, keys: [0..<4]), AttentionSegment(queries: 4..<7, keys: [4..<7])]
    /// A shared prefix of 2 rows that two sequences also see: key rows in several segments.
    let shared = [AttentionSegment(queries: 0..<2, keys: [0..<2]), AttentionSegment(queries: 2..<5, keys: [0..<2, 2..<5]),
                  AttentionSegment(queries: 5..<7, keys: [0..<2, 5..<7])]
    let padding = [false, false, true, false, false, true, false]

    @Test mutating func masksAndPrefixMatchTheReference() throws {
        for (heads, p) in [(try AttentionHeads(heads: 4, kvHeads: 2, headDim: 3), 3), (try AttentionHeads(heads: 2, kvHeads: 2, headDim: 4), 0)] {
            let q = try r([7, heads.queryWidth]), k = try r([7, heads.kvWidth]), v = try r([7, heads.kvWidth])
            let pk = try r([p, heads.kvWidth]), pv = try r([p, heads.kvWidth])
            let prefix = p > 0 ? KVPrefix(key: pk, value: pv) : nil
            for segments in [batch, shared] {
                for mask in [AttentionMask.causal, .bidirectional, AttentionMask(causal: false, keyPadding: padding),
                             AttentionMask(causal: true, keyPadding: padding)] {
                    let y = try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: segments, mask: mask,
                                                 prefix: prefix).doubles
                    let ref = reference(q: q.doubles, k: k.doubles, v: v.doubles, pk: pk.doubles, pv: pv.doubles, p: p,
                                        nq: 7, heads: heads, segments: segments, mask: mask)
                    #expect(zip(y, ref).allSatisfy { Swift.abs($0 - $1) < 1e-12 }, "\(mask) p \(p)")
                    let fused = try Tensor.attention(qkv: Tensor.concat([q, k, v], axis: 1), heads: heads, segments: segments,
                                                     mask: mask, prefix: prefix).doubles
                    #expect(zip(fused, ref).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
                    let y32 = try Tensor.attention(query: q.to(.float32), key: k.to(.float32), value: v.to(.float32),
                                                   heads: heads, segments: segments, mask: mask,
                                                   prefix: try prefix.map { KVPrefix(key: try $0.key.to(.float32), value: try $0.value.to(.float32)) }).doubles
                    #expect(zip(y32, ref).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
                }
            }
        }
    }

    @Test mutating func windowScaleAndCapMatchTheReference() throws {
        let heads = try AttentionHeads(heads: 4, kvHeads: 2, headDim: 3)
        let q = try r([7, 12]), k = try r([7, 6]), v = try r([7, 6]), pk = try r([2, 6]), pv = try r([2, 6])
        for p in [0, 2] {
            let prefix = p > 0 ? KVPrefix(key: pk, value: pv) : nil
            for segments in [batch, shared] {
                for window in [1, 2, 3, 100] {
                    for scoring in [AttentionScoring.standard, AttentionScoring(scale: 0.3), AttentionScoring(scale: 0.8, softCap: 1.5)] {
                        let mask = AttentionMask(causal: true, keyPadding: padding, window: window)
                        let y = try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: segments, mask: mask,
                                                     scoring: scoring, prefix: prefix).doubles
                        let ref = reference(q: q.doubles, k: k.doubles, v: v.doubles, pk: pk.doubles, pv: pv.doubles, p: p,
                                            nq: 7, heads: heads, segments: segments, mask: mask, scoring: scoring)
                        #expect(zip(y, ref).allSatisfy { Swift.abs($0 - $1) < 1e-12 }, "window \(window) \(scoring) p \(p)")
                        let fused = try Tensor.attention(qkv: Tensor.concat([q, k, v], axis: 1), heads: heads, segments: segments,
                                                         mask: mask, scoring: scoring, prefix: prefix).doubles
                        #expect(zip(fused, ref).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
                    }
                }
            }
        }
        for mask in [AttentionMask(causal: true, keyPadding: padding, window: 2), AttentionMask(causal: true, window: 3)] {
            let res = try GradCheck.check([try r([7, 12]), try r([7, 6]), try r([7, 6]), try r([2, 6]), try r([2, 6])]) {
                try scalarize(Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: heads, segments: shared, mask: mask,
                                               scoring: AttentionScoring(scale: 0.7, softCap: 1.2), prefix: KVPrefix(key: $0[3], value: $0[4])))
            }
            #expect(res.passed, "\(mask): \(res)")
        }
        #expect(throws: TensorError.self) {
            try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: batch, mask: AttentionMask(causal: false, window: 2))
        }
        #expect(throws: TensorError.self) {
            try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: batch, mask: .causal,
                                 scoring: AttentionScoring(softCap: 0))
        }
    }

    @Test mutating func gradientsWithMasksAndPrefix() throws {
        let heads = try AttentionHeads(heads: 4, kvHeads: 2, headDim: 3)
        for segments in [batch, shared] {
            for mask in [AttentionMask(causal: false, keyPadding: padding), AttentionMask(causal: true, keyPadding: padding)] {
                let inputs = [try r([7, 12]), try r([7, 6]), try r([7, 6]), try r([2, 6]), try r([2, 6])]
                let res = try GradCheck.check(inputs) {
                    try scalarize(Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: heads, segments: segments,
                                                   mask: mask, prefix: KVPrefix(key: $0[3], value: $0[4])))
                }
                #expect(res.passed, "\(mask): \(res)")
                let fused = try GradCheck.check([try r([7, 24]), try r([2, 6]), try r([2, 6])]) {
                    try scalarize(Tensor.attention(qkv: $0[0], heads: heads, segments: segments, mask: mask,
                                                   prefix: KVPrefix(key: $0[1], value: $0[2])))
                }
                #expect(fused.passed, "fused \(mask): \(fused)")
            }
        }
        // One query head per KV head, no prefix, disjoint sequences: the backward writes key gradients directly.
        let mha = try AttentionHeads(heads: 2, kvHeads: 2, headDim: 3)
        let direct = try GradCheck.check([try r([7, 6]), try r([7, 6]), try r([7, 6])]) {
            try scalarize(Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: mha, segments: batch,
                                           mask: AttentionMask(causal: false, keyPadding: padding)))
        }
        #expect(direct.passed, "\(direct)")
    }

    @Test mutating func aTrainedPrefixAloneGetsGradients() throws {
        // Prefix tuning: frozen queries, keys and values (a frozen model's), trainable prefix rows.
        let heads = try AttentionHeads(heads: 4, kvHeads: 2, headDim: 3)
        let q = try r([7, 12]), k = try r([7, 6]), v = try r([7, 6])
        let pk = try r([2, 6]).requiringGradient(), pv = try r([2, 6]).requiringGradient()
        let loss = try scalarize(Tensor.attention(query: q, key: k, value: v, heads: heads, segments: shared, mask: .causal,
                                                  prefix: KVPrefix(key: pk, value: pv)))
        var report = BackwardReport()
        let grads = try Tensor.gradients(of: loss, wrt: [pk, pv], report: &report)
        #expect(grads.map(\.shape) == [[2, 6], [2, 6]] && grads.allSatisfy { $0.doubles.contains { $0 != 0 } })
        #expect(report.gradientKernels == 4, "sum, mul, then the prefix's key and value only")
    }

    @Test mutating func aQueryWithNothingToSeeGetsZeros() throws {
        let heads = try AttentionHeads(heads: 1, kvHeads: 1, headDim: 2)
        let x = try r([2, 6])
        let y = try Tensor.attention(qkv: x, heads: heads, segments: [AttentionSegment(queries: 0..<2, keys: [0..<2])],
                                     mask: AttentionMask(causal: false, keyPadding: [true, true]))
        #expect(y.doubles == [0, 0, 0, 0])
        #expect(throws: TensorError.self) {
            try Tensor.attention(qkv: x, heads: heads, segments: [AttentionSegment(queries: 0..<2, keys: [0..<2])],
                                 mask: AttentionMask(causal: false, keyPadding: [true]))
        }
        #expect(throws: TensorError.self) {
            try Tensor.attention(qkv: x, heads: heads, segments: [AttentionSegment(queries: 0..<2, keys: [0..<2])],
                                 mask: .causal, prefix: KVPrefix(key: try r([1, 2]), value: try r([2, 2])))
        }
    }

    /// The directional derivative of `f` at `inputs` along random directions, by central differences, against the
    /// analytic gradients (a full finite-difference sweep would take minutes at these sizes).
    mutating func expectDirectional(_ inputs: [Tensor], _ f: @escaping ([Tensor]) throws -> Tensor,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let leaves = try inputs.map { try $0.requiringGradient() }
        let grads = try Tensor.gradients(of: try scalarize(f(leaves)), wrt: leaves)
        for _ in 0..<3 {
            let dirs = try inputs.map { try r($0.shape) }
            let eps = 1e-6
            let plus = try scalarize(f(zip(inputs, dirs).map { try $0 + $1 * eps })).scalarValue()
            let minus = try scalarize(f(zip(inputs, dirs).map { try $0 - $1 * eps })).scalarValue()
            let numeric = (plus - minus) / (2 * eps)
            let analytic = try zip(grads, dirs).reduce(0.0) { $0 + (try ($1.0 * $1.1).sum().scalarValue()) }
            #expect(Swift.abs(numeric - analytic) < 1e-6 * Swift.max(1, Swift.abs(numeric)), "\(numeric) vs \(analytic)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test mutating func layerNormAndGELUSplitOverThreads() throws {
        // 64 × 256 elements: the layer norm runs in two chunks on two threads; GELU splits above 16,384 elements
        // (values out to erf's saturation).
        try expectDirectional([try r([64, 256]), try r([256]), try r([256])]) { try $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        try expectDirectional([try r([64, 256]), try r([256])]) { try $0[0].layerNorm(weight: nil, bias: $0[1]) }
        try expectDirectional([try r([4, 16_384]) * 4]) { try $0[0].gelu() }
        try expectDirectional([try r([4, 16_384]) * 4]) { try $0[0].geluTanh() }
        // Long sequences whose heads run on separate threads, with padding and a prefix.
        let heads = try AttentionHeads(heads: 6, kvHeads: 3, headDim: 16)
        let long = [AttentionSegment(queries: 0..<40, keys: [0..<40]), AttentionSegment(queries: 40..<90, keys: [0..<10, 40..<90])]
        let pad = (0..<90).map { $0 % 7 == 3 }
        try expectDirectional([try r([90, 96]), try r([90, 48]), try r([90, 48]), try r([5, 48]), try r([5, 48])]) {
            try Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: heads, segments: long,
                                 mask: AttentionMask(causal: true, keyPadding: pad), prefix: KVPrefix(key: $0[3], value: $0[4]))
        }
    }
}
