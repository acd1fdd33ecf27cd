"""Writes SmolLM2's GGUF as a float32 Hugging Face folder with the conventions of the PEFT anchor's converter:
dequantized by gguf, q/k rows un-permuted to rotate-half, config.json as transformers' LlamaConfig writes it, and
the byte-level BPE tokenizer.json (digits alone, then the GPT-2 pattern; control tokens special).

usage: python smollm2_hf_folder.py GGUF OUT_DIR
"""
import json, os, sys
import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize
from safetensors.numpy import save_file
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
from transformers import LlamaConfig

path, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
r = GGUFReader(path)
kv = {k: f.contents() for k, f in r.fields.items() if not k.startswith("tokenizer.ggml.")}
A = "llama."
H, KVH, D = kv[A + "attention.head_count"], kv[A + "attention.head_count_kv"], kv[A + "embedding_length"]
names = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm", "attn_q": "self_attn.q_proj",
         "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
         "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}


def unpermute(w, n_head):
    out_f, in_f = w.shape
    return w.reshape(n_head, out_f // n_head // 2, 2, in_f).swapaxes(1, 2).reshape(out_f, in_f)


sd = {}
for t in r.tensors:
    w = dequantize(np.asarray(t.data), t.tensor_type).astype(np.float32).reshape([int(x) for x in reversed(t.shape)])
    if t.name == "token_embd.weight":
        hf = "model.embed_tokens.weight"
    elif t.name == "output_norm.weight":
        hf = "model.norm.weight"
    elif t.name == "output.weight":
        hf = "lm_head.weight"
    else:
        _, l, kind, _ = t.name.split(".")
        hf = f"model.layers.{l}.{names[kind]}.weight"
        if kind == "attn_q":
            w = unpermute(w, H)
        elif kind == "attn_k":
            w = unpermute(w, KVH)
    sd[hf] = np.ascontiguousarray(w)
save_file(sd, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})

tokens = r.fields["tokenizer.ggml.tokens"].contents()
types = r.fields["tokenizer.ggml.token_type"].contents()
LlamaConfig(
    vocab_size=len(tokens), hidden_size=D, intermediate_size=kv[A + "feed_forward_length"],
    num_hidden_layers=kv[A + "block_count"], num_attention_heads=H, num_key_value_heads=KVH, head_dim=D // H,
    max_position_embeddings=kv[A + "context_length"], rms_norm_eps=kv[A + "attention.layer_norm_rms_epsilon"],
    rope_parameters={"rope_type": "default", "rope_theta": kv[A + "rope.freq_base"]}, hidden_act="silu",
    attention_bias=False, mlp_bias=False, tie_word_embeddings=not any(t.name == "output.weight" for t in r.tensors),
    bos_token_id=1, eos_token_id=2, pad_token_id=2).save_pretrained(out)

merges = [tuple(m.split(" ", 1)) for m in r.fields["tokenizer.ggml.merges"].contents()]
tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges, unk_token=None, byte_fallback=False))
tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                             pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
tok.decoder = decoders.ByteLevel()
tok.add_special_tokens([AddedToken(tokens[i], special=True, normalized=False) for i, t in enumerate(types) if t == 3])
tok.save(os.path.join(out, "tokenizer.json"))
print(out)
