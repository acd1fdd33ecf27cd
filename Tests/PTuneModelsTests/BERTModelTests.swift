import Foundation
import Testing
import PTuneCore
import PTuneNN
@testable import PTuneModels

@Suite("BERT encoder")
struct BERTModelTests {
    static let config = BERTConfig(vocabSize: 12, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 16, maxPositions: 16)

    /// A tiny BERT with seeded random weights (norm gains near 1) in `dtype`.
    static func tiny(_ dtype: DType = .float64, seed: UInt64 = 3) throws -> BERTModel {
        var g = Generator(seed: seed)
        let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "movie", "is", "great", "bad", "a", "##s", "!"]
        return try BERTModel(config: config, tokenizer: WordPiece(vocabulary: vocab)) { name, shape in
            let r = try Tensor.randn(shape, dtype: dtype, using: &g) * 0.3
            return name.hasSuffix("LayerNorm.weight") ? try r + 1 : r
        }
    }

    @Test("gradients reach the input embeddings through every layer, pooling and the mask (finite differences)")
    func gradientCheck() throws {
        let m = try BERTModelTests.tiny()
        var g = Generator(seed: 9)
        let x = try Tensor.randn([2, 4, 8], dtype: .float64, using: &g)
        let mask = try Tensor(shape: [2, 4], values: [1, 1, 1, 1, 1, 1, 0, 0], dtype: .float64)
        let w = try Tensor.randn([2, 8], dtype: .float64, using: &g)
        for output in [BERTModel.Output.sentenceEmbedding, .meanPooled, .hiddenStates] {
            m.output = output
            let r = try GradCheck.check([x], tolerance: 1e-5) { v in
                let y = try m.forward(embeddings: v[0], attentionMask: mask)
                return output == .hiddenStates ? try (y * 0.5).sum() : try (y * w).sum()
            }
            #expect(r.passed, "\(output): \(r)")
        }
        m.output = .sentenceEmbedding
    }

    @Test("the weights stay constants: backward computes only the input's gradient")
    func frozenWeights() throws {
        let m = try BERTModelTests.tiny(.float32)
        let x = try m.embed(Tensor(shape: [1, 3], scalars: [Int64(2), 5, 3])).requiringGradient()
        let y = try m.forward(embeddings: x, attentionMask: nil).sum()
        let grads = try Tensor.gradients(of: y, wrt: [x])
        #expect(grads[0].shape == [1, 3, 8])
        #expect(m.parameters.count == 5 + 16 * 2 && m.parameters.allSatisfy { $0.isFrozen && $0.gradient == nil })
        #expect(m.outputKind == .pooled && m.dtype == .float32 && m.architecture == "bert")
        // Unfrozen, the same backward reaches every weight the forward reads (all but the word embeddings, which
        // p-tuning's input replaces).
        m.parameters.unfreezeAll()
        let y2 = try m.forward(embeddings: x, attentionMask: nil).sum()
        try y2.backward()
        #expect(m.parameters.dropFirst().allSatisfy { $0.gradient != nil } && m.parameters[0].gradient == nil)
    }

    @Test("padding changes nothing: a padded batch gives each sentence's unpadded embedding")
    func paddingInvariance() throws {
        let m = try BERTModelTests.tiny(.float32)
        let e = try m.sentenceEmbeddings(["the movie is great!", "bad", "a movies"], batchSize: 3).scalars(as: Float.self)
        for (i, s) in ["the movie is great!", "bad", "a movies"].enumerated() {
            let one = try m.sentenceEmbeddings([s]).scalars(as: Float.self)
            for j in 0..<8 { #expect(Swift.abs(e[i * 8 + j] - one[j]) < 1e-5) }
            let norm = one.reduce(0) { $0 + $1 * $1 }
            #expect(Swift.abs(norm - 1) < 1e-5)
        }
        #expect(try m.tokenIds("the movies") == [2, 4, 5, 10, 3])
        #expect(try m.tokenIds("the the the the the the the the the the the", maxLength: 4) == [2, 4, 4, 3])
    }

    @Test("bad inputs are errors: shapes, dtypes, too many positions, a mismatched mask, missing weights")
    func badInputs() throws {
        let m = try BERTModelTests.tiny(.float32)
        #expect(throws: TensorError.self) { try m.forward(embeddings: Tensor.zeros([1, 3, 7]), attentionMask: nil) }
        #expect(throws: TensorError.self) { try m.forward(embeddings: Tensor.zeros([1, 3, 8], dtype: .float64), attentionMask: nil) }
        #expect(throws: TensorError.self) { try m.forward(embeddings: Tensor.zeros([1, 17, 8]), attentionMask: nil) }
        #expect(throws: TensorError.self) { try m.forward(embeddings: Tensor.zeros([1, 3, 8]), attentionMask: Tensor.ones([1, 4])) }
        #expect(throws: TensorError.self) { try m.embed(Tensor(shape: [1, 1], scalars: [Int64(12)])) }
        #expect(throws: ModelError.self) {
            try BERTModel(config: BERTModelTests.config) { name, _ in throw ModelError.missingWeight(file: "x", name: name) }
        }
        #expect(try m.sentenceEmbeddings([]).shape == [0, 8])
        #expect(try m.forward(embeddings: Tensor.zeros([0, 3, 8]), attentionMask: nil).shape == [0, 8])
        var bad = BERTModelTests.config
        bad.heads = 3
        #expect(throws: ModelError.self) { try bad.validate(file: "config.json") }
    }

    /// MiniLM's own `config.json` fields, with one edited by `edit`.
    static func configJSON(_ edit: (inout [String: String]) -> Void) -> Data {
        var fields = ["model_type": "\"bert\"", "vocab_size": "30522", "hidden_size": "384", "num_hidden_layers": "6",
                      "num_attention_heads": "12", "intermediate_size": "1536", "max_position_embeddings": "512",
                      "type_vocab_size": "2", "layer_norm_eps": "1e-12", "hidden_act": "\"gelu\""]
        edit(&fields)
        return Data(("{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}").utf8)
    }

    @Test("a config.json key that is missing, of the wrong type or out of range is an error naming the file and the key",
          arguments: [("hidden_size", "384.5", "'hidden_size'"), ("hidden_size", "\"384\"", "'hidden_size'"),
                      ("num_hidden_layers", "10000000", "'num_hidden_layers'"), ("layer_norm_eps", "null", "'layer_norm_eps'"),
                      ("vocab_size", "0", "'vocab_size'"), ("model_type", "\"gpt2\"", "gpt2"), ("hidden_act", "\"relu\"", "relu"),
                      ("num_attention_heads", "7", "num_attention_heads 7")])
    func configErrorsNameTheKey(key: String, value: String, named: String) throws {
        let data = BERTModelTests.configJSON { $0[key] = value }
        do {
            _ = try BERTConfig(data: data, file: "m/config.json")
            Issue.record("\(key): \(value) was accepted")
        } catch let e as ModelError {
            let message = "\(e)"
            #expect(message.contains("m/config.json") && message.contains(named), "\(message)")
        }
        #expect(try BERTConfig(data: BERTModelTests.configJSON { _ in }, file: "config.json").hiddenSize == 384)
    }
}
