import Foundation
import Testing
import PTuneCore
import PTuneNN
@testable import PTuneModels

/// all-MiniLM-L6-v2 against its published similarities and a PyTorch reference (`Fixtures/generate/minilm_reference.py`).
@Suite("all-MiniLM-L6-v2", .enabled(if: ModelFiles.minilmPresent, "\(ModelFiles.skipMessage)"))
struct MiniLMTests {
    struct Reference: Decodable {
        let sentences: [String]
        let input_ids: [[Int]]
        let embeddings: [[Float]]
        let cosine_ab: [[Double]]
    }

    /// The model as a script gets it: `load("minilm-l6")`.
    static func model() throws -> BERTModel {
        let loaded = try ModelRegistry().load("minilm-l6")
        guard let m = loaded as? BERTModel else { throw ModelError.unsupportedArchitecture(loaded.architecture, file: "minilm-l6") }
        return m
    }

    @Test("reproduces the published cosine similarities to 3 decimals and PyTorch's embeddings to 1e-4")
    func publishedSimilarities() throws {
        let m = try MiniLMTests.model()
        let ref = try JSONDecoder().decode(Reference.self, from: Fixture.data("minilm_reference.json"))
        for (s, ids) in zip(ref.sentences, ref.input_ids) { #expect(try m.tokenIds(s) == ids, "\(s)") }
        let e = try m.sentenceEmbeddings(ref.sentences)
        let x = try e.scalars(as: Float.self)
        var worst: Float = 0
        for (i, row) in ref.embeddings.enumerated() { for (j, v) in row.enumerated() { worst = max(worst, abs(x[i * 384 + j] - v)) } }
        #expect(worst < 1e-4, "max |Δ| vs PyTorch \(worst)")
        let a = try e.narrowed(axis: 0, start: 0, length: 3), b = try e.narrowed(axis: 0, start: 3, length: 3)
        let cos = try Tensor.matmul(a, b.transposed()).doubles
        let published: [Double] = [0.0543, 0.8939, -0.0502, 0.2838, -0.0029, 0.1310, 0.2277, -0.0136, -0.0327]
        for (c, p) in zip(cos, published) { #expect(abs(c - p) < 5e-4, "cosine \(c) vs published \(p)") }
        print("MiniLM cosine A×B:", cos.map { String(format: "%.4f", $0) })
    }

    @Test("p-tuning: a loss on the pooled output sends gradients to the input embeddings only")
    func gradientsReachInputsOnly() throws {
        let m = try MiniLMTests.model()
        let (ids, mask) = try m.batch([try m.tokenIds("The new movie is awesome"), try m.tokenIds("bad")])
        let x = try m.embed(ids).requiringGradient()
        let loss = try m.forward(embeddings: x, attentionMask: mask).narrowed(axis: 1, start: 0, length: 4).sum()
        let g = try Tensor.gradients(of: loss, wrt: [x])[0]
        #expect(g.shape == x.shape && g.doubles.contains { $0 != 0 })
        #expect(m.parameters.allSatisfy { $0.isFrozen && $0.gradient == nil })
        #expect(m.parameters.count == 5 + 16 * 6)
    }
}
