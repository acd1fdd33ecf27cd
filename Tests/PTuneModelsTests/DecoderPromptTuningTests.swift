import Testing
@testable import PTuneCore
@testable import PTuneModels
import PTuneNN

/// Every architecture's model inside PTuneNN's p-tuning plumbing (generic padded path) and its fast path agree,
/// values and encoder gradients; cached decoding equals the full forward.
@Suite struct DecoderPromptTuningTests {
    let model: DecoderModel
    init() throws { model = try DecoderModel(weights: DecoderWeights.random(config: DecoderArchitectureTests.config, seed: 3)) }

    @Test(arguments: DecoderTestConfigs.names) func fastPathMatchesPromptedModel(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 3))
        var g = Generator(seed: 1)
        let encoder = try MLPPromptEncoder(numVirtualTokens: 3, tokenDim: model.config.hiddenSize, hiddenSize: 16, using: &g)
        let prompted = try PromptedModel(model: model, encoder: encoder)
        let seqs = [[5, 17, 3, 50], [7], [12, 12, 60]]
        let labels = [11, 42]
        let batch = try PromptBatch(seqs.map { try PromptExample.prepending(3, to: $0) }, padToken: 2)
        let generic = try prompted(batch).lastRealTokenOutputs()
        let picked = try Tensor.concat(labels.map { try generic.narrowed(axis: 1, start: $0, length: 1) }, axis: 1)
        let fast = try model.labelLogits(virtualTokens: encoder.encode(), sequences: seqs, labelTokens: labels)
        #expect(fast.shape == [3, 2])
        #expect(zip(fast.doubles, picked.doubles).allSatisfy { Swift.abs($0 - $1) < 1e-4 })

        let params = encoder.parameters.map(\.value)
        let gFast = try Tensor.gradients(of: fast.sum(), wrt: params)
        let gGeneric = try Tensor.gradients(of: picked.sum(), wrt: params)
        for (a, b) in zip(gFast, gGeneric) {
            let scale = b.doubles.map(Swift.abs).max() ?? 1
            #expect(zip(a.doubles, b.doubles).allSatisfy { Swift.abs($0 - $1) <= 1e-3 * Swift.max(scale, 1e-3) })
        }
    }

    @Test(arguments: DecoderTestConfigs.names) func cachedDecodingMatchesFullForward(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 5))
        var g = Generator(seed: 3)
        let prefix = try Tensor.randn([2, model.config.hiddenSize], using: &g)
        let tokens = [5, 17, 3, 9, 44, 12, 7]
        let x = try Tensor.concat([prefix, model.embed(tokens)], axis: 0)
        let full = try model.hiddenStates(x, packing: DecoderPacking(lengths: [x.shape[0]]))
        var cache = try KVCache(config: model.config, capacity: 16)
        var start = 0
        for m in [4, 1, 2, 1, 1] {
            let h = try model.extend(x.narrowed(axis: 0, start: start, length: m), cache: &cache)
            start += m
            let want = try full.narrowed(axis: 0, start: start - 1, length: 1)
            #expect(zip(h.doubles, want.doubles).allSatisfy { Swift.abs($0 - $1) < 1e-4 }, "\(name) after \(start) rows")
        }
        let greedy = try model.generate(tokens, prefix: prefix, maxTokens: 3)
        #expect(greedy.count == 3)
        let next = try model.logits(full.narrowed(axis: 0, start: start - 1, length: 1)).argmax(axis: -1).ints[0]
        #expect(greedy[0] == next)
    }

    @Test func frozenModelFacts() throws {
        #expect(model.tokenDim == 48 && model.dtype == .float32 && model.outputKind == .perPosition)
        let params = model.parameters
        #expect(params.allSatisfy { $0.isFrozen })
        #expect(params.count == 2 + 6 * DecoderArchitectureTests.config.layers)
        #expect(params.reduce(0) { $0 + $1.count } * 4 == model.weights.byteCount)
        let before = model.checksum()
        #expect(before == model.checksum())
    }

    @Test func labelLogitsRejectsBadInput() throws {
        #expect(throws: DecoderError.self) { try model.labelLogits(virtualTokens: Tensor.zeros([2, 47]), sequences: [[1]], labelTokens: [1]) }
        #expect(throws: DecoderError.self) { try model.labelLogits(virtualTokens: Tensor.zeros([2, 48]), sequences: [], labelTokens: [1]) }
        #expect(throws: DecoderError.self) { try model.labelLogits(virtualTokens: Tensor.zeros([2, 48]), sequences: [[1]], labelTokens: [500]) }
        #expect(throws: DecoderError.self) { try model.labelLogits(virtualTokens: Tensor.zeros([0, 48]), sequences: [[]], labelTokens: [1]) }
    }
}

/// Virtual tokens placed anywhere: the general path agrees with PTuneNN's padded plumbing; PEFT's layout takes the
/// shared-prefix path.
@Suite struct DecoderPlacementTests {
    @Test(arguments: DecoderTestConfigs.names) func anywherePlacementMatchesPromptedModel(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 4))
        var g = Generator(seed: 2)
        let encoder = try MLPPromptEncoder(numVirtualTokens: 4, tokenDim: model.config.hiddenSize, hiddenSize: 16, using: &g)
        let prompted = try PromptedModel(model: model, encoder: encoder)
        let layouts: [[SequenceItem]] = [
            [.token(5), .virtual(0), .virtual(1), .token(17), .virtual(2), .virtual(3), .token(9)],
            [.virtual(0), .virtual(1), .token(8), .virtual(2), .virtual(3), .token(1), .token(2)],
        ]
        let batch = try PromptBatch(layouts.map { try PromptExample(items: $0) }, padToken: 2)
        let generic = try prompted(batch).lastRealTokenOutputs()
        let picked = try Tensor.concat([generic.narrowed(axis: 1, start: 11, length: 1), generic.narrowed(axis: 1, start: 42, length: 1)], axis: 1)
        let mine = try model.labelLogits(virtualTokens: encoder.encode(), examples: layouts, labelTokens: [11, 42])
        #expect(zip(mine.doubles, picked.doubles).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        // PEFT's layout through the examples API equals the sequences API.
        let prefix: [[SequenceItem]] = [[.virtual(0), .virtual(1), .virtual(2), .virtual(3), .token(3), .token(4)]]
        let a = try model.labelLogits(virtualTokens: encoder.encode(), examples: prefix, labelTokens: [11])
        let b = try model.labelLogits(virtualTokens: encoder.encode(), sequences: [[3, 4]], labelTokens: [11])
        #expect(a.doubles == b.doubles)
        #expect(throws: DecoderError.self) { try model.labelLogits(virtualTokens: encoder.encode(), examples: [[.virtual(4)]], labelTokens: [1]) }
    }
}
