"""Tiny random decoders in every architecture ptune runs, as Hugging Face folders and GGUF files, with the logits
transformers computes from each, for the Swift loaders to match.

usage: python tiny_decoders.py OUT_DIR

For each architecture (llama with Llama 3 rotary scaling and an untied output, qwen2 with q/k/v biases and sliding
layers, qwen3 with head norms and its own head width, gemma3 with every option its config has) a seeded random
model is built with transformers and saved as OUT_DIR/ARCH-hf (float32 safetensors); gemma3 also as a sharded
bfloat16 folder. Its weights are written the way llama.cpp's converter writes them (Llama's q/k rows permuted to
adjacent pairs, Gemma's norm gains as 1 + w, Llama 3's scaling as rope_freqs.weight) into three GGUF files:
ARCH-f32.gguf, ARCH-legacy.gguf (matrices cycling through F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) and ARCH-k.gguf
(Q2_K … Q6_K blocks of random bytes with small scales, which gguf cannot quantize). transformers loads each GGUF with
its own GGUF reader (dequantizing, un-permuting, subtracting Gemma's 1) under the folder's config (without Qwen 2's
sliding layers, which GGUF does not record).

Writes OUT_DIR/reference.json: {ARCH: {"ids": [...], "vocab": V, "logits": {SOURCE: [T·V floats]}}}, SOURCE one of
"hf", "hf-bf16", "f32", "legacy", "k".
"""
import copy, json, os, sys, warnings
import numpy as np
import torch
from gguf import GGMLQuantizationType as Q, GGUFWriter, GGML_QUANT_SIZES
from gguf.quants import quantize
from transformers import (AutoModelForCausalLM, Gemma3ForCausalLM, Gemma3TextConfig, LlamaConfig, LlamaForCausalLM,
                          Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM)

warnings.filterwarnings("ignore")
os.environ.setdefault("TQDM_DISABLE", "1")
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.set_num_threads(1)
V, D, F = 96, 256, 512          # every matrix's rows a whole number of 256-element K-quant blocks
common = dict(vocab_size=V, hidden_size=D, intermediate_size=F, max_position_embeddings=64, rms_norm_eps=1e-6,
              bos_token_id=1, eos_token_id=2, pad_token_id=0)
ARCHS = {
    "llama": (LlamaForCausalLM, LlamaConfig(
        **common, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=64, hidden_act="silu",
        tie_word_embeddings=False,
        rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 16})),
    "qwen2": (Qwen2ForCausalLM, Qwen2Config(
        **common, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
        use_sliding_window=True, sliding_window=4, max_window_layers=1)),
    "qwen3": (Qwen3ForCausalLM, Qwen3Config(
        **common, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1, head_dim=128,
        tie_word_embeddings=False, rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})),
    "gemma3": (Gemma3ForCausalLM, Gemma3TextConfig(
        **{**common, "bos_token_id": 2, "eos_token_id": 1}, num_hidden_layers=6, num_attention_heads=4,
        num_key_value_heads=2, head_dim=64, query_pre_attn_scalar=64, sliding_window=4, tie_word_embeddings=True,
        attn_logit_softcapping=20.0, final_logit_softcapping=30.0,
        rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 1000000.0},
                         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}})),
}
IDS = [1, 17, 5, 93, 40, 40, 7, 66, 12, 3, 88, 25]
LEGACY = [Q.F16, Q.BF16, Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1]
KQUANTS = [Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K]
# Byte offsets of the f16 scale fields in each K-quant block (d, then dmin where the format has one).
K_SCALES = {Q.Q2_K: [80, 82], Q.Q3_K: [108], Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208]}
HF_TO_GGUF = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
              "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "self_attn.q_norm": "attn_q_norm",
              "self_attn.k_norm": "attn_k_norm", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
              "mlp.down_proj": "ffn_down"}


def randomize(model, seed):
    """Weights of a useful scale: matrices N(0, 1/in), embeddings N(0, 0.1²) (logits of a few units when tied), norm
    gains near 1 and biases small."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            n = torch.randn(p.shape, generator=g)
            if "norm" in name:
                p.copy_(n * 0.1 + (0 if isinstance(model, Gemma3ForCausalLM) else 1))
            elif name.endswith(".bias"):
                p.copy_(n * 0.1)
            elif "embed_tokens" in name:
                p.copy_(n * 0.1)
            else:
                p.copy_(n / p.shape[1] ** 0.5)


def gguf_name(arch, hf):
    if hf == "model.embed_tokens.weight": return "token_embd.weight"
    if hf == "model.norm.weight": return "output_norm.weight"
    if hf == "lm_head.weight": return "output.weight"
    _, _, layer, rest = hf.split(".", 3)
    module, kind = rest.rsplit(".", 1)
    if arch == "gemma3":
        special = {"post_attention_layernorm": "post_attention_norm", "pre_feedforward_layernorm": "ffn_norm",
                   "post_feedforward_layernorm": "post_ffw_norm"}
        if module in special: return f"blk.{layer}.{special[module]}.{kind}"
    if module == "post_attention_layernorm": return f"blk.{layer}.ffn_norm.{kind}"
    return f"blk.{layer}.{HF_TO_GGUF[module]}.{kind}"


def permute(w, n_head):
    """llama.cpp's converter: rotate-half rows to adjacent pairs."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def k_blocks(rng, qtype, rows, cols):
    """Random blocks with small finite scales: any bytes are a valid block once the scales are finite."""
    elems, size = GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (rows, cols // elems, size), dtype=np.uint8)
    for off in K_SCALES[qtype]:
        scale = (rng.uniform(0.5, 1.0, (rows, cols // elems)) / 2048).astype(np.float16)
        raw[:, :, off:off + 2] = scale.view(np.uint8).reshape(rows, cols // elems, 2)
    return raw.reshape(rows, -1)


def write_gguf(arch, config, state, variant, path):
    w = GGUFWriter(path, arch)
    c = config
    head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    w.add_context_length(c.max_position_embeddings)
    w.add_embedding_length(c.hidden_size)
    w.add_block_count(c.num_hidden_layers)
    w.add_feed_forward_length(c.intermediate_size)
    w.add_head_count(c.num_attention_heads)
    w.add_head_count_kv(c.num_key_value_heads)
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_rope_dimension_count(head_dim)
    w.add_layer_norm_rms_eps(c.rms_norm_eps)
    w.add_vocab_size(c.vocab_size)
    w.add_bos_token_id(c.bos_token_id)
    w.add_eos_token_id(c.eos_token_id)
    w.add_pad_token_id(c.pad_token_id)
    rope = c.rope_parameters.get("full_attention", c.rope_parameters)
    w.add_rope_freq_base(rope["rope_theta"])
    if arch == "gemma3":
        w.add_sliding_window(c.sliding_window)
        w.add_float32(f"{arch}.attn_logit_softcapping", c.attn_logit_softcapping)
        w.add_float32(f"{arch}.final_logit_softcapping", c.final_logit_softcapping)
    tensors = {}
    if rope.get("rope_type") == "llama3":
        # llama.cpp's converter stores Llama 3's scaling as one factor per rotary pair.
        base, dim = rope["rope_theta"], head_dim
        freqs = 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.float64) / dim))
        lo, hi = rope["original_max_position_embeddings"] / rope["low_freq_factor"], rope["original_max_position_embeddings"] / rope["high_freq_factor"]
        factors = []
        for f in freqs:
            wl = 2 * np.pi / f
            if wl < hi: factors.append(1.0)
            elif wl > lo: factors.append(rope["factor"])
            else:
                s = (rope["original_max_position_embeddings"] / wl - rope["low_freq_factor"]) / (rope["high_freq_factor"] - rope["low_freq_factor"])
                factors.append(1 / ((1 - s) / rope["factor"] + s))
        tensors["rope_freqs.weight"] = (np.array(factors, dtype=np.float32), Q.F32)
    rng = np.random.default_rng(7)
    matrices = 0
    for hf, t in sorted(state.items()):
        name = gguf_name(arch, hf)
        a = t.detach().float().numpy().copy()
        if arch == "llama" and ".attn_q." in name: a = permute(a, c.num_attention_heads)
        if arch == "llama" and ".attn_k." in name: a = permute(a, c.num_key_value_heads)
        if arch == "gemma3" and name.endswith("norm.weight"): a = a + 1
        if a.ndim == 1 or variant == "f32":
            tensors[name] = (a.astype(np.float32), Q.F32)
            continue
        qtype = (LEGACY if variant == "legacy" else KQUANTS)[matrices % (len(LEGACY) if variant == "legacy" else len(KQUANTS))]
        matrices += 1
        if variant == "k":
            tensors[name] = (k_blocks(rng, qtype, a.shape[0], a.shape[1]), qtype)
        elif qtype == Q.F16:
            tensors[name] = (a.astype(np.float16), Q.F16)
        else:
            tensors[name] = (quantize(a, qtype), qtype)
    for name, (data, qtype) in tensors.items():
        w.add_tensor(name, data, raw_dtype=qtype if qtype not in (Q.F32, Q.F16) else None)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def logits(model):
    with torch.no_grad():
        return [float(x) for x in model(torch.tensor([IDS])).logits[0].reshape(-1)]


reference = {}
for seed, (arch, (cls, config)) in enumerate(ARCHS.items()):
    torch.manual_seed(seed)
    model = cls(config).eval()
    randomize(model, seed)
    folder = os.path.join(out, f"{arch}-hf")
    model.save_pretrained(folder)
    entry = {"ids": IDS, "vocab": V, "logits": {"hf": logits(cls.from_pretrained(folder, dtype=torch.float32).eval())}}
    state = {k: v.clone() for k, v in model.state_dict().items() if not (config.tie_word_embeddings and k == "lm_head.weight")}
    if arch == "gemma3":
        bf16 = os.path.join(out, f"{arch}-hf-bf16")
        model.to(torch.bfloat16).save_pretrained(bf16, max_shard_size="1MB")
        entry["logits"]["hf-bf16"] = logits(cls.from_pretrained(bf16, dtype=torch.float32).eval())
    # What a GGUF file can say: llama.cpp keeps no sliding window for Qwen 2.
    gguf_config = copy.deepcopy(config)
    if arch == "qwen2":
        gguf_config.layer_types = ["full_attention"] * config.num_hidden_layers
        gguf_config.sliding_window = None
    for variant in ["f32", "legacy", "k"]:
        name = f"{arch}-{variant}.gguf"
        write_gguf(arch, config, state, variant, os.path.join(out, name))
        loaded = AutoModelForCausalLM.from_pretrained(out, gguf_file=name, config=gguf_config, dtype=torch.float32).eval()
        entry["logits"][variant] = logits(loaded)
    reference[arch] = entry
with open(os.path.join(out, "reference.json"), "w") as f:
    json.dump(reference, f)
