import PTuneCore

extension DecoderConfig {
    /// The hyperparameters in a GGUF file's `ARCH.*` and `tokenizer.ggml.*` metadata, for the architectures of
    /// ``DecoderArchitecture`` (`general.architecture`), read as llama.cpp reads them: sizes, head width
    /// (`attention.key_length`), rotary base and scaling (`rope.scaling.*`, or the `rope_freqs.weight` factors
    /// llama.cpp writes for Llama 3), and for Gemma 3 the sliding window, the layer pattern (every sixth layer global
    /// unless `attention.sliding_window_pattern` says otherwise), the local rotary base (10,000 unless
    /// `rope.freq_base_swa`), the query scale and the output's soft cap. Biases and head norms are used when the file holds
    /// them. Throws a ``GGUFError`` for a missing or malformed key and ``DecoderError/invalidConfig(_:)`` for what
    /// does not fit together or what ptune does not implement, before any weight is read.
    public init(gguf: GGUFFile) throws {
        let name = try gguf.string("general.architecture")
        guard let arch = DecoderArchitecture(rawValue: name) else {
            throw DecoderError.invalidConfig("\(gguf.name): architecture '\(name)' is not a decoder ptune runs")
        }
        let a = name + "."
        func has(_ key: String) -> Bool { gguf.metadata[a + key] != nil }
        func int(_ key: String, _ fallback: Int) throws -> Int { has(key) ? try gguf.positiveInt(a + key) : fallback }
        func double(_ key: String) throws -> Double? { has(key) ? try gguf.double(a + key) : nil }
        func special(_ key: String, _ fallback: Int) throws -> Int {
            gguf.metadata[key] == nil ? fallback : try gguf.int(key)
        }
        func unsupported(_ why: String) -> DecoderError { .invalidConfig("\(gguf.name): \(why) is not supported") }
        if try int("expert_count", 0) > 0 { throw unsupported("a mixture of experts (\(a)expert_count)") }
        let d = try gguf.positiveInt(a + "embedding_length")
        let heads = try gguf.positiveInt(a + "attention.head_count")
        // Without an explicit key width, heads split the embedding evenly (as llama.cpp assumes).
        guard has("attention.key_length") || d % heads == 0 else {
            throw DecoderError.invalidConfig("\(gguf.name): \(a)embedding_length \(d) is not divisible by \(a)attention.head_count \(heads) (and no \(a)attention.key_length says how wide a head is)")
        }
        let headDim = try int("attention.key_length", d / heads)
        if try int("attention.value_length", headDim) != headDim {
            throw unsupported("a value width (\(a)attention.value_length) other than the key width \(headDim)")
        }
        let vocab = has("vocab_size") ? try gguf.positiveInt(a + "vocab_size") : try gguf.strings("tokenizer.ggml.tokens").count
        let eos = try special("tokenizer.ggml.eos_token_id", 2)
        let layers = try gguf.positiveInt(a + "block_count", atMost: 4096)
        self.init(architecture: arch, vocabularySize: vocab, hiddenSize: d,
                  feedForwardSize: try gguf.positiveInt(a + "feed_forward_length"), layers: layers, heads: heads,
                  kvHeads: try int("attention.head_count_kv", heads), headDim: headDim,
                  rmsNormEpsilon: try gguf.double(a + "attention.layer_norm_rms_epsilon"),
                  ropeBase: try double("rope.freq_base") ?? (arch == .gemma3 ? 1_000_000 : 10_000),
                  contextLength: try gguf.positiveInt(a + "context_length"),
                  tiedEmbeddings: !gguf.hasTensor(named: "output.weight"),
                  bosToken: try special("tokenizer.ggml.bos_token_id", 1), eosToken: eos,
                  padToken: try special("tokenizer.ggml.padding_token_id", eos))
        if has("rope.dimension_count"), try gguf.int(a + "rope.dimension_count") != headDim {
            throw unsupported("partial rotary embeddings (\(a)rope.dimension_count ≠ \(headDim))")
        }
        ropeScaling = try DecoderConfig.ggufRopeScaling(gguf, prefix: a, headDim: headDim)
        // What a file holds, the model uses (llama.cpp loads these tensors when present).
        qkvBias = gguf.hasTensor(named: "blk.0.attn_q.bias")
        outputBias = gguf.hasTensor(named: "blk.0.attn_output.bias")
        mlpBias = gguf.hasTensor(named: "blk.0.ffn_up.bias")
        headNorms = gguf.hasTensor(named: "blk.0.attn_q_norm.weight")
        if arch == .gemma3 {
            slidingWindow = try gguf.positiveInt(a + "attention.sliding_window")
            localRopeBase = try double("rope.freq_base_swa") ?? 10_000
            layerTypes = try DecoderConfig.ggufLayerPattern(gguf, key: a + "attention.sliding_window_pattern", layers: layers)
            // llama.cpp: 1/√key_length, except Gemma 3 27B (62 layers), which scales by 1/√(d / heads).
            attentionScale = try double("attention.scale") ?? 1 / Double(layers == 62 ? d / heads : headDim).squareRoot()
            finalLogitSoftCap = try double("final_logit_softcapping")
        }
        do { try validate() } catch let e as DecoderError { throw DecoderError.invalidConfig("\(gguf.name): \(e)") }
    }

    /// The rotary scaling of a GGUF file: `rope_freqs.weight` (one factor per pair), or `rope.scaling.type` `linear`
    /// with `rope.scaling.factor`; other types are errors.
    static func ggufRopeScaling(_ gguf: GGUFFile, prefix a: String, headDim: Int) throws -> RotaryScaling {
        if gguf.hasTensor(named: "rope_freqs.weight") {
            let factors = try gguf.tensor(named: "rope_freqs.weight").doubles
            guard factors.count == headDim / 2 else {
                throw DecoderError.invalidConfig("\(gguf.name): rope_freqs.weight has \(factors.count) factors for \(headDim / 2) rotary pairs")
            }
            return .factors(factors)
        }
        guard gguf.metadata[a + "rope.scaling.type"] != nil else { return .none }
        switch try gguf.string(a + "rope.scaling.type") {
        case "none": return .none
        case "linear":
            let f = try gguf.double(a + "rope.scaling.factor")
            return f == 1 ? .none : .linear(factor: f)
        case let other:
            throw DecoderError.invalidConfig("\(gguf.name): rope scaling '\(other)' (\(a)rope.scaling.type) is not supported")
        }
    }

    /// Gemma's layer pattern: a period `n` (layer `i` global when `(i + 1) % n == 0`), one flag per layer (true:
    /// sliding), or every sixth layer global when the key is absent.
    static func ggufLayerPattern(_ gguf: GGUFFile, key: String, layers: Int) throws -> [DecoderLayerType] {
        guard let v = gguf.metadata[key] else { return layerTypes(layers: layers, globalEvery: 6) }
        if let n = v.int { return layerTypes(layers: layers, globalEvery: n) }
        if case let .array(a) = v, let flags = a.bools, flags.count == layers { return flags.map { $0 ? .sliding : .global } }
        throw GGUFError(file: gguf.name, offset: nil, .invalidValue(key: key, reason: "expected a period or \(layers) flags"))
    }
}

extension DecoderWeights {
    /// The weights of a GGUF decoder file: matrices kept in their stored block formats (``WeightStorage/stored``:
    /// every format of ``GGMLType/blockFormat``) or decoded to float32 (``WeightStorage/float32``), one tensor at a
    /// time; norm gains and biases as float32. q and k rows stay in the layout llama.cpp stores for the architecture
    /// (so nothing is permuted).
    public init(gguf: GGUFFile, config: DecoderConfig, storage: WeightStorage = .stored) throws {
        try self.init(config: config, layout: config.architecture.ggufRotaryLayout) { name in
            gguf.hasTensor(named: name) ? try gguf.matrix(named: name, storage: storage) : nil
        }
    }
}

extension DecoderModel {
    /// Loads a decoder from the GGUF file at `path`: configuration from its metadata, weights kept as stored
    /// (SmolLM2-135M Q4_1: 98 MB) or decoded to float32 (538 MB). The file is unmapped when loading ends.
    public convenience init(ggufPath path: String, storage: WeightStorage = .stored) throws {
        let file = try GGUFFile(path: path)
        try self.init(gguf: file, storage: storage)
    }

    /// Loads a decoder and its tokenizer (none when the file has no `tokenizer.ggml.model`) from an opened GGUF file.
    public convenience init(gguf: GGUFFile, storage: WeightStorage = .stored) throws {
        let config = try DecoderConfig(gguf: gguf)
        let tokenizer = gguf.metadata["tokenizer.ggml.model"] == nil ? nil : try GGUFTokenizer.load(gguf)
        try self.init(weights: DecoderWeights(gguf: gguf, config: config, storage: storage), tokenizer: tokenizer)
    }
}
