import Foundation
import PTuneCore

/// The hyperparameters of a BERT encoder, as in Hugging Face's `config.json` (all-MiniLM-L6-v2: 6 layers of width
/// 384, 12 heads, feed-forward 1536, 512 positions, vocabulary 30,522).
public struct BERTConfig: Sendable, Equatable, Codable {
    /// The vocabulary size.
    public var vocabSize: Int
    /// The model width d.
    public var hiddenSize: Int
    /// The number of encoder layers.
    public var layers: Int
    /// The number of attention heads (d must be a multiple).
    public var heads: Int
    /// The feed-forward width.
    public var intermediateSize: Int
    /// The number of learned positions (the longest input).
    public var maxPositions: Int
    /// The number of token types (segments).
    public var typeVocabSize: Int
    /// ε of every layer normalisation.
    public var layerNormEps: Double

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", layers = "num_hidden_layers"
        case heads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositions = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps"
    }

    /// A configuration from its fields.
    public init(vocabSize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int, maxPositions: Int = 512,
                typeVocabSize: Int = 2, layerNormEps: Double = 1e-12) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
    }

    /// Reads a Hugging Face `config.json`; it must describe a BERT with exact GELU and absolute positions.
    public init(contentsOf path: String, reader: CheckedFiles = CheckedFiles()) throws {
        try self.init(data: reader.contents(path, limit: 16 << 20), file: path)
    }

    /// Reads the bytes of a Hugging Face `config.json` (`path` names it in errors): a key that is missing, of the
    /// wrong type (`"hidden_size": 384.5`) or out of range is an error naming it.
    public init(data: Data, file path: String) throws {
        let c = try HFConfig(data: data, file: path)
        if c.has("model_type"), case let t = try c.modelType(), t != "bert" { throw ModelError.unsupportedArchitecture(t, file: path) }
        let activation = try c.string("hidden_act", default: "gelu")
        guard activation == "gelu" else {
            throw ModelError.invalidConfig(file: path, reason: "activation '\(activation)' is not supported (expected 'gelu')")
        }
        let positions = try c.string("position_embedding_type", default: "absolute")
        guard positions == "absolute" else {
            throw ModelError.invalidConfig(file: path, reason: "position embeddings '\(positions)' are not supported (expected 'absolute')")
        }
        self.init(vocabSize: try c.positiveInt("vocab_size"), hiddenSize: try c.positiveInt("hidden_size"),
                  layers: try c.positiveInt("num_hidden_layers", atMost: 4096), heads: try c.positiveInt("num_attention_heads"),
                  intermediateSize: try c.positiveInt("intermediate_size"),
                  maxPositions: try c.positiveInt("max_position_embeddings"), typeVocabSize: try c.positiveInt("type_vocab_size"),
                  layerNormEps: try c.double("layer_norm_eps"))
        try validate(file: path)
    }

    /// Checks every size is positive and consistent.
    public func validate(file: String) throws {
        let sizes = [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_hidden_layers", layers),
                     ("num_attention_heads", heads), ("intermediate_size", intermediateSize),
                     ("max_position_embeddings", maxPositions), ("type_vocab_size", typeVocabSize)]
        for (name, v) in sizes where v <= 0 || v > 1 << 24 {
            throw ModelError.invalidConfig(file: file, reason: "\(name) \(v) is out of range")
        }
        // Loading walks the layers before it finds the weights missing: a claim of millions must fail first.
        guard layers <= 4096 else {
            throw ModelError.invalidConfig(file: file, reason: "num_hidden_layers \(layers) is out of range (at most 4096)")
        }
        guard hiddenSize % heads == 0 else {
            throw ModelError.invalidConfig(file: file, reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)")
        }
        guard layerNormEps > 0, layerNormEps.isFinite else {
            throw ModelError.invalidConfig(file: file, reason: "layer_norm_eps \(layerNormEps) must be positive")
        }
    }
}
