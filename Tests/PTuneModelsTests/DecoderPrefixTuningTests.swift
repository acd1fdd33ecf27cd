import Testing
@testable import PTuneCore
@testable import PTuneModels
import PTuneNN

/// Prefix tuning of the decoder (Llama with grouped-query heads in GGUF's adjacent-pair layout, Llama 3 and Qwen in
/// rotate-half layout, Qwen 2 and Gemma 3 with sliding windows, head norms, soft caps): a deep prompt started from a
/// prefill of real tokens continues exactly as those tokens written first — in the padded forward, the packed
/// label-logits path and generation — so positions start after the prefix and its keys are not rotated again;
/// the fast path's gradients equal the padded forward's; BERT's deep prompt trains the same way.
@Suite struct DecoderPrefixTuningTests {
    let model: DecoderModel
    init() throws { model = try DecoderModel(weights: DecoderWeights.random(config: DecoderArchitectureTests.config, seed: 5)) }

    func maxDiff(_ a: Tensor, _ b: Tensor) -> Double {
        a.shape == b.shape ? zip(a.doubles, b.doubles).map { Swift.abs($0 - $1) }.max() ?? 0 : .infinity
    }

    @Test func layoutIsGroupedQuery() throws {
        let layout = try #require(model.prefixLayout)
        #expect(layout.layers == 3 && layout.kvWidth == 2 * 8 && layout.tableWidth == 96)
    }

    @Test(arguments: DecoderTestConfigs.names) func prefillPrefixEqualsTheTokensWrittenFirst(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 5))
        let sliding = model.config.slidingWindow != nil
        // Sliding layers see the prefix only inside their window (3 here): short sequences keep it there.
        let first = sliding ? [4] : [4, 9, 33, 41, 2], rests = sliding ? [[5, 17], [60], [12, 12]] : [[5, 17, 3], [60], [12, 12, 60, 8]]
        let layout = try #require(model.prefixLayout)
        let prefix = try DeepPrefix(table: model.prefillTable(first), layout: layout)
        #expect(prefix.count == first.count)
        let labels = [11, 42, 7], v = model.config.vocabularySize, d = model.config.hiddenSize
        let fast = try model.labelLogits(prefix: prefix, sequences: rests, labelTokens: labels)
        for (i, rest) in rests.enumerated() {
            let full = try model.forward(embeddings: model.embed(first + rest).unsqueezed(axis: 0), attentionMask: nil, logits: true)
            let last = try full.narrowed(axis: 1, start: first.count + rest.count - 1, length: 1).reshaped([v])
            let want = try Tensor(shape: [3], scalars: labels.map { Float(last.doubles[$0]) })
            #expect(maxDiff(try fast.narrowed(axis: 0, start: i, length: 1).reshaped([3]), want) < 1e-4, "\(name)")
            // Generation after the prefix is generation after the tokens.
            let steps = sliding ? 3 - first.count - rest.count : 4
            let generated = try model.generate(batch: [rest], deepPrefix: prefix, maxTokens: steps)[0]
            #expect(generated == (try model.generate(first + rest, maxTokens: steps)), "\(name)")
        }
        // The padded forward with a prefix: the same logits at every real position.
        let b = rests.count, t = rests.map(\.count).max() ?? 1
        var ids = [Int](repeating: 0, count: b * t), mask = [Float](repeating: 0, count: b * t)
        for (i, r) in rests.enumerated() { for (j, id) in r.enumerated() { ids[i * t + j] = id; mask[i * t + j] = 1 } }
        let padded = try model.forward(embeddings: model.embed(ids).reshaped([b, t, d]),
                                       attentionMask: Tensor(shape: [b, t], scalars: mask), prefix: prefix)
        for (i, rest) in rests.enumerated() {
            let full = try model.forward(embeddings: model.embed(first + rest).unsqueezed(axis: 0), attentionMask: nil, logits: true)
            let mine = try padded.narrowed(axis: 0, start: i, length: 1).narrowed(axis: 1, start: 0, length: rest.count)
            #expect(maxDiff(mine, try full.narrowed(axis: 1, start: first.count, length: rest.count)) < 1e-4, "\(name)")
        }
        if sliding {
            // A prefix that would fall out of the window is refused.
            #expect(throws: DecoderError.self) { try model.labelLogits(prefix: prefix, sequences: [[1, 2, 3]], labelTokens: [1]) }
        }
    }

    @Test func fastPathGradientsMatchThePaddedForward() throws {
        var g = Generator(seed: 1)
        let layout = try #require(model.prefixLayout)
        let encoder = try PrefixEncoder(numVirtualTokens: 3, layout: layout, projection: 16, using: &g)
        let seqs = [[5, 17, 3, 90], [7], [12, 12, 60]]
        let labels = [11, 42]
        let fast = try model.labelLogits(prefix: encoder.prefix(), sequences: seqs, labelTokens: labels)
        var rows: [Tensor] = []
        for s in seqs {
            let out = try model.forward(embeddings: model.embed(s).unsqueezed(axis: 0), attentionMask: nil, prefix: encoder.prefix())
            let last = try out.narrowed(axis: 1, start: s.count - 1, length: 1).reshaped([1, 97])
            rows.append(try Tensor.concat(labels.map { try last.narrowed(axis: 1, start: $0, length: 1) }, axis: 1))
        }
        let slow = try Tensor.concat(rows, axis: 0)
        #expect(maxDiff(fast, slow) < 1e-4)
        let params = encoder.parameters.map(\.value)
        let gFast = try Tensor.gradients(of: fast.sum(), wrt: params)
        let gSlow = try Tensor.gradients(of: slow.sum(), wrt: params)
        for (a, b) in zip(gFast, gSlow) {
            let scale = b.doubles.map(Swift.abs).max() ?? 1
            #expect(zip(a.doubles, b.doubles).allSatisfy { Swift.abs($0 - $1) <= 1e-3 * Swift.max(scale, 1e-3) })
        }
        #expect(model.parameters.allSatisfy { $0.gradient == nil })
    }

    @Test func badPrefixesAreRefused() throws {
        let wrong = try DeepPrefix(table: Tensor.zeros([2, 2 * 2 * 16]), layout: PrefixLayout(layers: 2, kvWidth: 16))
        #expect(throws: NNError.self) { try model.labelLogits(prefix: wrong, sequences: [[1]], labelTokens: [1]) }
        let layout = try #require(model.prefixLayout)
        let long = try DeepPrefix(table: Tensor.zeros([60, layout.tableWidth]), layout: layout)
        #expect(throws: DecoderError.self) { try model.labelLogits(prefix: long, sequences: [Array(repeating: 1, count: 5)], labelTokens: [1]) }
        #expect(throws: DecoderError.self) { try model.generate(batch: [Array(repeating: 1, count: 5)], deepPrefix: long, maxTokens: 2) }
    }

    @Test func bertPrefixGradientsAndChunks() throws {
        let bert = try BERTModelTests.tiny()
        let layout = try #require(bert.prefixLayout)
        #expect(layout == (try PrefixLayout(layers: 2, kvWidth: 8)))
        var g = Generator(seed: 4)
        let x = try Tensor.randn([2, 4, 8], dtype: .float64, using: &g)
        let mask = try Tensor(shape: [2, 4], values: [1, 1, 1, 1, 1, 1, 0, 0], dtype: .float64)
        let table = try Tensor.randn([3, layout.tableWidth], dtype: .float64, using: &g)
        let r = try GradCheck.check([table], tolerance: 1e-5) { v in
            try (bert.forward(embeddings: x, attentionMask: mask, prefix: DeepPrefix(table: v[0], layout: layout)) * 0.7).sum()
        }
        #expect(r.passed, "\(r)")
        // Positions start after the prefix: 14 + 3 exceed BERT's 16.
        #expect(throws: TensorError.self) {
            try bert.hiddenStates(embeddings: Tensor.zeros([1, 14, 8], dtype: .float64), attentionMask: nil,
                                  prefix: DeepPrefix(table: table, layout: layout))
        }
        // Chunked (checkpointed) and whole-batch embeddings agree.
        let texts = ["the movie is great", "a bad movie", "great !", "the movie", "bad"]
        let whole = try bert.sentenceEmbeddings(texts, prefixTable: table, normalize: true, batchSize: 8)
        let chunked = try bert.sentenceEmbeddings(texts, prefixTable: table, normalize: true, batchSize: 2)
        #expect(maxDiff(whole, chunked) < 1e-12)
        #expect(try bert.prefillTable("the movie").shape == [4, 32])
    }
}
