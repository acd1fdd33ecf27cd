import PTuneCore
import PTuneNN

/// The decoder-only architectures ``DecoderModel`` runs: one model, with what sets them apart held as typed options
/// in ``DecoderConfig``. The raw value is the name GGUF files give (`general.architecture`).
public enum DecoderArchitecture: String, Sendable, CaseIterable {
    /// Llama, SmolLM2, TinyLlama, Llama 3 (RMSNorm pre-norm blocks, rotary GQA attention, SiLU-gated MLP).
    case llama
    /// Qwen 2 and 2.5: Llama's blocks with biases on the query, key and value projections.
    case qwen2
    /// Qwen 3: Llama's blocks with per-head RMS norms of queries and keys.
    case qwen3
    /// Gemma 3 (text): embeddings scaled by √d, norms before and after each sublayer with Gemma's `(1 + w)` gains,
    /// per-head query/key norms, a tanh-GELU-gated MLP, and sliding-window layers with their own rotary base between
    /// global ones.
    case gemma3

    /// The `model_type` values of Hugging Face `config.json` files this architecture reads.
    public var hfModelTypes: [String] {
        switch self {
        case .llama: return ["llama"]
        case .qwen2: return ["qwen2"]
        case .qwen3: return ["qwen3"]
        case .gemma3: return ["gemma3_text", "gemma3"]
        }
    }

    /// The architecture of a Hugging Face `model_type`, if ptune runs it as a decoder.
    public init?(hfModelType: String) {
        guard let a = DecoderArchitecture.allCases.first(where: { $0.hfModelTypes.contains(hfModelType) }) else { return nil }
        self = a
    }

    /// How a GGUF file of this architecture stores the query and key rows: llama.cpp's converter permutes Llama's to
    /// adjacent pairs and leaves the others in Hugging Face's rotate-half order.
    public var ggufRotaryLayout: RotaryLayout { self == .llama ? .adjacentPairs : .halves }

    /// What the stored norm gains are offset by: Gemma's RMSNorm multiplies by `1 + w` and its Hugging Face
    /// checkpoints store `w` (GGUF files store `1 + w` already).
    var hfNormOffset: Float { self == .gemma3 ? 1 : 0 }

    /// The Hugging Face name of a weight given by its GGUF name (`blk.3.attn_q.weight` →
    /// `model.layers.3.self_attn.q_proj.weight`), under `prefix` (`model.`), or nil for a name with no counterpart.
    func hfName(ofGGUF name: String, prefix: String) -> String? {
        switch name {
        case "token_embd.weight": return prefix + "embed_tokens.weight"
        case "output_norm.weight": return prefix + "norm.weight"
        case "output.weight": return "lm_head.weight"
        default: break
        }
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[0] == "blk" else { return nil }
        let layer = prefix + "layers.\(parts[1]).", kind = String(parts[3])
        let module: String
        switch (parts[2], self) {
        case ("attn_norm", _): module = "input_layernorm"
        case ("attn_q", _): module = "self_attn.q_proj"
        case ("attn_k", _): module = "self_attn.k_proj"
        case ("attn_v", _): module = "self_attn.v_proj"
        case ("attn_output", _): module = "self_attn.o_proj"
        case ("attn_q_norm", _): module = "self_attn.q_norm"
        case ("attn_k_norm", _): module = "self_attn.k_norm"
        case ("ffn_gate", _): module = "mlp.gate_proj"
        case ("ffn_up", _): module = "mlp.up_proj"
        case ("ffn_down", _): module = "mlp.down_proj"
        case ("post_attention_norm", .gemma3): module = "post_attention_layernorm"
        case ("ffn_norm", .gemma3): module = "pre_feedforward_layernorm"
        case ("post_ffw_norm", .gemma3): module = "post_feedforward_layernorm"
        case ("ffn_norm", _): module = "post_attention_layernorm"
        default: return nil
        }
        return layer + module + "." + kind
    }
}

/// Which keys a decoder layer's attention sees.
public enum DecoderLayerType: String, Sendable, Equatable {
    /// Every earlier position (Hugging Face's `full_attention`).
    case global = "full_attention"
    /// The last ``DecoderConfig/slidingWindow`` positions (`sliding_attention`).
    case sliding = "sliding_attention"
}
