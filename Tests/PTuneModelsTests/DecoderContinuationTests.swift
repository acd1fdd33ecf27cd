import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels
import PTuneNN

/// Teacher-forced continuations (label words of several tokens, the causal-LM loss of a target) equal the
/// token-by-token computation on the padded forward, for every architecture, with virtual tokens anywhere in the
/// prompt or a deep prefix; their gradients reach the virtual tokens and match finite differences.
@Suite struct DecoderContinuationTests {
    /// Rows `[T, d]` of one example: virtual positions read `virtual`, tokens their embeddings.
    func rows(_ model: DecoderModel, _ virtual: Tensor, _ items: [SequenceItem]) throws -> Tensor {
        try Tensor.concat(items.map { item in
            switch item {
            case let .virtual(k): return try virtual.narrowed(axis: 0, start: k, length: 1)
            case let .token(t): return try model.embed([t])
            }
        }, axis: 0)
    }

    /// `log p(token | items)` from the padded forward of the whole sequence (the last position's log-softmax).
    func logProbability(_ model: DecoderModel, _ virtual: Tensor, _ items: [SequenceItem], _ token: Int,
                        prefix: DeepPrefix? = nil) throws -> Double {
        let x = try rows(model, virtual, items).unsqueezed(axis: 0)
        let logits = try prefix.map { try model.forward(embeddings: x, attentionMask: nil, prefix: $0) }
            ?? model.forward(embeddings: x, attentionMask: nil, logits: true)
        let last = try logits.squeezed(axis: 0).narrowed(axis: 0, start: items.count - 1, length: 1)
        return try last.logSoftmax(axis: -1).doubles[token]
    }

    static let examples: [[SequenceItem]] = [
        [.virtual(0), .virtual(1), .virtual(2), .token(5), .token(17), .token(3)],  // PEFT's layout
        [.token(9), .virtual(0), .token(44), .virtual(1), .virtual(2), .token(12)],   // a template's placement
        [.virtual(0), .virtual(1), .virtual(2)],                                      // virtual tokens only
    ]
    static let continuations = [[11, 42, 7], [60], [3, 3]]

    @Test(arguments: DecoderTestConfigs.names) func logProbabilitiesAreTheTokenByTokenOnes(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 7))
        var g = Generator(seed: 4)
        let virtual = try Tensor.randn([3, model.config.hiddenSize], using: &g) * 0.5
        for layout in [Self.examples, [Self.examples[0], Self.examples[2], Self.examples[0]]] {
            let conts = Array(Self.continuations.prefix(layout.count))
            let got = try model.continuationLogProbabilities(virtualTokens: virtual, examples: layout, continuations: conts).doubles
            var want: [Double] = []
            for (e, c) in zip(layout, conts) {
                for j in c.indices {
                    want.append(try logProbability(model, virtual, e + c[..<j].map { .token($0) }, c[j]))
                }
            }
            #expect(got.count == want.count)
            #expect(zip(got, want).allSatisfy { Swift.abs($0 - $1) < 2e-4 }, "\(name): \(got) vs \(want)")
            // The loss is their negated mean over every token.
            let loss = try model.continuationLoss(virtualTokens: virtual, examples: layout, continuations: conts).doubles[0]
            #expect(Swift.abs(loss + want.reduce(0, +) / Double(want.count)) < 2e-4)
        }
    }

    @Test(arguments: DecoderTestConfigs.names) func deepPrefixContinuationsAreTheTokenByTokenOnes(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 8))
        guard let layout = model.prefixLayout else { Issue.record("no prefix layout"); return }
        var g = Generator(seed: 5)
        // One prefix position and sequences of two, inside the tiny sliding window (3) of Qwen 2 and Gemma 3.
        let table = try Tensor.randn([1, layout.tableWidth], using: &g) * 0.5
        let prefix = try DeepPrefix(table: table, layout: layout)
        let examples: [[SequenceItem]] = [[.token(5), .token(17)], [.token(9)]]
        let conts = [[11], [60, 2]]
        let got = try model.continuationLogProbabilities(virtualTokens: nil, examples: examples, continuations: conts, prefix: prefix).doubles
        var want: [Double] = []
        let none = try Tensor.zeros([0, model.config.hiddenSize])
        for (e, c) in zip(examples, conts) {
            for j in c.indices { want.append(try logProbability(model, none, e + c[..<j].map { .token($0) }, c[j], prefix: prefix)) }
        }
        #expect(zip(got, want).allSatisfy { Swift.abs($0 - $1) < 2e-4 }, "\(name): \(got) vs \(want)")
    }

    @Test func labelWordScoresSumTheirTokens() throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights("llama", seed: 9))
        var g = Generator(seed: 6)
        let virtual = try Tensor.randn([3, model.config.hiddenSize], using: &g) * 0.5
        let words = [[11], [42, 7], [3, 4, 5]]
        let scores = try model.labelLogProbabilities(virtualTokens: virtual, examples: Self.examples, labelWords: words)
        #expect(scores.shape == [3, 3])
        for (i, e) in Self.examples.enumerated() {
            for (w, word) in words.enumerated() {
                var sum = 0.0
                for j in word.indices { sum += try logProbability(model, virtual, e + word[..<j].map { .token($0) }, word[j]) }
                #expect(Swift.abs(scores.doubles[i * 3 + w] - sum) < 3e-4, "example \(i), word \(w)")
            }
            // A one-token word's score is its logit less the example's log-normaliser.
            let logits = try model.labelLogits(virtualTokens: virtual, examples: [e], labelTokens: [11]).doubles[0]
            let all = try model.forward(embeddings: rows(model, virtual, e).unsqueezed(axis: 0), attentionMask: nil, logits: true).squeezed(axis: 0)
            let lse = try all.narrowed(axis: 0, start: e.count - 1, length: 1).logSoftmax(axis: -1).doubles[11]
            #expect(Swift.abs(scores.doubles[i * 3] - lse) < 2e-4 && Swift.abs(logits - lse) > 1e-3)
        }
    }

    /// The loss's gradient with respect to the virtual tokens against central differences along random directions
    /// (float32 activations, a step small enough for Gemma's curvature: a 1% tolerance on each directional derivative).
    @Test(arguments: ["llama", "gemma3"]) func lossGradientMatchesFiniteDifferences(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 10))
        var g = Generator(seed: 7)
        let d = model.config.hiddenSize
        let v0 = try Tensor.randn([3, d], using: &g) * 0.5
        func loss(_ v: Tensor) throws -> Tensor {
            try model.continuationLoss(virtualTokens: v, examples: Self.examples, continuations: Self.continuations)
        }
        let v = try v0.requiringGradient(name: "v")
        let grad = try Tensor.gradients(of: loss(v), wrt: [v])[0]
        #expect(grad.doubles.contains { $0 != 0 })
        for k in 0..<3 {
            let u = try Tensor.randn([3, d], using: &g)
            let eps = 1e-3
            let plus = try loss(v0 + u * eps).doubles[0], minus = try loss(v0 - u * eps).doubles[0]
            let numeric = (plus - minus) / (2 * eps)
            let analytic = zip(grad.doubles, u.doubles).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(Swift.abs(numeric - analytic) <= 0.01 * Swift.max(Swift.abs(analytic), 1e-1), "\(name) direction \(k): \(numeric) vs \(analytic)")
        }
    }

    @Test func badContinuationsAreErrors() throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights("llama", seed: 1))
        let e: [[SequenceItem]] = [[.token(1)]]
        #expect(throws: DecoderError.self) { try model.continuationLoss(virtualTokens: nil, examples: e, continuations: [[]]) }
        #expect(throws: DecoderError.self) { try model.continuationLoss(virtualTokens: nil, examples: e, continuations: [[1], [2]]) }
        #expect(throws: DecoderError.self) { try model.continuationLoss(virtualTokens: nil, examples: e, continuations: [[500]]) }
        #expect(throws: DecoderError.self) { try model.continuationLoss(virtualTokens: nil, examples: [[.virtual(0)]], continuations: [[1]]) }
        #expect(throws: DecoderError.self) { try model.labelLogProbabilities(virtualTokens: nil, examples: e, labelWords: [[1], []]) }
    }
}
