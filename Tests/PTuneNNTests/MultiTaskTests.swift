import Testing
import PTuneCore
@testable import PTuneNN

/// Wraps an encoder and counts how often it runs.
final class CountingEncoder: PromptEncoder {
    let inner: PromptEncoder
    var calls = 0
    init(_ inner: PromptEncoder) { self.inner = inner }
    var numVirtualTokens: Int { inner.numVirtualTokens }
    var tokenDim: Int { inner.tokenDim }
    var parameters: [Parameter] { inner.parameters }
    var config: PromptEncoderConfig { inner.config }
    func encode() throws -> Tensor { calls += 1; return try inner.encode() }
}

/// Several encoders in front of one frozen model, with batches that mix tasks.
@Suite struct MultiTaskTests {
    func setup() throws -> (GPT, CountingEncoder, CountingEncoder, PromptedModel) {
        var g = Generator(seed: 31)
        let gpt = try GPT(GPT.Config(vocabSize: 9, dim: 6, layers: 1, heads: 2, context: 10), dtype: .float64, using: &g)
        let a = CountingEncoder(try MLPPromptEncoder(numVirtualTokens: 2, tokenDim: 6, hiddenSize: 4, dtype: .float64, using: &g))
        let b = CountingEncoder(try LSTMPromptEncoder(numVirtualTokens: 3, tokenDim: 6, hiddenSize: 2, dtype: .float64, using: &g))
        return (gpt, a, b, try PromptedModel(model: gpt, encoders: [("sentiment", a), ("topic", b)]))
    }

    func examples() throws -> [PromptExample] {
        [try PromptExample.prepending(2, to: [1, 2, 3], labels: [1, 2, 3], task: "sentiment"),
         try PromptExample(items: [.token(4), .virtual(0), .virtual(1), .token(5), .virtual(2), .token(6)], labels: [4, 5, 6], task: "topic"),
         try PromptExample.prepending(2, to: [7, 8], labels: [7, 8], task: "sentiment")]
    }

    @Test func eachExampleGetsItsTasksVirtualTokens() throws {
        let (_, a, b, model) = try setup()
        let batch = try PromptBatch(try examples())
        #expect(batch.tasks == ["sentiment", "topic"] && batch.taskOfExample == [0, 1, 0])
        let e = try model.inputEmbeddings(batch)
        #expect(a.calls == 1 && b.calls == 1, "each task's encoder runs once per batch")
        let pa = try a.inner.encode().doubles, pb = try b.inner.encode().doubles
        let t = batch.length, d = 6, x = e.doubles
        func row(_ ex: Int, _ pos: Int) -> [Double] { Array(x[((ex * t + pos) * d)..<((ex * t + pos + 1) * d)]) }
        #expect(row(0, 0) == Array(pa[0..<6]) && row(0, 1) == Array(pa[6..<12]))
        #expect(row(1, 1) == Array(pb[0..<6]) && row(1, 2) == Array(pb[6..<12]) && row(1, 4) == Array(pb[12..<18]))
        #expect(row(2, 1) == Array(pa[6..<12]))
    }

    @Test func mixedBatchEqualsPerTaskBatches() throws {
        let (_, _, _, model) = try setup()
        let ex = try examples()
        let mixed = try model(try PromptBatch(ex)).realTokenOutputs()
        let r = mixed.shape[1], v = 9, m = mixed.doubles
        for (i, e) in ex.enumerated() {
            let alone = try model(try PromptBatch([e])).realTokenOutputs().doubles
            for j in 0..<e.realTokens.count { for k in 0..<v { #expect(Swift.abs(m[(i * r + j) * v + k] - alone[j * v + k]) < 1e-12) } }
        }
    }

    @Test func gradientsAndUpdatesReachOnlyTheTasksInvolved() throws {
        let (gpt, a, b, model) = try setup()
        // Loss only on the sentiment examples: the topic encoder's gradient is zero.
        var ex = try examples()
        ex[1] = try PromptExample(items: ex[1].items, labels: [-100, -100, -100], task: "topic")
        let out = try model(try PromptBatch(ex))
        let grads = try Tensor.gradients(of: try out.causalLMLoss(), wrt: (a.parameters + b.parameters).map(\.value))
        #expect(grads.prefix(a.parameters.count).contains { $0.doubles.contains { $0 != 0 } })
        #expect(grads.suffix(b.parameters.count).allSatisfy { $0.doubles.allSatisfy { $0 == 0 } })
        // A step on a batch without the topic task leaves the topic encoder untouched (as PyTorch skips it).
        let tuner = PromptTuner(model: model, optimizer: try Adam.adamW(learningRate: 0.01))
        let topicBefore = ParameterChecksum(b.parameters), sentimentBefore = ParameterChecksum(a.parameters)
        let frozenBefore = gpt.checksum()
        try tuner.step(try PromptBatch([ex[0], ex[2]])) { try $0.causalLMLoss() }
        #expect(ParameterChecksum(b.parameters) == topicBefore && ParameterChecksum(a.parameters) != sentimentBefore)
        try tuner.step(try PromptBatch(try examples())) { try $0.causalLMLoss() }
        #expect(ParameterChecksum(b.parameters) != topicBefore)
        #expect(gpt.checksum() == frozenBefore, "the shared model stays frozen")
        #expect(throws: NNError.self) { try model.register(a, for: "bad/name") }
    }
}
