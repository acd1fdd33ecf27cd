import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels

/// The packed, fused decoder forward and its input-only backward against ``DecoderReference`` on random weights, for
/// every architecture's options (``DecoderTestConfigs``).
@Suite struct DecoderArchitectureTests {
    static let config = DecoderTestConfigs.llama

    func pair(_ name: String, seed: UInt64 = 3) throws -> (DecoderModel, DecoderReference) {
        let w = try DecoderTestConfigs.weights(name, seed: seed)
        return (try DecoderModel(weights: w), try DecoderReference(w))
    }

    func maxDiff(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.doubles, b.doubles).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    }

    @Test(arguments: DecoderTestConfigs.names) func packedSequencesMatchOneAtATime(_ name: String) throws {
        let (model, reference) = try pair(name)
        let seqs = [[5, 17, 3, 60, 41], [7], [12, 12, 60]]
        let packing = try DecoderPacking(lengths: seqs.map(\.count))
        let h = try model.hiddenStates(model.embed(seqs.flatMap { $0 }), packing: packing)
        for (i, s) in seqs.enumerated() {
            let ref = try reference.forward(model.embed(s).to(.float64))
            let rows = try packing.rows(ofSequence: i)
            let mine = try h.narrowed(axis: 0, start: rows.lowerBound, length: rows.count)
            #expect(maxDiff(mine, ref) < 2e-4, "sequence \(i): \(maxDiff(mine, ref))")
        }
    }

    @Test(arguments: DecoderTestConfigs.names) func sharedPrefixEqualsPrependingItToEverySequence(_ name: String) throws {
        let (model, reference) = try pair(name)
        var g = Generator(seed: 1)
        let prefix = try Tensor.randn([4, model.config.hiddenSize], using: &g)
        let seqs = [[5, 17, 3], [8, 1, 2, 3, 4, 5], [56]]
        let packing = try DecoderPacking(prefixLength: 4, lengths: seqs.map(\.count))
        let x = try Tensor.concat([prefix] + seqs.map { try model.embed($0) }, axis: 0)
        let all = try model.hiddenStates(x, packing: packing)
        let last = try model.hiddenStates(x, packing: packing, outputRows: try packing.lastRows())
        for (i, s) in seqs.enumerated() {
            let ref = try reference.forward(Tensor.concat([prefix, model.embed(s)], axis: 0).to(.float64))
            let rows = try packing.rows(ofSequence: i)
            let mine = try Tensor.concat([all.narrowed(axis: 0, start: 0, length: 4),
                                          all.narrowed(axis: 0, start: rows.lowerBound, length: rows.count)], axis: 0)
            #expect(maxDiff(mine, ref) < 2e-4)
            let lastRef = try ref.narrowed(axis: 0, start: ref.shape[0] - 1, length: 1)
            let mineLast = try last.narrowed(axis: 0, start: i, length: 1)
            #expect(maxDiff(mineLast, lastRef) < 2e-4)
        }
        // Output rows in any order, repeated, and inside the prefix.
        let rows = [9, 2, 9, 4]
        let picked = try model.hiddenStates(x, packing: packing, outputRows: rows)
        for (i, r) in rows.enumerated() {
            let a = try picked.narrowed(axis: 0, start: i, length: 1), b = try all.narrowed(axis: 0, start: r, length: 1)
            #expect(maxDiff(a, b) < 1e-5)
        }
    }

    @Test(arguments: DecoderTestConfigs.names) func prefixGradientMatchesReferenceAndSkipsWeights(_ name: String) throws {
        let (model, reference) = try pair(name)
        var g = Generator(seed: 2)
        let prefix = try Tensor.randn([3, model.config.hiddenSize], using: &g).requiringGradient()
        let seqs = [[5, 17, 3, 4], [8, 1], [56, 50, 51]]
        let labels = [11, 42]
        let packing = try DecoderPacking(prefixLength: 3, lengths: seqs.map(\.count))
        let x = try Tensor.concat([prefix] + seqs.map { try model.embed($0) }, axis: 0)
        let weights = try Tensor.randn([3, 2], using: &g)
        let h = try model.hiddenStates(x, packing: packing, outputRows: try packing.lastRows())
        let loss = try (model.logits(h, tokens: labels) * weights).sum()
        let grad = try Tensor.gradients(of: loss, wrt: [prefix])[0]

        let p64 = try prefix.detached().to(.float64).requiringGradient()
        var refLoss = try Tensor.zeros([], dtype: .float64)
        for (i, s) in seqs.enumerated() {
            let hs = try reference.forward(Tensor.concat([p64, model.embed(s).to(.float64)], axis: 0))
            let last = try hs.narrowed(axis: 0, start: hs.shape[0] - 1, length: 1)
            let lg = try reference.logits(last, tokens: labels)
            refLoss = try refLoss + (lg * weights.narrowed(axis: 0, start: i, length: 1).to(.float64)).sum()
        }
        let refGrad = try Tensor.gradients(of: refLoss, wrt: [p64])[0]
        let scale = refGrad.doubles.map(Swift.abs).max() ?? 1
        #expect(maxDiff(grad, refGrad) < 1e-3 * Swift.max(scale, 1), "\(maxDiff(grad, refGrad)) vs scale \(scale)")
        #expect(Swift.abs(try loss.scalarValue() - refLoss.scalarValue()) < 1e-3)
    }

    @Test func backwardComputesInputGradientsOnly() throws {
        // Wide weights, few rows: any weight gradient would dwarf all the input gradients together.
        let config = DecoderConfig(vocabularySize: 512, hiddenSize: 256, feedForwardSize: 512, layers: 2, heads: 4, kvHeads: 2)
        let big = try DecoderModel(weights: DecoderWeights.random(config: config, seed: 9))
        var g = Generator(seed: 4)
        let prefix = try Tensor.randn([1, 256], using: &g).requiringGradient()
        let packing = try DecoderPacking(prefixLength: 1, lengths: [1, 1])
        let x = try Tensor.concat([prefix, big.embed([1]), big.embed([3])], axis: 0)
        let h = try big.hiddenStates(x, packing: packing, outputRows: try packing.lastRows())
        let loss = try big.logits(h, tokens: [7, 9]).sum()
        var report = BackwardReport()
        _ = try Tensor.gradients(of: loss, wrt: [prefix], report: &report)
        let smallestWeight = big.weights.layers[0].attentionOutput.byteCount
        #expect(report.gradientBytes < smallestWeight, "\(report.gradientBytes) bytes of gradients")
    }

    @Test func badInputsAreErrors() throws {
        let model = try DecoderModel(weights: DecoderWeights.random(config: Self.config, seed: 3))
        #expect(throws: DecoderError.self) { try model.embed([97]) }
        #expect(throws: DecoderError.self) { try model.embed([-1]) }
        #expect(throws: DecoderError.self) { try DecoderPacking(lengths: [3, 0]) }
        #expect(throws: DecoderError.self) { try DecoderPacking(lengths: []) }
        let packing = try DecoderPacking(lengths: [2])
        #expect(throws: DecoderError.self) { try model.hiddenStates(Tensor.zeros([3, 48]), packing: packing) }
        #expect(throws: DecoderError.self) { try model.hiddenStates(Tensor.zeros([2, 48]), packing: packing, outputRows: [2]) }
        var bad = Self.config
        bad.heads = 5
        #expect(throws: DecoderError.self) { try DecoderWeights.random(config: bad, seed: 1) }
    }
}

/// The padded `[B, T, d]` interface agrees with the packed forward, for right and left padding and its gradient.
@Suite struct DecoderPaddedTests {
    @Test(arguments: DecoderTestConfigs.names) func rightAndLeftPaddingMatchPacked(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 3))
        let seqs = [[5, 17, 3, 60], [7, 8], [12, 12, 60]]
        let packing = try DecoderPacking(lengths: seqs.map(\.count))
        let packed = try model.logits(model.hiddenStates(model.embed(seqs.flatMap { $0 }), packing: packing)).doubles
        let v = model.config.vocabularySize
        for left in [false, true] {
            var ids: [Int64] = [], mask: [Int64] = []
            for s in seqs {
                let pad = 4 - s.count
                let row = left ? Array(repeating: 2, count: pad) + s : s + Array(repeating: 2, count: pad)
                ids += row.map(Int64.init)
                mask += (left ? Array(repeating: 0, count: pad) + Array(repeating: 1, count: s.count)
                              : Array(repeating: 1, count: s.count) + Array(repeating: 0, count: pad)).map(Int64.init)
            }
            let x = try model.embed(tokens: Tensor(shape: [3, 4], scalars: ids))
            let out = try model.forward(embeddings: x, attentionMask: Tensor(shape: [3, 4], scalars: mask), logits: true)
            #expect(out.shape == [3, 4, v])
            let o = out.doubles
            var k = 0
            for (b, s) in seqs.enumerated() {
                let first = left ? 4 - s.count : 0
                for j in 0..<4 {
                    let row = Array(o[((b * 4 + j) * v)..<((b * 4 + j + 1) * v)])
                    if j >= first && j < first + s.count {
                        let want = Array(packed[(k * v)..<((k + 1) * v)])
                        #expect(zip(row, want).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
                        k += 1
                    } else {
                        #expect(row.allSatisfy { $0 == 0 })
                    }
                }
            }
        }
    }

    @Test func gradientReachesPaddedEmbeddings() throws {
        let model = try DecoderModel(weights: DecoderWeights.random(config: DecoderArchitectureTests.config, seed: 3))
        var g = Generator(seed: 8)
        let x = try Tensor.randn([2, 3, 48], using: &g).requiringGradient()
        let mask = try Tensor(shape: [2, 3], scalars: [Int64(1), 1, 1, 1, 1, 0])
        let loss = try model.forward(embeddings: x, attentionMask: mask, logits: false).sum()
        let grad = try Tensor.gradients(of: loss, wrt: [x])[0].doubles
        #expect(grad[(5 * 48)..<(6 * 48)].allSatisfy { $0 == 0 }, "padding gets no gradient")
        #expect(grad[0..<48].contains { $0 != 0 })
    }
}
