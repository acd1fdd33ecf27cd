import Foundation
import Testing
import PTuneCore
@testable import PTuneNN

/// Every layer's gradient (inputs and parameters) against finite differences in float64.
@Suite struct LayerGradientTests {
    var c = GradientChecker()

    @Test mutating func linearAndMLP() throws {
        let lin = try Linear(4, 3, dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([2, 5, 4])], parameters: lin.parameters) { try lin($0[0]) }
        let noBias = try Linear(4, 3, bias: false, dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([3, 4])], parameters: noBias.parameters) { try noBias($0[0]) }
        let mlp = try MLP(sizes: [3, 5, 5, 2], activation: .gelu, dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([4, 3])], parameters: mlp.parameters) { try mlp($0[0]) }
        let tanhMLP = try MLP(sizes: [3, 4, 2], activation: .tanh, activateLast: true, dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([2, 3])], parameters: tanhMLP.parameters) { try tanhMLP($0[0]) }
    }

    @Test mutating func embeddingAndNorms() throws {
        let emb = try Embedding(6, 3, dtype: .float64, using: &c.g)
        let ids = try Tensor(shape: [2, 3], scalars: [Int64(0), 5, 2, 2, 1, 0])
        try GradientChecker.expect(inputs: [], parameters: emb.parameters) { _ in try emb(ids) }
        let ln = try LayerNorm(5, dtype: .float64)
        try ln.load(["weight": try c.randn([5]), "bias": try c.randn([5])])
        try GradientChecker.expect(inputs: [c.randn([3, 5])], parameters: ln.parameters) { try ln($0[0]) }
        let x = try c.randn([4, 3, 5], scale: 3)
        let centered = try x - x.mean(axis: -1, keepDims: true)
        let composite = try centered / (centered.square().mean(axis: -1, keepDims: true) + ln.eps).sqrt()
        let reference = try composite * (ln.weight?.value ?? Tensor.ones([5], dtype: .float64)) + (ln.bias?.value ?? Tensor.zeros([5], dtype: .float64))
        for (a, b) in zip(try ln(x).doubles, reference.doubles) { #expect(Swift.abs(a - b) < 1e-14, "the kernel equals the composite of basic ops") }
        let plain = try LayerNorm(5, elementwiseAffine: false, dtype: .float64)
        try GradientChecker.expect(inputs: [c.randn([2, 5])]) { try plain($0[0]) }
        let rms = try RMSNorm(5, dtype: .float64)
        try rms.load(["weight": try c.randn([5])])
        try GradientChecker.expect(inputs: [c.randn([2, 2, 5])], parameters: rms.parameters) { try rms($0[0]) }
    }

    @Test mutating func lstmMultiLayerBidirectional() throws {
        let lstm = try LSTM(inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([2, 3, 3])], parameters: lstm.parameters) { try lstm($0[0]) }
        let one = try LSTM(inputSize: 2, hiddenSize: 3, dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([1, 4, 2])], parameters: one.parameters) { try one($0[0]) }
    }

    @Test mutating func dropoutWithAFixedMask() throws {
        let d = try Dropout(0.4, generator: Generator(seed: 3))
        let start = d.generator
        try GradientChecker.expect(inputs: [c.randn([4, 5])]) { x in
            d.generator = start
            return try d(x[0])
        }
        let y = try d(try Tensor.ones([1000], dtype: .float64)).doubles
        let kept = y.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.6) < 1e-12 })
        #expect(Swift.abs(Double(kept.count) / 1000 - 0.6) < 0.06)
        d.isTraining = false
        #expect(try d(try Tensor.ones([3], dtype: .float64)).doubles == [1, 1, 1])
    }

    @Test mutating func fusedAttentionMatchesCompositeAndGradients() throws {
        for (causal, padded) in [(true, false), (false, false), (true, true), (false, true)] {
            let qkv = try c.randn([2, 4, 12])
            let padding: [Bool]? = padded ? [false, false, false, true, false, false, true, true] : nil
            let fused = try batchedAttention(qkv, heads: 2, causal: causal, padding: padding)
            let reference = try referenceAttention(qkv, heads: 2, causal: causal, padding: padding)
            for (a, b) in zip(fused.doubles, reference.doubles) { #expect(Swift.abs(a - b) < 1e-13) }
            try GradientChecker.expect(inputs: [qkv]) { try batchedAttention($0[0], heads: 2, causal: causal, padding: padding) }
        }
        // A query with no allowed key gets zeros, not NaN.
        let allPad = try batchedAttention(try c.randn([1, 2, 6]), heads: 1, causal: false, padding: [true, true])
        #expect(allPad.doubles == [0, 0, 0, 0])
    }

    @Test mutating func attentionLayerBlockAndGPT() throws {
        let mha = try MultiHeadAttention(dim: 4, heads: 2, causal: true, dtype: .float64, using: &c.g)
        let mask = try Tensor(shape: [2, 3], scalars: [Int64(1), 1, 1, 1, 1, 0])
        try GradientChecker.expect(inputs: [c.randn([2, 3, 4])], parameters: mha.parameters) { try mha.forward($0[0], attentionMask: mask) }
        let block = try TransformerBlock(dim: 4, heads: 2, dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([1, 3, 4])], parameters: block.parameters) { try block($0[0]) }
        let gpt = try GPT(GPT.Config(vocabSize: 5, dim: 4, layers: 1, heads: 2, context: 4), dtype: .float64, using: &c.g)
        gpt.freezeAll()
        try GradientChecker.expect(inputs: [c.randn([2, 3, 4])]) { try gpt.forward(embeddings: $0[0], attentionMask: mask) }
    }

    @Test mutating func lossesAndGELU() throws {
        let targets = try Tensor(shape: [4], scalars: [Int64(2), -100, 0, 1])
        for smoothing in [0.0, 0.3] {
            try GradientChecker.expect(inputs: [c.randn([4, 3])]) { try Loss.crossEntropy($0[0], targets, labelSmoothing: smoothing) }
        }
        try GradientChecker.expect(inputs: [c.randn([4, 3])]) { try Loss.crossEntropy($0[0], targets, reduction: .none) }
        try GradientChecker.expect(inputs: [c.randn([4, 3])]) { try Loss.crossEntropy($0[0], targets, reduction: .sum) }
        let probs = try Tensor.rand([5], dtype: .float64, using: &c.g)
        try GradientChecker.expect(inputs: [c.randn([5], scale: 3), probs]) { try Loss.binaryCrossEntropyWithLogits($0[0], $0[1]) }
        try GradientChecker.expect(inputs: [c.randn([3, 2]), c.randn([1, 2])]) { try Loss.mse($0[0], $0[1]) }
        let target = try c.randn([2, 1, 3])  // constant: the fused path, broadcast into [2, 4, 3]
        for reduction in Reduction.allCases {
            try GradientChecker.expect(inputs: [c.randn([2, 4, 3])]) { try Loss.mse($0[0], target, reduction: reduction) }
        }
        let labels = try Tensor(shape: [2, 3], scalars: [Int64(-100), 1, 2, 0, 2, -100])
        try GradientChecker.expect(inputs: [c.randn([2, 3, 3])]) { try Loss.causalLM(logits: $0[0], labels: labels) }
        try GradientChecker.expect(inputs: [c.randn([3, 7], scale: 3)]) { try $0[0].gelu() }
        let x = try c.randn([50], scale: 4)
        let exact = x.doubles.map { $0 * 0.5 * (1 + Foundation.erf($0 * 0.70710678118654752440)) }
        for (v, (a, b)) in zip(x.doubles, zip(try x.gelu().doubles, exact)) { #expect(Swift.abs(a - b) <= 5e-16 * Swift.max(1, Swift.abs(v))) }
    }
}
