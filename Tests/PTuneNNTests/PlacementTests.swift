import Testing
import PTuneCore
@testable import PTuneNN

/// Placing virtual tokens: templates, batches (masks, labels, padding), the gathered input embeddings and the
/// alignment of outputs to real tokens.
@Suite struct PlacementTests {
    static let vocab = ["<pad>": 0, "Review:": 1, "Sentiment:": 2, "great": 3, "movie": 4, "bad": 5, "positive": 6, "negative": 7, "{x}": 8]
    let tokenize: (String) throws -> [Int] = { text in text.split(separator: " ").map { PlacementTests.vocab[String($0)] ?? 9 } }

    @Test func templatesParseIntoSegments() throws {
        let t = try PromptTemplate("<v:3> Review: {text} <v:3> Sentiment:")
        #expect(t.segments == [.virtual(3), .text("Review: "), .field("text"), .virtual(3), .text("Sentiment:")])
        #expect(t.virtualTokenCount == 6 && t.fields == ["text"])
        #expect(try PromptTemplate("<v>{a}{{x}}<v:2>\n{ b }").segments == [.virtual(1), .field("a"), .text("{x}"), .virtual(2), .text("\n"), .field("b")])
        #expect(try PromptTemplate("a < b <vx").segments == [.text("a < b <vx")])
        #expect(PromptTemplate.prepend(4).segments == [.virtual(4), .field("text")])
        let errors: [(String, Int)] = [("ab <v:0> c", 4), ("<v:x>", 1), ("x {text", 3), ("{}", 1), ("a } b", 3), ("<v:3", 1), ("{a b}", 1)]
        for (source, column) in errors {
            #expect(throws: TemplateError.self, "\(source)") { try PromptTemplate(source) }
            do { _ = try PromptTemplate(source) } catch let e as TemplateError { #expect(e.column == column, "\(source): \(e)") }
        }
    }

    @Test func renderingPlacesVirtualTokensAnywhere() throws {
        let t = try PromptTemplate("<v:3> Review: {text} <v:3> Sentiment:")
        let items = try t.render(["text": "great movie"], tokenize: tokenize)
        #expect(items == [.virtual(0), .virtual(1), .virtual(2), .token(1), .token(3), .token(4),
                          .virtual(3), .virtual(4), .virtual(5), .token(2)])
        let ex = try t.example(["text": "bad"], target: [7], tokenize: tokenize)
        #expect(ex.realTokens == [1, 5, 2, 7] && ex.labels == [-100, -100, -100, 7] && ex.virtualCount == 6)
        #expect(throws: NNError.self) { try t.render([:], tokenize: tokenize) }
    }

    @Test func batchesPadAndMaskBothSides() throws {
        let a = try PromptExample(items: [.virtual(0), .token(3), .virtual(1), .token(4), .token(5)], labels: [-100, 4, 5])
        let b = try PromptExample.prepending(2, to: [6], labels: [6])
        let right = try PromptBatch([a, b], padToken: 0)
        #expect(right.length == 5 && right.realCounts == [3, 1] && right.realPositions == [[1, 3, 4], [2]])
        #expect(right.attentionMask.ints == [1, 1, 1, 1, 1, 1, 1, 1, 0, 0] && right.hasPadding)
        #expect(right.labels.ints == [-100, -100, -100, 4, 5, -100, -100, 6, -100, -100])
        #expect(right.realTokens.ints == [3, 4, 5, 6, 0, 0])
        let left = try PromptBatch([a, b], padToken: 0, padding: .left)
        #expect(left.attentionMask.ints == [1, 1, 1, 1, 1, 0, 0, 1, 1, 1] && left.realPositions[1] == [4])
        #expect(left.labels.ints == [-100, -100, -100, 4, 5, -100, -100, -100, -100, 6])
        #expect(throws: NNError.self) { try PromptBatch([]) }
        #expect(throws: NNError.self) { try PromptExample(items: [.token(1)], labels: [1, 2]) }
    }

    /// A toy model whose token rows and encoder rows are recognisable.
    func toySetup(n: Int = 3) throws -> (ToyMatrixModel, EmbeddingPromptEncoder, PromptedModel) {
        var g = Generator(seed: 8)
        let table = try Tensor(shape: [10, 2], values: (0..<20).map { Double($0) }, dtype: .float64)
        let model = try ToyMatrixModel(weights: try Tensor.randn([2, 3], dtype: .float64, using: &g), tokenTable: table)
        let enc = try EmbeddingPromptEncoder(table: try Tensor(shape: [n, 2], values: (0..<(2 * n)).map { -1 - Double($0) }, dtype: .float64))
        return (model, enc, try PromptedModel(model: model, encoder: enc))
    }

    @Test func inputEmbeddingsTakeVirtualRowsFromTheEncoder() throws {
        let (model, _, prompted) = try toySetup()
        let t = try PromptTemplate("<v:1> Review: {text} <v:2> Sentiment:")
        let ex = try PromptExample(items: try t.render(["text": "great"], tokenize: tokenize))
        let short = try PromptExample.prepending(3, to: [4])
        let batch = try PromptBatch([ex, short], padToken: 0)
        let e = try prompted.inputEmbeddings(batch).doubles
        // ex: v0, Review:(1), great(3), v1, v2, Sentiment:(2); short: v0 v1 v2 movie(4), then pad(0) twice.
        let row = { (id: Int) in [Double(2 * id), Double(2 * id + 1)] }
        let v = { (i: Int) in [-1 - Double(2 * i), -2 - Double(2 * i)] }
        #expect(e == v(0) + row(1) + row(3) + v(1) + v(2) + row(2) + v(0) + v(1) + v(2) + row(4) + row(0) + row(0))
        // Outputs at real tokens equal the model applied to the real tokens alone (the toy has no cross-position mixing).
        let out = try prompted(batch)
        let aligned = try out.realTokenOutputs()
        #expect(aligned.shape == [2, 3, 3])
        let direct = try model.forward(embeddings: model.embed(batch.realTokens), attentionMask: nil).doubles
        let got = aligned.doubles
        for i in 0..<9 { #expect(Swift.abs(got[i] - direct[i]) < 1e-14) }   // example 0: all three real tokens
        for i in 9..<12 { #expect(Swift.abs(got[i] - direct[i]) < 1e-14) }  // example 1: its one real token
        #expect(try out.lastRealTokenOutputs().doubles.suffix(3) == Array(got[9..<12]))
        #expect(try Array(out.lastRealTokenOutputs().doubles.prefix(3)) == Array(got[6..<9]))
    }

    @Test func prefixFastPathEqualsTheGeneralGather() throws {
        let (_, enc, prompted) = try toySetup()
        let prefix = try PromptBatch([try PromptExample.prepending(3, to: [4, 5]), try PromptExample.prepending(3, to: [6, 7])])
        #expect(prefix.prefixLength == 3)
        // The same layout with the virtual tokens' order permuted is not a prefix: it takes the gather path.
        let permuted = try PromptBatch([try PromptExample(items: [.virtual(0), .virtual(2), .virtual(1), .token(4), .token(5)]),
                                        try PromptExample(items: [.virtual(0), .virtual(2), .virtual(1), .token(6), .token(7)])])
        #expect(permuted.prefixLength == nil)
        let fast = try prompted.inputEmbeddings(prefix).doubles, general = try prompted.inputEmbeddings(permuted).doubles
        let v = try enc.encode().doubles
        #expect(Array(fast[0..<6]) == v && Array(fast[10..<16]) == v && Array(fast[6..<10]) == [8, 9, 10, 11])
        #expect(Array(general[2..<4]) == Array(v[4..<6]) && Array(general[6..<10]) == [8, 9, 10, 11])
        let g1 = try Tensor.gradients(of: try GradientChecker.scalarize(prompted.inputEmbeddings(prefix)), wrt: [enc.embedding.weight.value])[0]
        #expect(g1.shape == [3, 2] && g1.doubles.contains { $0 != 0 })
        #expect(try PromptBatch([try PromptExample(items: [.token(1), .virtual(1), .virtual(0)])]).prefixLength == nil)
    }

    @Test func mismatchedLayoutsAreErrors() throws {
        let (_, _, prompted) = try toySetup(n: 3)
        #expect(throws: NNError.self) { try prompted.inputEmbeddings(try PromptBatch([try PromptExample.prepending(2, to: [1])])) }
        #expect(throws: NNError.self) { try prompted.inputEmbeddings(try PromptBatch([try PromptExample(items: [.virtual(0), .virtual(1), .virtual(5)])])) }
        #expect(throws: NNError.unknownTask("other")) { try prompted.inputEmbeddings(try PromptBatch([try PromptExample.prepending(3, to: [1], task: "other")])) }
        var g = Generator(seed: 1)
        #expect(throws: NNError.self) { try prompted.register(try EmbeddingPromptEncoder(numVirtualTokens: 2, tokenDim: 5, dtype: .float64, using: &g), for: "wide") }
        #expect(throws: NNError.self) { try prompted.register(try EmbeddingPromptEncoder(numVirtualTokens: 2, tokenDim: 2, using: &g), for: "f32") }
    }

    @Test func paddingDoesNotChangeAGPTsOutputs() throws {
        var g = Generator(seed: 12)
        let gpt = try GPT(GPT.Config(vocabSize: 10, dim: 8, layers: 2, heads: 2, context: 12), dtype: .float64, using: &g)
        let enc = try MLPPromptEncoder(numVirtualTokens: 2, tokenDim: 8, hiddenSize: 4, dtype: .float64, using: &g)
        let prompted = try PromptedModel(model: gpt, encoder: enc)
        let t = try PromptTemplate("<v:1> Review: {text} <v:1> Sentiment:")
        let long = try PromptExample(items: try t.render(["text": "great movie bad movie"], tokenize: tokenize))
        let short = try PromptExample(items: try t.render(["text": "bad"], tokenize: tokenize))
        let together = try prompted(try PromptBatch([long, short])).realTokenOutputs()
        let alone = try prompted(try PromptBatch([short])).realTokenOutputs().doubles
        let v = 10, r = together.shape[1]
        let rows = together.doubles
        for j in 0..<3 { for k in 0..<v { #expect(Swift.abs(rows[(r + j) * v + k] - alone[j * v + k]) < 1e-12) } }
        #expect(gpt.parameters.allSatisfy { $0.isFrozen }, "wrapping freezes the model")
    }
}
