import PTuneCore

extension LlamaConfig {
    /// The hyperparameters in a GGUF file's `llama.*` and `tokenizer.ggml.*` metadata. Throws a ``GGUFError`` for a
    /// missing or malformed key, ``LlamaError/invalidConfig(_:)`` for an architecture other than `llama` or sizes that
    /// do not fit together (including partial rotary embeddings, which ptune does not implement).
    public init(gguf: GGUFFile) throws {
        let arch = try gguf.string("general.architecture")
        guard arch == "llama" else { throw LlamaError.invalidConfig("\(gguf.name): architecture '\(arch)' is not llama") }
        let a = "llama."
        let d = try gguf.positiveInt(a + "embedding_length")
        let heads = try gguf.positiveInt(a + "attention.head_count")
        let kvHeads = gguf.metadata[a + "attention.head_count_kv"] == nil ? heads : try gguf.positiveInt(a + "attention.head_count_kv")
        let vocab = gguf.metadata[a + "vocab_size"] != nil ? try gguf.positiveInt(a + "vocab_size")
                                                           : try gguf.strings("tokenizer.ggml.tokens").count
        func optionalInt(_ key: String, _ fallback: Int) throws -> Int { gguf.metadata[key] == nil ? fallback : try gguf.int(key) }
        self.init(
            vocabularySize: vocab, hiddenSize: d, feedForwardSize: try gguf.positiveInt(a + "feed_forward_length"),
            layers: try gguf.positiveInt(a + "block_count", atMost: 4096), heads: heads, kvHeads: kvHeads,
            rmsNormEpsilon: try gguf.double(a + "attention.layer_norm_rms_epsilon"),
            ropeBase: gguf.metadata[a + "rope.freq_base"] == nil ? 10_000 : try gguf.double(a + "rope.freq_base"),
            contextLength: try gguf.positiveInt(a + "context_length"),
            tiedEmbeddings: !gguf.hasTensor(named: "output.weight"),
            bosToken: try optionalInt("tokenizer.ggml.bos_token_id", 1),
            eosToken: try optionalInt("tokenizer.ggml.eos_token_id", 2),
            padToken: try optionalInt("tokenizer.ggml.padding_token_id", try optionalInt("tokenizer.ggml.eos_token_id", 2)))
        if gguf.metadata[a + "rope.dimension_count"] != nil, try gguf.int(a + "rope.dimension_count") != headDim {
            throw LlamaError.invalidConfig("\(gguf.name): partial rotary embeddings (rope.dimension_count ≠ \(headDim)) are not supported")
        }
        try validate()
    }
}

extension LlamaWeights {
    /// The weights of a GGUF Llama file: matrices kept in their stored block formats (``WeightStorage/stored``) or
    /// decoded to float32 (``WeightStorage/float32``), one tensor at a time; norm gains as float32. GGUF keeps q/k rows
    /// in the adjacent-pair rotary layout, which is the layout the model's rotary kernel uses, so no un-permutation is
    /// needed.
    public init(gguf: GGUFFile, config: LlamaConfig, storage: WeightStorage = .stored) throws {
        try self.init(config: config) { name in
            gguf.hasTensor(named: name) ? try gguf.matrix(named: name, storage: storage) : nil
        }
    }
}

extension LlamaModel {
    /// Loads a Llama model from the GGUF file at `path`: configuration from its metadata, weights kept as stored
    /// (SmolLM2-135M Q4_1: 98 MB) or decoded to float32 (538 MB). The file is unmapped when loading ends.
    public convenience init(ggufPath path: String, storage: WeightStorage = .stored) throws {
        let file = try GGUFFile(path: path)
        try self.init(gguf: file, storage: storage)
    }

    /// Loads a Llama model and its tokenizer from an opened GGUF file.
    public convenience init(gguf: GGUFFile, storage: WeightStorage = .stored) throws {
        let config = try LlamaConfig(gguf: gguf)
        try self.init(weights: LlamaWeights(gguf: gguf, config: config, storage: storage), tokenizer: GGUFTokenizer.load(gguf))
    }
}
