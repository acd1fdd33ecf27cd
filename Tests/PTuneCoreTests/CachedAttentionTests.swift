import Testing
@testable import PTuneCore

/// The fused attention of a decoding step over a KV cache against the general attention on the same rows: one query
/// row per sequence, sequences of different lengths in one cache, grouped-query heads, odd head widths (tails past a
/// multiple of eight), a KV prefix, sliding windows, a soft cap, float32 and binary16 rows, at every kernel level.
@Suite struct CachedAttentionTests {
    /// A cache of `sequences` sequences of `capacity` rows, the counts of keys each query sees, and random queries.
    struct Case {
        let heads: AttentionHeads
        let capacity: Int
        let counts: [Int]
        let prefix: Int
        var window: Int? = nil
        var scoring: AttentionScoring = .standard
    }

    static let cases: [Case] = [
        Case(heads: try! AttentionHeads(heads: 9, kvHeads: 3, headDim: 64), capacity: 50, counts: [41], prefix: 0),
        Case(heads: try! AttentionHeads(heads: 6, kvHeads: 2, headDim: 13), capacity: 20, counts: [1, 17, 5, 20], prefix: 0),
        Case(heads: try! AttentionHeads(heads: 4, kvHeads: 4, headDim: 7), capacity: 9, counts: [3, 9, 1], prefix: 5),
        Case(heads: try! AttentionHeads(heads: 8, kvHeads: 1, headDim: 24), capacity: 33, counts: [33, 2], prefix: 3,
             window: 7),
        Case(heads: try! AttentionHeads(heads: 10, kvHeads: 5, headDim: 16), capacity: 12, counts: [12, 6], prefix: 4,
             window: 20, scoring: AttentionScoring(scale: 0.3, softCap: 2.5)),
        Case(heads: try! AttentionHeads(heads: 2, kvHeads: 2, headDim: 9), capacity: 30, counts: [30], prefix: 6,
             window: 3),
    ]

    /// The general kernel over packed rows: each query row is its own segment over its sequence's rows.
    static func reference(_ c: Case, query: Tensor, keys: Tensor, values: Tensor, prefix: KVPrefix?) throws -> Tensor {
        let segments = c.counts.enumerated().map { i, n in
            AttentionSegment(queries: i..<(i + 1), keys: [(i * c.capacity)..<(i * c.capacity + n)])
        }
        return try Tensor.attention(query: query, key: keys, value: values, heads: c.heads, segments: segments,
                                    mask: AttentionMask(causal: true, window: c.window), scoring: c.scoring, prefix: prefix)
    }

    static func maxRelative(_ a: Tensor, _ b: Tensor) -> Double {
        let x = a.doubles, y = b.doubles
        let scale = Swift.max(y.map(abs).max() ?? 0, 1e-30)
        return zip(x, y).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    @Test(arguments: 0..<cases.count)
    func matchesTheGeneralAttention(_ index: Int) throws {
        let c = Self.cases[index]
        var g = Generator(seed: UInt64(40 + index))
        let kw = c.heads.kvWidth, rows = c.counts.count * c.capacity
        let keys = try Tensor.randn([rows, kw], using: &g), values = try Tensor.randn([rows, kw], using: &g)
        // The query sits in the first columns of wider rows, as in fused q|k|v rows.
        let wide = try Tensor.randn([c.counts.count, c.heads.queryWidth + 5], using: &g)
        let query = try wide.narrowed(axis: 1, start: 0, length: c.heads.queryWidth)
        let prefix = c.prefix == 0 ? nil
            : KVPrefix(key: try Tensor.randn([c.prefix, kw], using: &g), value: try Tensor.randn([c.prefix, kw], using: &g))
        let keyRows = c.counts.enumerated().map { i, n in (i * c.capacity)..<(i * c.capacity + n) }
        let want = try Self.reference(c, query: query, keys: keys, values: values, prefix: prefix)

        var halfKeys = try HalfRows(rows: rows, columns: kw), halfValues = try HalfRows(rows: rows, columns: kw)
        try halfKeys.write(keys, at: 0)
        try halfValues.write(values, at: 0)
        let wantHalf = try Self.reference(c, query: query, keys: halfKeys.floats([0..<rows]),
                                          values: halfValues.floats([0..<rows]), prefix: prefix)
        for level in KernelLevel.available {
            let got = try Tensor.cachedAttention(query: wide, keys: .float(keys), values: .float(values), heads: c.heads,
                                                 keyRows: keyRows, window: c.window, scoring: c.scoring, prefix: prefix,
                                                 level: level)
            #expect(got.shape == [c.counts.count, c.heads.queryWidth])
            #expect(Self.maxRelative(got, want) < 1e-6, "float32 rows, \(level)")
            let half = try Tensor.cachedAttention(query: query, keys: .half(halfKeys), values: .half(halfValues),
                                                  heads: c.heads, keyRows: keyRows, window: c.window, scoring: c.scoring,
                                                  prefix: prefix, level: level)
            #expect(Self.maxRelative(half, wantHalf) < 1e-6, "binary16 rows, \(level)")
        }
    }

    @Test func rejectsWhatItCannotServe() throws {
        let heads = try AttentionHeads(heads: 2, kvHeads: 1, headDim: 4)
        let keys = try Tensor.zeros([6, 4]), query = try Tensor.zeros([1, 8])
        #expect(throws: TensorError.self) {
            try Tensor.cachedAttention(query: query, keys: .float(keys), values: .float(keys), heads: heads, keyRows: [4..<7])
        }
        #expect(throws: TensorError.self) {
            try Tensor.cachedAttention(query: query, keys: .float(keys), values: .float(keys), heads: heads, keyRows: [0..<2, 2..<3])
        }
        #expect(throws: TensorError.self) {
            try Tensor.cachedAttention(query: try Tensor.zeros([1, 7]), keys: .float(keys), values: .float(keys),
                                       heads: heads, keyRows: [0..<2])
        }
        #expect(throws: TensorError.self) {
            try Tensor.cachedAttention(query: query, keys: .float(keys), values: .float(try Tensor.zeros([6, 3])),
                                       heads: heads, keyRows: [0..<2])
        }
        #expect(throws: TensorError.self) {
            try Tensor.cachedAttention(query: query, keys: .float(keys), values: .float(keys), heads: heads,
                                       keyRows: [0..<2], window: 0)
        }
        // A query that needs a gradient cannot go through it while recording.
        let trainable = try query.requiringGradient()
        #expect(throws: TensorError.self) {
            try Tensor.cachedAttention(query: trainable, keys: .float(keys), values: .float(keys), heads: heads, keyRows: [0..<2])
        }
        let constant = try Tensor.withoutRecording {
            try Tensor.cachedAttention(query: trainable, keys: .float(keys), values: .float(keys), heads: heads, keyRows: [0..<2])
        }
        #expect(constant.shape == [1, 8] && !constant.requiresGrad)
        // No key at all (an empty range, no prefix): zeros, as the general kernel gives.
        let none = try Tensor.cachedAttention(query: query, keys: .float(keys), values: .float(keys), heads: heads, keyRows: [3..<3])
        #expect(none.doubles == Array(repeating: 0, count: 8))
    }
}
