import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

/// A missing or inconsistent hyperparameter of any decoder architecture is a clear error naming the file and the key,
/// raised while reading the configuration, before any weight is read: from `config.json` (Gemma 3, Qwen 2, Qwen 3)
/// and from GGUF metadata (a file that holds no tensors at all, so a weight read would fail differently).
@Suite struct DecoderConfigErrorTests {
    /// A valid tiny `config.json` of each architecture.
    static let configs: [String: String] = [
        "gemma3_text": """
            {"model_type": "gemma3_text", "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48,
             "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16,
             "sliding_window": 4, "hidden_activation": "gelu_pytorch_tanh", "rope_theta": 1000000.0}
            """,
        "qwen2": """
            {"model_type": "qwen2", "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu"}
            """,
        "qwen3": """
            {"model_type": "qwen3", "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8}
            """,
    ]

    static func config(_ type: String, _ edit: (inout [String: JSONValue]) -> Void) throws -> HFConfig {
        let base = try #require(configs[type])
        var object = try #require(try JSONValue.parse(base).objectValue)
        edit(&object)
        return HFConfig(object: object, file: "/m/config.json")
    }

    @Test func validConfigurationsRead() throws {
        for type in Self.configs.keys.sorted() {
            let c = try DecoderConfig(hf: Self.config(type) { _ in })
            #expect(c.architecture.hfModelTypes.contains(type), "\(type)")
        }
        let gemma = try DecoderConfig(hf: Self.config("gemma3_text") { _ in })
        #expect(gemma.layerTypes == [.sliding, .sliding] && gemma.slidingWindow == 4 && gemma.headDim == 16)
        let source = try #require(Self.configs["gemma3_text"])
        let text = try #require(try JSONValue.parse(source).objectValue)
        let multimodal = HFConfig(object: ["model_type": .string("gemma3"), "text_config": .object(text)], file: "/m/config.json")
        #expect(try DecoderConfig(hf: multimodal) == gemma)
    }

    @Test("a missing or inconsistent config.json hyperparameter names the key", arguments: [
        ("gemma3_text", "hidden_size", JSONValue.null, "'hidden_size' is missing"),
        ("gemma3_text", "layer_types", .array([.string("full_attention")]), "'layer_types': 1 entries for 2 layers"),
        ("gemma3_text", "layer_types", .array([.string("full_attention"), .string("chunked_attention")]), "'chunked_attention' is not supported"),
        ("gemma3_text", "hidden_activation", .string("relu"), "'hidden_activation': 'relu' is not supported"),
        ("gemma3_text", "use_bidirectional_attention", .bool(true), "'use_bidirectional_attention'"),
        ("gemma3_text", "sliding_window", .int(0), "'sliding_window'"),
        ("gemma3_text", "num_key_value_heads", .int(3), "2 heads are not divisible by 3 kv heads"),
        ("gemma3_text", "head_dim", .int(15), "head width 15 must be even"),
        ("gemma3_text", "rope_parameters", .object(["sliding_attention": .object(["rope_type": .string("linear"), "factor": .int(2)])]),
         "scaling of sliding layers is not supported"),
        ("qwen2", "rope_scaling", .object(["rope_type": .string("yarn"), "factor": .int(4)]), "rope scaling 'yarn' is not supported"),
        ("qwen2", "intermediate_size", .string("48"), "'intermediate_size'"),
        ("qwen3", "num_attention_heads", .int(-4), "'num_attention_heads'"),
        ("qwen2", "num_attention_heads", .int(5), "hidden_size 32 is not divisible by 5 heads"),
        ("qwen2", "rope_theta", .double(.infinity), "rope"),
        ("qwen3", "rope_parameters", .object(["rope_type": .string("llama3"), "factor": .int(8)]), "is missing or not a number"),
        ("qwen3", "bos_token_id", .int(64), "bos token 64 is outside the vocabulary of 64"),
    ])
    func badConfigJSON(_ type: String, _ key: String, _ value: JSONValue, _ message: String) throws {
        let c = try Self.config(type) { $0[key] = value }
        do {
            let read = try DecoderConfig(hf: c)
            Issue.record("\(type) with \(key) = \(value) read as \(read)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains("/m/config.json"), "\(error)")
        }
    }

    /// The metadata of a tiny Gemma 3 GGUF file, without tensors.
    static func gemmaMetadata() -> [(String, GGUFValue)] {
        [("general.architecture", .string("gemma3")), ("gemma3.embedding_length", .uint32(32)),
         ("gemma3.attention.head_count", .uint32(2)), ("gemma3.attention.head_count_kv", .uint32(1)),
         ("gemma3.attention.key_length", .uint32(16)),
         ("gemma3.block_count", .uint32(2)), ("gemma3.feed_forward_length", .uint32(48)),
         ("gemma3.context_length", .uint32(128)), ("gemma3.attention.layer_norm_rms_epsilon", .float32(1e-6)),
         ("gemma3.attention.sliding_window", .uint32(4)), ("gemma3.vocab_size", .uint32(64))]
    }

    static func gguf(_ metadata: [(String, GGUFValue)]) throws -> GGUFFile {
        var b = GGUFBuilder()
        for (k, v) in metadata { b.add(k, v) }
        return try GGUFFile(bytes: b.build(), name: "tiny.gguf")
    }

    @Test func validMetadataReads() throws {
        let c = try DecoderConfig(gguf: Self.gguf(Self.gemmaMetadata()))
        #expect(c.architecture == .gemma3 && c.headDim == 16 && c.layerTypes == [.sliding, .sliding] && c.attentionScale == 0.25)
    }

    @Test("a missing GGUF hyperparameter is an error naming the key, before any weight is read", arguments: [
        "gemma3.embedding_length", "gemma3.attention.head_count", "gemma3.block_count", "gemma3.feed_forward_length",
        "gemma3.context_length", "gemma3.attention.layer_norm_rms_epsilon", "gemma3.attention.sliding_window",
    ])
    func missingMetadata(_ key: String) throws {
        let file = try Self.gguf(Self.gemmaMetadata().filter { $0.0 != key })
        let error = #expect(throws: GGUFError.self) { try DecoderModel(gguf: file) }
        #expect(error.map { "\($0)" }?.contains("'\(key)' is missing") == true, "\(String(describing: error))")
    }

    @Test("inconsistent or unsupported GGUF hyperparameters are errors naming the file", arguments: [
        ("gemma3.attention.head_count_kv", GGUFValue.uint32(3), "2 heads are not divisible by 3 kv heads"),
        ("gemma3.attention.value_length", .uint32(8), "gemma3.attention.value_length"),
        ("gemma3.attention.key_length", .uint32(15), "head width 15 must be even"),
        ("gemma3.expert_count", .uint32(8), "a mixture of experts"),
        ("gemma3.rope.dimension_count", .uint32(8), "partial rotary embeddings"),
        ("gemma3.rope.scaling.type", .string("yarn"), "rope scaling 'yarn'"),
        ("gemma3.attention.sliding_window_pattern", .array(.bool([true])), "gemma3.attention.sliding_window_pattern"),
        ("gemma3.embedding_length", .float32(32), "gemma3.embedding_length"),
        ("general.architecture", .string("mamba"), "architecture 'mamba' is not a decoder"),
        ("gemma3.rope.freq_base", .float32(.infinity), "rope base"),
    ])
    func inconsistentMetadata(_ key: String, _ value: GGUFValue, _ message: String) throws {
        try Self.expectError(Self.gemmaMetadata().filter { $0.0 != key } + [(key, value)], message)
    }

    @Test("heads that do not split the embedding evenly are named as such when no key width is given")
    func headsMustDivideTheEmbedding() throws {
        let metadata = Self.gemmaMetadata().filter { !["gemma3.attention.key_length", "gemma3.attention.head_count"].contains($0.0) }
        try Self.expectError(metadata + [("gemma3.attention.head_count", .uint32(7)), ("gemma3.rope.dimension_count", .uint32(4))],
                             "gemma3.embedding_length 32 is not divisible by gemma3.attention.head_count 7")
    }

    static func expectError(_ metadata: [(String, GGUFValue)], _ message: String) throws {
        let file = try Self.gguf(metadata)
        do {
            _ = try DecoderModel(gguf: file)
            Issue.record("\(metadata.last.map { "\($0.0) = \($0.1)" } ?? "") loaded")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains("tiny.gguf"), "\(error)")
        }
    }
}
