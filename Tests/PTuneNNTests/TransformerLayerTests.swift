import Testing
import PTuneCore
@testable import PTuneNN

/// The transformer layers every architecture is built from, in the forms GPT, BERT and Llama use (fused or separate
/// projections, grouped-query heads, rotary embeddings, pre- or post-norm, gated MLPs) and with a KV prefix:
/// finite-difference gradients in float64, row selection, and cached decoding against the full forward.
@Suite struct TransformerLayerTests {
    var c = GradientChecker()

    /// A Llama-style block (RMSNorm, fused rotary GQA attention, SiLU-gated MLP) or a BERT-style one (LayerNorm after
    /// the residuals, separate biased projections, GELU MLP), float64.
    mutating func block(llama: Bool) throws -> TransformerBlock {
        let d = 8
        let heads = try AttentionHeads(heads: 4, kvHeads: llama ? 2 : 4, headDim: 2)
        func linear(_ i: Int, _ o: Int, bias: Bool) throws -> Linear { try Linear(i, o, bias: bias, dtype: .float64, using: &c.g) }
        let attention: MultiHeadAttention, mlp: FeedForward, n1: Normalization, n2: Normalization
        if llama {
            attention = try MultiHeadAttention(projection: .fused(linear(d, heads.queryWidth + 2 * heads.kvWidth, bias: false)),
                                               output: linear(heads.queryWidth, d, bias: false), heads: heads, causal: true,
                                               rotary: RotaryEncoding(headDim: 2, base: 10_000))
            mlp = try FeedForward(up: linear(d, 2 * 12, bias: false), down: linear(12, d, bias: false), kind: .gated(.silu))
            let w1 = try Parameter(try c.randn([d]) * 0.1 + 1, name: "n1"), w2 = try Parameter(try c.randn([d]) * 0.1 + 1, name: "n2")
            n1 = .rms(try RMSNorm(weight: w1, eps: 1e-5))
            n2 = .rms(try RMSNorm(weight: w2, eps: 1e-5))
        } else {
            attention = try MultiHeadAttention(projection: .separate(query: linear(d, 8, bias: true), key: linear(d, 8, bias: true),
                                                                     value: linear(d, 8, bias: true)),
                                               output: linear(8, d, bias: true), heads: heads, causal: false)
            mlp = try FeedForward(up: linear(d, 16, bias: true), down: linear(16, d, bias: true), kind: .plain(.gelu))
            n1 = .layer(try LayerNorm(d, dtype: .float64))
            n2 = .layer(try LayerNorm(d, dtype: .float64))
        }
        return TransformerBlock(attentionNorm: n1, attention: attention, mlpNorm: n2, mlp: mlp, placement: llama ? .preNorm : .postNorm)
    }

    /// Two sequences of 3 and 2 rows after a shared prefix row, at positions 0, 1, 2, 3 / 1, 2.
    func context(rotary: Bool) throws -> AttentionContext {
        AttentionContext(segments: [AttentionSegment(queries: 0..<1, keys: [0..<1]), AttentionSegment(queries: 1..<4, keys: [0..<1, 1..<4]),
                                    AttentionSegment(queries: 4..<6, keys: [0..<1, 4..<6])],
                         rotary: rotary ? RotaryTables(try RotaryTable(positions: [0, 1, 2, 3, 1, 2], headDim: 2, base: 10_000)) : nil)
    }

    @Test mutating func blocksWithAPrefixHaveExactGradients() throws {
        for llama in [true, false] {
            let b = try block(llama: llama)
            let kw = b.attention.heads.kvWidth
            let ctx = llama ? try context(rotary: true) : try AttentionContext.batch(2, length: 3, attentionMask: Tensor(shape: [2, 3], scalars: [Int64(1), 1, 1, 1, 1, 0]))
            try GradientChecker.expect(inputs: [c.randn([6, 8]), c.randn([2, kw]), c.randn([2, kw])], parameters: b.parameters) {
                try b.forward(rows: $0[0], context: ctx, prefix: KVPrefix(key: $0[1], value: $0[2]))
            }
        }
        let names = try block(llama: false).parameters.map(\.shape)
        #expect(names == [[8, 8], [8], [8, 8], [8], [8, 8], [8], [8, 8], [8], [8], [8], [16, 8], [16], [8, 16], [8], [8], [8]],
                "post-norm blocks list attention, norm, MLP, norm")
    }

    @Test mutating func selectedRowsEqualTheFullForward() throws {
        for llama in [true, false] {
            let b = try block(llama: llama)
            let ctx = try context(rotary: llama)
            let x = try c.randn([6, 8])
            let all = try b.forward(rows: x, context: ctx).doubles
            let picked = try b.forward(rows: x, context: ctx, selecting: RowSelection(
                rows: [3, 5], segments: [AttentionSegment(queries: 3..<4, keys: [0..<1, 1..<4]), AttentionSegment(queries: 5..<6, keys: [0..<1, 4..<6])]))
            let want = Array(all[(3 * 8)..<(4 * 8)]) + Array(all[(5 * 8)..<(6 * 8)])
            #expect(zip(picked.doubles, want).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        }
    }

    @Test mutating func cachedDecodingEqualsTheFullForward() throws {
        let blocks = try (0..<2).map { _ in try block(llama: true) }
        let x = try c.randn([5, 8])
        let rope = try RotaryTable(positions: Array(0..<5), headDim: 2, base: 10_000)
        let ctx = AttentionContext(segments: [AttentionSegment(queries: 0..<5, keys: [0..<5])], rotary: RotaryTables(rope))
        let prefix = KVPrefix(key: try c.randn([2, 4]), value: try c.randn([2, 4]))
        var full = x
        for b in blocks { full = try b.forward(rows: full, context: ctx, prefix: prefix) }
        var cache = try KVCache(layers: 2, width: 4, capacity: 8, dtype: .float64)
        var rows: [Tensor] = []
        for (start, m) in [(0, 3), (3, 1), (4, 1)] {
            var h = try x.narrowed(axis: 0, start: start, length: m)
            let r = RotaryTables(try RotaryTable(positions: Array(start..<(start + m)), headDim: 2, base: 10_000))
            for (l, b) in blocks.enumerated() { h = try b.forward(rows: h, rotary: r, cache: &cache, layer: l, prefix: prefix) }
            try cache.advance(by: m)
            rows.append(h)
        }
        #expect(cache.count == 5)
        #expect(zip(try Tensor.concat(rows, axis: 0).doubles, full.doubles).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        #expect(throws: NNError.self) { try cache.advance(by: 4) }
    }

    @Test mutating func mismatchedProjectionsAreErrors() throws {
        let heads = try AttentionHeads(heads: 2, kvHeads: 1, headDim: 4)
        #expect(throws: NNError.self) {
            try MultiHeadAttention(projection: .fused(Linear(8, 24, using: &c.g)), output: Linear(8, 8, using: &c.g), heads: heads, causal: true)
        }
        #expect(throws: NNError.self) { try FeedForward(up: Linear(8, 15, using: &c.g), down: Linear(7, 8, using: &c.g), kind: .gated(.silu)) }
        let b = try block(llama: true)
        #expect(throws: NNError.self) { try b.forward(rows: c.randn([6, 8]), context: AttentionContext(segments: [])) }
    }
}
