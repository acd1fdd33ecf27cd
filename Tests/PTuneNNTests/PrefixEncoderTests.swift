import Testing
import PTuneCore
@testable import PTuneNN

/// Prefix tuning's encoder (PEFT's `PrefixEncoder`: a plain key/value table or a projection) and its keys and values
/// inside the small GPT's attention: a prefix started from a prefill of real tokens continues exactly as if those
/// tokens came first (positions after the prefix, keys used as given), gradients reach the encoder only.
@Suite struct PrefixEncoderTests {
    static func gpt(seed: UInt64 = 5) throws -> GPT {
        var g = Generator(seed: seed)
        let m = try GPT(GPT.Config(vocabSize: 13, dim: 8, layers: 2, heads: 2, context: 16), dtype: .float64, using: &g)
        m.freezeAll()
        return m
    }

    @Test func parametersFollowPEFT() throws {
        var g = Generator(seed: 1)
        let layout = try PrefixLayout(layers: 3, kvHeads: 2, headDim: 4)
        let plain = try PrefixEncoder(numVirtualTokens: 5, layout: layout, using: &g)
        #expect(plain.parameters.map(\.name) == ["embedding.weight"])
        #expect(plain.parameterCount == 5 * 3 * 2 * 8)
        #expect(try plain.encode().shape == [5, 48])
        let projected = try PrefixEncoder(numVirtualTokens: 5, layout: layout, projection: 6, using: &g)
        #expect(projected.parameters.map(\.name) == ["embedding.weight", "transform.0.weight", "transform.0.bias",
                                                     "transform.2.weight", "transform.2.bias"])
        #expect(projected.parameterCount == 5 * 8 + (8 * 6 + 6) + (6 * 48 + 48))
        // encode() = W₂ tanh(W₁ E + b₁) + b₂
        let p = projected.parameters.map(\.value)
        let expected = try Tensor.linear(Tensor.linear(p[0], weight: p[1], bias: p[2]).tanh(), weight: p[3], bias: p[4])
        #expect(try projected.encode().doubles == expected.doubles)
        let c = projected.config
        #expect(c.kind == .prefix && c.numVirtualTokens == 5 && c.tokenDim == 8 && c.hiddenSize == 6 && c.numLayers == 3)
    }

    @Test func zeroInitStartsAtZero() throws {
        var g = Generator(seed: 2)
        let layout = try PrefixLayout(layers: 2, kvWidth: 4)
        for projection in [nil, 3] as [Int?] {
            let e = try PrefixEncoder(numVirtualTokens: 3, layout: layout, projection: projection, initialization: .zero, using: &g)
            #expect(try e.encode().doubles.allSatisfy { $0 == 0 })
            #expect(e.initialization.peftInitWeights == "zero")
        }
        #expect(throws: NNError.self) { try PrefixEncoder(numVirtualTokens: 0, layout: layout, using: &g) }
        #expect(throws: NNError.self) { try PrefixEncoder(numVirtualTokens: 2, layout: layout, projection: 0, using: &g) }
        #expect(throws: NNError.self) { try PrefixEncoder(table: Tensor.zeros([2, 15]), layout: layout) }
    }

    @Test func prefixCutsPEFTsLayout() throws {
        // Row p of the table: layer 0 key, layer 0 value, layer 1 key, layer 1 value (each kvWidth wide).
        let layout = try PrefixLayout(layers: 2, kvWidth: 3)
        let table = try Tensor(shape: [2, 12], values: (0..<24).map(Double.init), dtype: .float64)
        let p = try DeepPrefix(table: table, layout: layout)
        #expect(p.count == 2 && p.layers.count == 2)
        #expect(try p.layer(0).key.doubles == [0, 1, 2, 12, 13, 14])
        #expect(try p.layer(0).value.doubles == [3, 4, 5, 15, 16, 17])
        #expect(try p.layer(1).key.doubles == [6, 7, 8, 18, 19, 20])
        #expect(try p.layer(1).value.doubles == [9, 10, 11, 21, 22, 23])
        #expect(throws: NNError.self) { try DeepPrefix(table: Tensor.zeros([2, 11]), layout: layout) }
    }

    @Test func prefillPrefixContinuesLikeTheTokensWrittenFirst() throws {
        let m = try Self.gpt()
        let first = [3, 7, 1, 12], rest = [5, 5, 9]
        let layout = try #require(m.prefixLayout)
        #expect(layout == (try PrefixLayout(layers: 2, kvWidth: 8)))
        let prefix = try DeepPrefix(table: m.prefillTable(first), layout: layout)
        let ids = try Tensor(shape: [1, rest.count], scalars: rest.map(Int64.init))
        let withPrefix = try m.forward(embeddings: m.embed(ids), attentionMask: nil, prefix: prefix)
        let all = try Tensor(shape: [1, first.count + rest.count], scalars: (first + rest).map(Int64.init))
        let full = try m(all).narrowed(axis: 1, start: first.count, length: rest.count)
        let diff = zip(withPrefix.doubles, full.doubles).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(withPrefix.shape == [1, 3, 13] && diff < 1e-12, "differs by \(diff)")
        // The prefix takes positions: 14 more would exceed the context of 16.
        #expect(throws: NNError.self) { try m.forward(embeddings: Tensor.zeros([1, 13, 8], dtype: .float64), attentionMask: nil, prefix: prefix) }
        // A prefix for another model is refused.
        let other = try DeepPrefix(table: Tensor.zeros([2, 3 * 2 * 8], dtype: .float64), layout: PrefixLayout(layers: 3, kvWidth: 8))
        #expect(throws: NNError.self) { try m.forward(embeddings: Tensor.zeros([1, 2, 8], dtype: .float64), attentionMask: nil, prefix: other) }
    }

    @Test func gradientsReachTheEncoderOnly() throws {
        let m = try Self.gpt(seed: 6)
        let layout = try #require(m.prefixLayout)
        var g = Generator(seed: 7)
        let x = try Tensor.randn([2, 3, 8], dtype: .float64, using: &g)
        let mask = try Tensor(shape: [2, 3], values: [1, 1, 1, 1, 1, 0], dtype: .float64)
        let w = try Tensor.randn([2, 3, 13], dtype: .float64, using: &g)
        let table = try Tensor.randn([2, layout.tableWidth], dtype: .float64, using: &g)
        let r = try GradCheck.check([table], tolerance: 1e-5) { v in
            try (m.forward(embeddings: x, attentionMask: mask, prefix: DeepPrefix(table: v[0], layout: layout)) * w).sum()
        }
        #expect(r.passed, "\(r)")

        let encoder = try PrefixEncoder(numVirtualTokens: 2, layout: layout, projection: 4, dtype: .float64, using: &g)
        let loss = try (m.forward(embeddings: x, attentionMask: mask, prefix: encoder.prefix()) * w).sum()
        try loss.backward()
        #expect(encoder.parameters.allSatisfy { $0.gradient != nil })
        #expect(m.parameters.allSatisfy { $0.gradient == nil })
    }

    @Test func checkpointRebuildsTheEncoder() throws {
        var g = Generator(seed: 8)
        let layout = try PrefixLayout(layers: 2, kvWidth: 4)
        for projection in [nil, 5] as [Int?] {
            let e = try PrefixEncoder(numVirtualTokens: 3, layout: layout, projection: projection, using: &g)
            let back = try Checkpoint(encoder: e).makeEncoder(for: PromptExample.defaultTask)
            #expect(back is PrefixEncoder && back.config == e.config)
            #expect(try back.encode().doubles == e.encode().doubles)
        }
    }

    @Test func promptedModelRefusesAPrefixEncoder() throws {
        let m = try Self.gpt()
        var g = Generator(seed: 9)
        let e = try PrefixEncoder(numVirtualTokens: 2, layout: #require(m.prefixLayout), dtype: .float64, using: &g)
        #expect(throws: NNError.self) { try PromptedModel(model: m, encoder: e) }
    }
}
