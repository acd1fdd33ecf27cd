import PTuneCore

extension LlamaConfig {
    /// The hyperparameters in a Hugging Face `config.json` of `model_type` `llama`. Anything ptune's Llama does not
    /// implement (another activation, biases, RoPE scaling, partial rotary, a head width that is not
    /// hidden_size / num_attention_heads) is an error naming the key, before any weight is read.
    public init(hf c: HFConfig) throws {
        let type = try c.modelType()
        guard type == "llama" else { throw ModelError.unsupportedArchitecture(type, file: c.file) }
        let d = try c.positiveInt("hidden_size"), heads = try c.positiveInt("num_attention_heads")
        let kvHeads = try c.positiveInt("num_key_value_heads", default: heads)
        guard d % heads == 0 else { throw c.invalid("hidden_size", "\(d) is not a multiple of num_attention_heads \(heads)") }
        if c.has("head_dim"), try c.int("head_dim") != d / heads {
            throw c.invalid("head_dim", "\(try c.int("head_dim")) differs from hidden_size / num_attention_heads = \(d / heads), which ptune's Llama needs")
        }
        let act = try c.string("hidden_act", default: "silu")
        guard act == "silu" else { throw c.invalid("hidden_act", "'\(act)' is not supported (expected 'silu')") }
        for key in ["attention_bias", "mlp_bias"] where try c.bool(key, default: false) {
            throw c.invalid(key, "biases are not supported by ptune's Llama")
        }
        // transformers writes the rotary settings as rope_theta / rope_scaling, or (version 5) as rope_parameters.
        var ropeBase = try c.double("rope_theta", default: 10_000)
        if let p = c.values["rope_parameters"]?.objectValue {
            if let t = p["rope_theta"]?.doubleValue { ropeBase = t }
            if let kind = p["rope_type"]?.stringValue, kind != "default" {
                throw c.invalid("rope_parameters", "rope type '\(kind)' is not supported (only 'default')")
            }
            if let f = p["partial_rotary_factor"]?.doubleValue, f != 1 {
                throw c.invalid("rope_parameters", "partial rotary embeddings are not supported")
            }
        }
        if let s = c.values["rope_scaling"], !s.isNull {
            let kind = s["rope_type"]?.stringValue ?? s["type"]?.stringValue ?? "?"
            if kind != "default" { throw c.invalid("rope_scaling", "rope scaling '\(kind)' is not supported") }
        }
        let vocab = try c.positiveInt("vocab_size")
        let eos = try c.tokenId("eos_token_id", default: 2) ?? 2
        self.init(
            vocabularySize: vocab, hiddenSize: d, feedForwardSize: try c.positiveInt("intermediate_size"),
            layers: try c.positiveInt("num_hidden_layers", atMost: 4096), heads: heads, kvHeads: kvHeads,
            rmsNormEpsilon: try c.double("rms_norm_eps", default: 1e-6), ropeBase: ropeBase,
            contextLength: try c.positiveInt("max_position_embeddings", default: 2048),
            tiedEmbeddings: try c.bool("tie_word_embeddings", default: false),
            bosToken: try c.tokenId("bos_token_id", default: 1) ?? 1, eosToken: eos,
            padToken: try c.tokenId("pad_token_id", default: eos) ?? eos)
        do { try validate() } catch let e as LlamaError { throw ModelError.invalidConfig(file: c.file, reason: e.description) }
    }
}

extension LlamaWeights {
    /// The weights of a Hugging Face Llama folder. Hugging Face keeps q/k rows in the rotate-half layout (pairs i,
    /// i + d/2 of a head); ptune's rotary kernel uses adjacent pairs (2i, 2i + 1), as GGUF does, so those rows are
    /// re-ordered as they load: a permutation, exact.
    public init(hf folder: HFWeights, config: LlamaConfig) throws {
        let hd = config.headDim
        func name(_ gguf: String) -> (String, heads: Int?) {
            switch gguf {
            case "token_embd.weight": return ("model.embed_tokens.weight", nil)
            case "output_norm.weight": return ("model.norm.weight", nil)
            case "output.weight": return ("lm_head.weight", nil)
            default: break
            }
            let parts = gguf.split(separator: ".")
            guard parts.count == 4, parts[0] == "blk" else { return (gguf, nil) }
            let layer = "model.layers.\(parts[1])."
            switch parts[2] {
            case "attn_norm": return (layer + "input_layernorm.weight", nil)
            case "ffn_norm": return (layer + "post_attention_layernorm.weight", nil)
            case "attn_q": return (layer + "self_attn.q_proj.weight", config.heads)
            case "attn_k": return (layer + "self_attn.k_proj.weight", config.kvHeads)
            case "attn_v": return (layer + "self_attn.v_proj.weight", nil)
            case "attn_output": return (layer + "self_attn.o_proj.weight", nil)
            case "ffn_gate": return (layer + "mlp.gate_proj.weight", nil)
            case "ffn_up": return (layer + "mlp.up_proj.weight", nil)
            case "ffn_down": return (layer + "mlp.down_proj.weight", nil)
            default: return (gguf, nil)
            }
        }
        try self.init(config: config) { gguf in
            let (hfName, heads) = name(gguf)
            guard let t = try folder.tensor(hfName) else {
                throw ModelError.missingWeight(file: folder.files.first ?? "weights", name: hfName)
            }
            guard let heads else { return t }
            return try LlamaWeights.adjacentPairRows(t, heads: heads, headDim: hd, name: hfName)
        }
    }

    /// Rows of a `[heads·headDim, in]` projection re-ordered from rotate-half to adjacent pairs: within each head,
    /// row 2i + j takes row j·headDim/2 + i.
    static func adjacentPairRows(_ t: Tensor, heads: Int, headDim: Int, name: String) throws -> Tensor {
        guard t.rank == 2, t.shape[0] == heads * headDim else {
            throw LlamaError.badWeight(name, "expected \(heads * headDim) rows, found shape \(t.shape)")
        }
        let cols = t.shape[1], half = headDim / 2
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

extension LlamaModel {
    /// Loads a Llama model from a Hugging Face folder: hyperparameters from `config.json` (checked before any
    /// weight is read), float32/float16/bfloat16 safetensors weights (sharded or not), and `tokenizer.json` when
    /// present.
    public convenience init(hf folder: HFFolder) throws {
        let config = try LlamaConfig(hf: folder.config)
        let tokenizer = try folder.tokenizer()
        try self.init(weights: LlamaWeights(hf: folder.weights(), config: config), tokenizer: tokenizer)
    }
}
