import Foundation
import Testing
import PTuneCore
import PTuneNN
@testable import PTuneModels

/// BERT behind PTuneNN's p-tuning plumbing: virtual tokens from a prompt encoder, a pooled output, gradients only
/// to the encoder.
@Suite("BERT p-tuning")
struct BERTPTuningTests {
    /// Trains `steps` Adam steps of a target-matching loss on the pooled output; returns the first and last losses.
    static func train(_ model: BERTModel, texts: [String], steps: Int) throws -> (first: Double, last: Double, model: ParameterChecksum) {
        var g = Generator(seed: 5)
        let d = model.tokenDim
        let encoder = try MLPPromptEncoder(numVirtualTokens: 4, tokenDim: d, hiddenSize: 16, using: &g)
        let prompted = try PromptedModel(model: model, encoder: encoder)
        let before = model.checksum()
        let examples = try texts.map { try PromptExample.prepending(4, to: model.tokenIds($0)) }
        let batch = try PromptBatch(examples, padToken: model.tokenizer?.padId ?? 0)
        let target = try Tensor.randn([texts.count, d], using: &g)
        let adam = try Adam(learningRate: 1e-2)
        var losses: [Double] = []
        for _ in 0..<steps {
            let out = try prompted(batch).output
            #expect(out.shape == [texts.count, d])
            let loss = try (out - target).square().mean()
            let params = try prompted.trainableParameters()
            let grads = try Tensor.gradients(of: loss, wrt: params.map(\.value))
            try adam.update(params, along: grads)
            losses.append(try loss.scalarValue())
        }
        #expect(model.parameters.allSatisfy { $0.isFrozen && $0.gradient == nil })
        #expect(model.checksum() == before)
        return (losses[0], losses[losses.count - 1], before)
    }

    @Test("a tiny BERT: the prompt encoder learns, the model's weights stay bit-identical")
    func tiny() throws {
        let r = try BERTPTuningTests.train(BERTModelTests.tiny(.float32), texts: ["the movie is great!", "bad"], steps: 30)
        #expect(r.last < r.first * 0.9, "loss \(r.first) → \(r.last)")
    }

    @Test("all-MiniLM-L6-v2 p-tunes: loss falls, the frozen weights are untouched",
          .enabled(if: ModelFiles.minilmPresent, "\(ModelFiles.skipMessage)"))
    func minilm() throws {
        let m = try MiniLMTests.model()
        let r = try BERTPTuningTests.train(m, texts: ["The new movie is awesome", "A woman watches TV"], steps: 5)
        #expect(r.last < r.first, "loss \(r.first) → \(r.last)")
    }
}
