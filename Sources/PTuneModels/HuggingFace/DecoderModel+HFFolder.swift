import PTuneCore
import PTuneNN

extension DecoderConfig {
    /// The hyperparameters in a Hugging Face `config.json` whose `model_type` is `llama`, `qwen2`, `qwen3`,
    /// `gemma3_text` or `gemma3` (its `text_config`); the sizes are required, and what else the file leaves out takes
    /// transformers' defaults.
    /// Anything ptune's decoder does not implement (another activation, rotary scaling other than `linear` and
    /// `llama3`, partial rotary embeddings, bidirectional Gemma) is an error naming the key, before any weight is
    /// read.
    public init(hf file: HFConfig) throws {
        let type = try file.modelType()
        guard let arch = DecoderArchitecture(hfModelType: type) else { throw ModelError.unsupportedArchitecture(type, file: file.file) }
        let c = type == "gemma3" ? try file.subconfig("text_config") ?? HFConfig(object: [:], file: file.file) : file
        let gemma = arch == .gemma3
        let d = try c.positiveInt("hidden_size")
        let heads = try c.positiveInt("num_attention_heads")
        let layers = try c.positiveInt("num_hidden_layers", atMost: 4096)
        if !c.has("head_dim"), !gemma, arch != .qwen3, d % heads != 0 {
            throw c.invalid("num_attention_heads", "hidden_size \(d) is not divisible by \(heads) heads (and no head_dim says how wide a head is)")
        }
        let headDim = try c.positiveInt("head_dim", default: gemma ? 256 : arch == .qwen3 ? 128 : d / heads)
        let (ropeBase, ropeScaling, localBase) = try DecoderConfig.hfRope(c, arch: arch)
        let tokens: (bos: Int, eos: Int, pad: Int) = gemma ? (2, 1, 0) : arch == .llama ? (1, 2, 2) : (0, 0, 0)
        let eos = try c.tokenId("eos_token_id", default: file.tokenId("eos_token_id", default: tokens.eos)) ?? tokens.eos
        self.init(architecture: arch, vocabularySize: try c.positiveInt("vocab_size"),
                  hiddenSize: d, feedForwardSize: try c.positiveInt("intermediate_size"), layers: layers, heads: heads,
                  kvHeads: try c.positiveInt("num_key_value_heads", default: heads), headDim: headDim,
                  rmsNormEpsilon: try c.double("rms_norm_eps", default: 1e-6), ropeBase: ropeBase,
                  contextLength: try c.positiveInt("max_position_embeddings", default: gemma ? 131_072 : arch == .llama ? 2048 : 32_768),
                  tiedEmbeddings: try c.bool("tie_word_embeddings", default: try file.bool("tie_word_embeddings", default: gemma)),
                  bosToken: try c.tokenId("bos_token_id", default: tokens.bos) ?? tokens.bos, eosToken: eos,
                  padToken: try c.tokenId("pad_token_id", default: gemma ? tokens.pad : eos) ?? eos)
        self.ropeScaling = ropeScaling
        localRopeBase = localBase
        let actKey = gemma ? "hidden_activation" : "hidden_act"
        let act = try c.string(actKey, default: gemma ? "gelu_pytorch_tanh" : "silu")
        switch act {
        case "silu", "swish": activation = .silu
        case "gelu_pytorch_tanh", "gelu_new": activation = .geluTanh
        default: throw c.invalid(actKey, "'\(act)' is not supported (expected 'silu' or 'gelu_pytorch_tanh')")
        }
        switch arch {
        case .llama:
            qkvBias = try c.bool("attention_bias", default: false)
            outputBias = qkvBias
            mlpBias = try c.bool("mlp_bias", default: false)
        case .qwen2:
            qkvBias = true
        case .qwen3:
            qkvBias = try c.bool("attention_bias", default: false)
            outputBias = qkvBias
        case .gemma3:
            qkvBias = try c.bool("attention_bias", default: false)
            outputBias = qkvBias
            if try c.bool("use_bidirectional_attention", default: false) {
                throw c.invalid("use_bidirectional_attention", "bidirectional Gemma encoders are not supported")
            }
            attentionScale = 1 / (try c.double("query_pre_attn_scalar", default: 256)).squareRoot()
            // Gemma 3 keeps `attn_logit_softcapping` in its config but, unlike Gemma 2, never applies it
            // (transformers and llama.cpp alike); the output's cap it does apply.
            finalLogitSoftCap = c.has("final_logit_softcapping") ? try c.double("final_logit_softcapping") : nil
        }
        try setLayerTypes(c, arch: arch)
        do { try validate() } catch let e as DecoderError { throw ModelError.invalidConfig(file: c.file, reason: e.description) }
    }

    /// `layer_types` when given; else Gemma's `sliding_window_pattern` (6 by default), or Qwen's sliding layers from
    /// `max_window_layers` on when `use_sliding_window`; with the window, `sliding_window`.
    private mutating func setLayerTypes(_ c: HFConfig, arch: DecoderArchitecture) throws {
        let gemma = arch == .gemma3
        var window: Int? = gemma ? try c.positiveInt("sliding_window", default: 4096) : nil
        if arch == .qwen2 || arch == .qwen3 {
            window = try c.bool("use_sliding_window", default: false) ? try c.positiveInt("sliding_window", default: 4096) : nil
        }
        if let names = try c.strings("layer_types") {
            guard names.count == layers else { throw c.invalid("layer_types", "\(names.count) entries for \(layers) layers") }
            layerTypes = try names.map { n in
                guard let t = DecoderLayerType(rawValue: n) else {
                    throw c.invalid("layer_types", "'\(n)' is not supported (expected 'full_attention' or 'sliding_attention')")
                }
                return t
            }
        } else if gemma {
            layerTypes = DecoderConfig.layerTypes(layers: layers, globalEvery: try c.positiveInt("sliding_window_pattern", default: 6))
        } else if window != nil {
            let first = try c.int("max_window_layers", default: 28)
            layerTypes = (0..<layers).map { $0 >= first ? .sliding : .global }
        } else {
            layerTypes = Array(repeating: .global, count: layers)
        }
        if layerTypes.contains(.sliding), window == nil {
            window = c.has("sliding_window") ? try c.positiveInt("sliding_window") : nil
        }
        slidingWindow = layerTypes.contains(.sliding) ? window : nil
    }

    /// The rotary base and scaling of global layers, and Gemma's local base: transformers writes them as
    /// `rope_theta` / `rope_scaling` (and `rope_local_base_freq`) or, since version 5, as `rope_parameters` (per
    /// layer type for Gemma).
    static func hfRope(_ c: HFConfig, arch: DecoderArchitecture) throws -> (Double, RotaryScaling, Double?) {
        let gemma = arch == .gemma3
        var base = try c.double("rope_theta", default: gemma ? 1_000_000 : 10_000)
        var local: Double? = gemma ? try c.double("rope_local_base_freq", default: 10_000) : nil
        var scaling = RotaryScaling.none
        if let s = c.values["rope_scaling"], !s.isNull {
            guard let o = s.objectValue else { throw c.invalid("rope_scaling", "expected an object") }
            (_, scaling) = try rope(o, key: "rope_scaling", c)
        }
        if let p = c.values["rope_parameters"]?.objectValue {
            if gemma {
                if let full = p["full_attention"]?.objectValue {
                    let (b, s) = try rope(full, key: "rope_parameters.full_attention", c)
                    base = b ?? base
                    scaling = s
                }
                if let sliding = p["sliding_attention"]?.objectValue {
                    let (b, s) = try rope(sliding, key: "rope_parameters.sliding_attention", c)
                    guard s == .none else { throw c.invalid("rope_parameters.sliding_attention", "scaling of sliding layers is not supported") }
                    local = b ?? local
                }
            } else {
                let (b, s) = try rope(p, key: "rope_parameters", c)
                base = b ?? base
                scaling = s
            }
        }
        return (base, scaling, local)
    }

    /// One rotary settings object: its base (`rope_theta`, if given) and scaling (`rope_type` or `type`: `default`,
    /// `linear` or `llama3`).
    private static func rope(_ o: [String: JSONValue], key: String, _ c: HFConfig) throws -> (Double?, RotaryScaling) {
        func number(_ name: String) throws -> Double {
            guard let v = o[name]?.doubleValue, v.isFinite else { throw c.invalid(key, "'\(name)' is missing or not a number") }
            return v
        }
        if let f = o["partial_rotary_factor"]?.doubleValue, f != 1 {
            throw c.invalid(key, "partial rotary embeddings are not supported")
        }
        let base = o["rope_theta"]?.doubleValue
        switch o["rope_type"]?.stringValue ?? o["type"]?.stringValue ?? "default" {
        case "default": return (base, .none)
        case "linear":
            let f = try number("factor")
            return (base, f == 1 ? .none : .linear(factor: f))
        case "llama3":
            let context = try number("original_max_position_embeddings")
            return (base, .llama3(factor: try number("factor"), lowFrequencyFactor: try number("low_freq_factor"),
                                  highFrequencyFactor: try number("high_freq_factor"), originalContext: Int(context)))
        case let other:
            throw c.invalid(key, "rope scaling '\(other)' is not supported (only 'default', 'linear' and 'llama3')")
        }
    }
}

extension DecoderWeights {
    /// The weights of a Hugging Face decoder folder, under transformers' names (`model.layers.N.self_attn.q_proj.weight`,
    /// …, with a multimodal Gemma 3's `model.language_model.` or `language_model.model.` prefix), Gemma's norm gains
    /// offset by 1. Hugging Face keeps q and k rows in the rotate-half layout; they load in the layout the same
    /// architecture's GGUF files use (``DecoderArchitecture/ggufRotaryLayout``: Llama's rows are re-ordered to
    /// adjacent pairs, a permutation), so a folder and the GGUF file converted from it compute the same sums in the
    /// same order.
    public init(hf folder: HFWeights, config: DecoderConfig) throws {
        let arch = config.architecture
        let prefix = ["model.", "model.language_model.", "language_model.model."]
            .first { folder.hasTensor($0 + "embed_tokens.weight") } ?? "model."
        let offset = arch.hfNormOffset, layout = arch.ggufRotaryLayout
        try self.init(config: config, layout: layout) { gguf in
            guard let name = arch.hfName(ofGGUF: gguf, prefix: prefix) else { return nil }
            var found = name
            if name == "lm_head.weight", !folder.hasTensor(name), folder.hasTensor("language_model.lm_head.weight") {
                found = "language_model.lm_head.weight"
            }
            guard var t = try folder.tensor(found) else {
                throw ModelError.missingWeight(file: folder.files.first ?? "weights", name: name)
            }
            if offset != 0 && gguf.hasSuffix("norm.weight") { t = try t + Double(offset) }
            if layout == .adjacentPairs, let heads = DecoderWeights.rotatedHeads(gguf, config) {
                t = try DecoderWeights.adjacentPairRows(t, heads: heads, headDim: config.headDim, name: name)
            }
            return t
        }
    }

    /// How many heads of rotated rows the weight called `gguf` holds: the query's and key's projections and biases
    /// (`heads`, `kvHeads`), and their per-head norm gains (one head); nil for a weight the rotation does not touch.
    static func rotatedHeads(_ gguf: String, _ config: DecoderConfig) -> Int? {
        let parts = gguf.split(separator: ".")
        guard parts.count == 4, parts[0] == "blk" else { return nil }
        switch parts[2] {
        case "attn_q": return config.heads
        case "attn_k": return config.kvHeads
        case "attn_q_norm", "attn_k_norm": return 1
        default: return nil
        }
    }

    /// The rows (or elements, for a vector) of a `[heads·headDim, …]` weight re-ordered from rotate-half to adjacent
    /// pairs: within each head, row `2i + j` takes row `j·headDim/2 + i`.
    static func adjacentPairRows(_ t: Tensor, heads: Int, headDim: Int, name: String) throws -> Tensor {
        guard t.rank == 1 || t.rank == 2, t.shape[0] == heads * headDim else {
            throw DecoderError.badWeight(name, "expected \(heads * headDim) rows, found shape \(t.shape)")
        }
        let cols = t.rank == 2 ? t.shape[1] : 1, half = headDim / 2
        let src = try t.scalars(as: Float.self)
        var out = [Float](repeating: 0, count: src.count)
        for h in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let to = (h * headDim + 2 * i + j) * cols, from = (h * headDim + j * half + i) * cols
                    for c in 0..<cols { out[to + c] = src[from + c] }
                }
            }
        }
        return try Tensor(shape: t.shape, scalars: out)
    }
}

extension DecoderModel {
    /// Loads a decoder from a Hugging Face folder: hyperparameters from `config.json` (checked before any weight is
    /// read), float32/float16/bfloat16 safetensors weights (sharded or not), and `tokenizer.json` when present.
    public convenience init(hf folder: HFFolder) throws {
        let config = try DecoderConfig(hf: folder.config)
        let tokenizer = try folder.tokenizer()
        try self.init(weights: DecoderWeights(hf: folder.weights(), config: config), tokenizer: tokenizer)
    }
}
