import Testing
import PTuneCore
@testable import PTuneNN

/// A prefix shared by every sequence (p-tuning's prepended virtual tokens) computed once: the outputs and the
/// gradients reaching the prefix equal those of the sequences written out in full, and p-tuning takes this path
/// exactly when it applies.
@Suite struct SharedPrefixTests {
    /// `forward(sharedPrefix:rest:)` against the plain forward on `[prefix broadcast; rest]`: values and the gradient
    /// of a random functional with respect to the prefix.
    func expectSameAsWrittenOut(_ model: FrozenModel, prefixLength p: Int, batch b: Int, rest r: Int,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        var g = Generator(seed: 31)
        let d = model.tokenDim
        let prefix = try Tensor.randn([p, d], dtype: .float64, using: &g).requiringGradient()
        let rest = try Tensor.randn([b, r, d], dtype: .float64, using: &g)
        let full = try model.forward(embeddings: Tensor.concat([prefix.unsqueezed(axis: 0).broadcasted(to: [b, p, d]), rest], axis: 1),
                                     attentionMask: nil)
        let shared = try #require(try model.forward(sharedPrefix: prefix, rest: rest))
        #expect(shared.shape == full.shape, sourceLocation: sourceLocation)
        let diff = zip(shared.doubles, full.doubles).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(diff < 1e-12, "outputs differ by \(diff)", sourceLocation: sourceLocation)
        let gFull = try Tensor.gradients(of: GradientChecker.scalarize(full), wrt: [prefix])[0].doubles
        let gShared = try Tensor.gradients(of: GradientChecker.scalarize(shared), wrt: [prefix])[0].doubles
        let gDiff = zip(gFull, gShared).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(gDiff < 1e-11, "prefix gradients differ by \(gDiff)", sourceLocation: sourceLocation)
    }

    @Test func gptSharedPrefixEqualsTheSequencesWrittenOut() throws {
        var g = Generator(seed: 3)
        let gpt = try GPT(GPT.Config(vocabSize: 11, dim: 8, layers: 2, heads: 2, context: 12), dtype: .float64, using: &g)
        gpt.freezeAll()
        try expectSameAsWrittenOut(gpt, prefixLength: 3, batch: 4, rest: 5)
        try expectSameAsWrittenOut(gpt, prefixLength: 1, batch: 2, rest: 11)
        #expect(throws: NNError.self) { try gpt.forward(sharedPrefix: Tensor.zeros([4, 8], dtype: .float64), rest: Tensor.zeros([2, 9, 8], dtype: .float64)) }
    }

    @Test func residualClassifierSharedPrefixEqualsTheSequencesWrittenOut() throws {
        var g = Generator(seed: 4)
        let model = try ResidualMLPClassifier(dim: 6, hidden: 10, classes: 3, dtype: .float64, using: &g)
        model.freezeAll()
        try expectSameAsWrittenOut(model, prefixLength: 4, batch: 3, rest: 7)
    }

    /// A GPT that counts which forward p-tuning called.
    final class Spy: FrozenModel {
        let inner: GPT
        var shared = 0, full = 0
        init(_ inner: GPT) { self.inner = inner }
        var tokenDim: Int { inner.tokenDim }
        var dtype: DType { inner.dtype }
        var parameters: [Parameter] { inner.parameters }
        func embed(_ tokens: Tensor) throws -> Tensor { try inner.embed(tokens) }
        func forward(embeddings: Tensor, attentionMask: Tensor?) throws -> Tensor {
            full += 1
            return try inner.forward(embeddings: embeddings, attentionMask: attentionMask)
        }
        func forward(sharedPrefix prefix: Tensor, rest: Tensor) throws -> Tensor? {
            shared += 1
            return try inner.forward(sharedPrefix: prefix, rest: rest)
        }
    }

    @Test func pTuningRunsThePrefixOnceOnlyWhenEveryExampleStartsWithIt() throws {
        var g = Generator(seed: 8)
        let spy = Spy(try GPT(GPT.Config(vocabSize: 12, dim: 8, layers: 1, heads: 2, context: 10), dtype: .float64, using: &g))
        let enc = try MLPPromptEncoder(numVirtualTokens: 3, tokenDim: 8, hiddenSize: 5, dtype: .float64, using: &g)
        let prompted = try PromptedModel(model: spy, encoder: enc)
        let prefixBatch = try PromptBatch([try PromptExample.prepending(3, to: [4, 5, 6], labels: [4, 5, 6]),
                                           try PromptExample.prepending(3, to: [7, 8, 9], labels: [7, 8, 9])])
        let out = try prompted(prefixBatch)
        #expect(spy.shared == 1 && spy.full == 0)
        // The loss and the encoder's gradients equal those of the inputs written out in full.
        let written = try spy.inner.forward(embeddings: prompted.inputEmbeddings(prefixBatch), attentionMask: nil)
        let lossShared = try out.causalLMLoss()
        let lossFull = try PromptedOutput(output: written, batch: prefixBatch, kind: .perPosition).causalLMLoss()
        #expect(Swift.abs(try lossShared.scalarValue() - lossFull.scalarValue()) < 1e-13)
        let w = enc.parameters.map(\.value)
        for (a, b) in zip(try Tensor.gradients(of: lossShared, wrt: w), try Tensor.gradients(of: lossFull, wrt: w)) {
            #expect((zip(a.doubles, b.doubles).map { Swift.abs($0 - $1) }.max() ?? 1) < 1e-12)
        }
        // Not a shared prefix: one example, virtual tokens placed elsewhere, or padding.
        spy.shared = 0; spy.full = 0
        _ = try prompted(try PromptBatch([try PromptExample.prepending(3, to: [4, 5])]))
        _ = try prompted(try PromptBatch([try PromptExample(items: [.token(4), .virtual(0), .virtual(1), .virtual(2)]),
                                          try PromptExample(items: [.token(5), .virtual(0), .virtual(1), .virtual(2)])]))
        _ = try prompted(try PromptBatch([try PromptExample.prepending(3, to: [4, 5]), try PromptExample.prepending(3, to: [6])], padToken: 0))
        #expect(spy.shared == 0 && spy.full == 3)
    }
}
