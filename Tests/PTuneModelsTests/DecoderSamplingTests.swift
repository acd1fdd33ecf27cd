import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels
import PTuneNN

/// Sampled generation: temperature, top-k and top-p keep the tokens and probabilities they should, draws come from
/// the given generators only (the same generators give the same tokens, each prompt's tokens do not depend on the
/// rest of its batch), and prompts laid out by a template generate what the full forward predicts.
@Suite struct DecoderSamplingTests {
    /// How often each token is drawn from `row`, over `n` draws.
    func frequencies(_ sampler: TokenSampler, _ row: [Double], _ n: Int = 20_000) -> [Double] {
        var g = Generator(seed: 11), counts = [Double](repeating: 0, count: row.count)
        for _ in 0..<n { counts[sampler.pick(row, using: &g)] += 1 }
        return counts.map { $0 / Double(n) }
    }

    @Test func samplersKeepTheirTokensWithTheirProbabilities() throws {
        let row = [0.5, 0.3, 0.2, 0.0].map { $0 > 0 ? log($0) : -Double.infinity }
        func close(_ a: [Double], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 0.015 } }
        #expect(close(frequencies(try TokenSampler(temperature: 1), row), [0.5, 0.3, 0.2, 0]))
        // Temperature 0.5 squares the probabilities before normalising.
        let squared = [0.25, 0.09, 0.04].map { $0 / 0.38 } + [0]
        #expect(close(frequencies(try TokenSampler(temperature: 0.5), row), squared))
        #expect(close(frequencies(try TokenSampler(temperature: 1, topK: 2), row), [0.625, 0.375, 0, 0]))
        // The nucleus: the smallest set of the most likely tokens reaching p.
        #expect(close(frequencies(try TokenSampler(temperature: 1, topP: 0.6), row), [0.625, 0.375, 0, 0]))
        #expect(close(frequencies(try TokenSampler(temperature: 1, topP: 0.5), row), [1, 0, 0, 0]))
        #expect(close(frequencies(try TokenSampler(temperature: 1, topK: 3, topP: 0.85), row), [0.5, 0.3, 0.2, 0]))
        #expect(frequencies(try TokenSampler(temperature: 3, topK: 1), row, 200) == [1, 0, 0, 0])
        var g = Generator(seed: 1)
        #expect(TokenSampler.greedy.pick([1, 3, 3, 2], using: &g) == 1 && g == Generator(seed: 1))
    }

    @Test func badSamplersAreErrors() {
        #expect(throws: DecoderError.self) { try TokenSampler(temperature: -1) }
        #expect(throws: DecoderError.self) { try TokenSampler(temperature: .nan) }
        #expect(throws: DecoderError.self) { try TokenSampler(temperature: 1, topK: 0) }
        #expect(throws: DecoderError.self) { try TokenSampler(temperature: 1, topP: 0) }
        #expect(throws: DecoderError.self) { try TokenSampler(temperature: 1, topP: 1.5) }
        #expect(throws: DecoderError.self) { try TokenSampler(temperature: 0, topK: 5) }
    }

    @Test(arguments: DecoderTestConfigs.names) func sampledBatchesRepeatAndEachPromptIsItsOwn(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 5))
        var g = Generator(seed: 2)
        let virtual = try Tensor.randn([2, model.config.hiddenSize], using: &g)
        let prompts: [[SequenceItem]] = [[.virtual(0), .virtual(1), .token(5), .token(17)], [.token(7)],
                                         [.token(12), .virtual(1), .token(60), .virtual(0)]]
        let sampler = try TokenSampler(temperature: 1.5, topK: 40, topP: 0.95)
        let seeds: [UInt64] = [21, 22, 23]
        func run(_ idx: [Int], stop: Set<Int> = []) throws -> [[Int]] {
            try model.generate(examples: idx.map { prompts[$0] }, virtualTokens: virtual, settings: GenerationSettings(
                maxTokens: 12, stopTokens: stop, sampler: sampler, generators: idx.map { Generator(seed: seeds[$0]) }))
        }
        let batched = try run([0, 1, 2])
        #expect(try run([0, 1, 2]) == batched)
        #expect(try [0, 1, 2].map { try run([$0])[0] } == batched, "\(name)")
        // A stop token one prompt reaches early changes nothing of the others.
        let stop = Set([batched[1][1]])
        let stopped = try run([0, 1, 2], stop: stop)
        #expect(stopped[1].count == 2 || batched[1][0] == batched[1][1])
        for i in [0, 2] {
            let cut = batched[i].firstIndex { stop.contains($0) }.map { Array(batched[i][...$0]) } ?? batched[i]
            #expect(stopped[i] == cut)
        }
    }

    /// A template's layout (virtual tokens between text) generates greedily what the padded forward of the whole
    /// sequence predicts, token after token; PEFT's layout equals ``DecoderModel/generate(batch:prefixes:deepPrefix:maxTokens:stopTokens:)``.
    @Test(arguments: DecoderTestConfigs.names) func templateLayoutsGenerateWhatTheForwardPredicts(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 6))
        var g = Generator(seed: 3)
        let d = model.config.hiddenSize
        let virtual = try Tensor.randn([3, d], using: &g)
        let prompt: [SequenceItem] = [.token(9), .virtual(0), .token(44), .virtual(1), .virtual(2), .token(12)]
        let got = try model.generate(examples: [prompt], virtualTokens: virtual, settings: GenerationSettings(maxTokens: 5))[0]
        var items = prompt, want: [Int] = []
        for _ in 0..<5 {
            let x = try Tensor.concat(items.map { item in
                switch item {
                case let .virtual(k): return try virtual.narrowed(axis: 0, start: k, length: 1)
                case let .token(t): return try model.embed([t])
                }
            }, axis: 0).unsqueezed(axis: 0)
            let logits = try model.forward(embeddings: x, attentionMask: nil, logits: true).squeezed(axis: 0)
            let next = try logits.narrowed(axis: 0, start: items.count - 1, length: 1).argmax(axis: -1).ints[0]
            want.append(next)
            items.append(.token(next))
        }
        #expect(got == want, "\(name)")
        let peft: [SequenceItem] = [.virtual(0), .virtual(1), .virtual(2), .token(5), .token(17)]
        let viaExamples = try model.generate(examples: [peft, [.token(7)]], virtualTokens: virtual, settings: GenerationSettings(maxTokens: 6))
        let viaPrefixes = try model.generate(batch: [[5, 17], [7]], prefixes: [virtual, nil], maxTokens: 6)
        #expect(viaExamples == viaPrefixes)
    }

    @Test func anEndTestStopsItsPromptOnly() throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights("llama", seed: 4))
        let prompts: [[SequenceItem]] = [[.token(5)], [.token(6)]]
        let full = try model.generate(examples: prompts, virtualTokens: nil, settings: GenerationSettings(maxTokens: 8))
        var settings = GenerationSettings(maxTokens: 8)
        settings.isFinished = { i, ids in i == 0 && ids.count == 3 }
        let cut = try model.generate(examples: prompts, virtualTokens: nil, settings: settings)
        #expect(cut == [Array(full[0].prefix(3)), full[1]])
        let missing = GenerationSettings(maxTokens: 3, sampler: try TokenSampler(temperature: 1))
        #expect(throws: DecoderError.self) { try model.generate(examples: prompts, virtualTokens: nil, settings: missing) }
    }
}
