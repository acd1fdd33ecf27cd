import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels
@testable import PTuneNN

/// Decoding several sequences together (one KV cache of several sequences, one row per sequence and step) gives
/// each sequence exactly what decoding it alone gives, with its own virtual-token prefix and prompt length, for every
/// architecture's options (Gemma's sliding windows shorter than the prompts included).
@Suite struct DecoderBatchedGenerationTests {
    let model: DecoderModel

    init() throws { model = try DecoderModel(weights: DecoderWeights.random(config: DecoderArchitectureTests.config, seed: 5)) }

    @Test(arguments: DecoderTestConfigs.names) func batchedGenerationEqualsOneSequenceAtATime(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 5))
        var g = Generator(seed: 2)
        let d = model.config.hiddenSize
        let prompts = [[5, 17, 3, 50, 41], [7], [12, 12, 60], [], [33, 34]]
        let prefixes: [Tensor?] = try [Tensor.randn([3, d], using: &g), nil, Tensor.randn([1, d], using: &g),
                                       Tensor.randn([2, d], using: &g), nil]
        // A stop token some sequences reach early, so the batch shrinks as it goes.
        let alone = try prompts.indices.map { try model.generate(prompts[$0], prefix: prefixes[$0], maxTokens: 9) }
        let stop = alone[0].count > 2 ? Set([alone[0][2]]) : []
        let expected = try prompts.indices.map { try model.generate(prompts[$0], prefix: prefixes[$0], maxTokens: 9, stopTokens: stop) }
        let batched = try model.generate(batch: prompts, prefixes: prefixes, maxTokens: 9, stopTokens: stop)
        #expect(batched == expected, "\(name)")
        #expect(batched.contains { $0.count < 9 } || stop.isEmpty)
        #expect(try model.generate(batch: prompts, prefixes: prefixes, maxTokens: 0) == prompts.map { _ in [] })
    }

    @Test func cacheSpansWriteEachSequenceAtItsOwnPositions() throws {
        var cache = try KVCache(layers: 1, width: 2, capacity: 4, sequences: 3)
        let spans = [KVCache.Span(sequence: 2, rows: 2), KVCache.Span(sequence: 0, rows: 1)]
        #expect(try cache.positions(spans) == [0, 1, 0])
        #expect(try cache.segments(spans) == [AttentionSegment(queries: 0..<2, keys: [8..<10]),
                                              AttentionSegment(queries: 2..<3, keys: [0..<1])])
        try cache.advance(spans)
        #expect(cache.counts == [1, 0, 2])
        #expect(try cache.positions([KVCache.Span(sequence: 2, rows: 1)]) == [2])
        #expect(throws: NNError.self) { try cache.advance([KVCache.Span(sequence: 3, rows: 1)]) }
        #expect(throws: NNError.self) { try cache.advance([KVCache.Span(sequence: 2, rows: 3)]) }
        #expect(throws: NNError.self) { try cache.positions([KVCache.Span(sequence: 0, rows: 1), KVCache.Span(sequence: 0, rows: 1)]) }
    }

    @Test func badBatchesAreErrors() throws {
        #expect(throws: DecoderError.self) { try model.generate(batch: [], maxTokens: 3) }
        #expect(throws: DecoderError.self) { try model.generate(batch: [[1], [2]], prefixes: [nil], maxTokens: 3) }
        #expect(throws: DecoderError.self) { try model.generate(batch: [[1], []], maxTokens: 3) }
        #expect(throws: DecoderError.self) { try model.generate(batch: [[1], [500]], maxTokens: 3) }
        #expect(throws: DecoderError.self) { try model.generate(batch: [Array(repeating: 1, count: 70)], maxTokens: 3) }
    }
}
