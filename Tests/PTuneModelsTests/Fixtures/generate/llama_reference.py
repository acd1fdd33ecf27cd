#!/usr/bin/env python3
"""Writes Fixtures/smollm2_llama_reference.json: an independent float64 numpy forward of SmolLM2-135M-Instruct on the
GGUF layout (adjacent-pair rotary embeddings, no un-permute), for the Swift Llama tests (test-fixture generator only,
never a dependency). Token ids come from the Hugging Face tokenizer built as ../shared/bench/smollm2/convert_gguf.py
builds it; greedy continuations are cross-checked against transformers' LlamaForCausalLM on the converted float32
weights when the converted model directory is given.

usage: python3 llama_reference.py GGUF_FILE OUT_JSON [HF_F32_DIR]"""
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../../shared/bench/smollm2"))
import convert_gguf as c


class Model:
    def __init__(self, path):
        buf, kv, info, base = c.read_gguf(path)
        self.kv, A = kv, "llama."
        self.L, self.D = kv[A + "block_count"], kv[A + "embedding_length"]
        self.H, self.KVH = kv[A + "attention.head_count"], kv[A + "attention.head_count_kv"]
        self.eps, self.theta = kv[A + "attention.layer_norm_rms_epsilon"], kv[A + "rope.freq_base"]
        self.W = {n: c.dequant(buf, info, base, n).astype(np.float64) for n in info}

    def rms(self, x, w):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * w

    def rope(self, x):  # x [T, h, hd]: rotate adjacent pairs (2i, 2i+1) at positions 0..T-1
        hd = x.shape[-1]
        ang = np.arange(x.shape[0])[:, None] * self.theta ** (-np.arange(0, hd, 2) / hd)[None, :]
        co, si = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        out = np.empty_like(x)
        out[..., 0::2] = x[..., 0::2] * co - x[..., 1::2] * si
        out[..., 1::2] = x[..., 0::2] * si + x[..., 1::2] * co
        return out

    def logits(self, ids):
        W, T, H, KVH = self.W, len(ids), self.H, self.KVH
        hd, g = self.D // H, H // KVH
        x = W["token_embd.weight"][ids]
        mask = np.triu(np.full((T, T), -np.inf), 1)
        for l in range(self.L):
            p = f"blk.{l}."
            h = self.rms(x, W[p + "attn_norm.weight"])
            q = self.rope((h @ W[p + "attn_q.weight"].T).reshape(T, H, hd))
            k = self.rope((h @ W[p + "attn_k.weight"].T).reshape(T, KVH, hd))
            v = (h @ W[p + "attn_v.weight"].T).reshape(T, KVH, hd)
            out = np.empty((T, H, hd))
            for i in range(H):
                s = q[:, i] @ k[:, i // g].T / np.sqrt(hd) + mask
                s = np.exp(s - s.max(-1, keepdims=True))
                out[:, i] = (s / s.sum(-1, keepdims=True)) @ v[:, i // g]
            x = x + out.reshape(T, -1) @ W[p + "attn_output.weight"].T
            h = self.rms(x, W[p + "ffn_norm.weight"])
            gt, up = h @ W[p + "ffn_gate.weight"].T, h @ W[p + "ffn_up.weight"].T
            x = x + (gt / (1 + np.exp(-gt)) * up) @ W[p + "ffn_down.weight"].T
        return self.rms(x, W["output_norm.weight"]) @ W["token_embd.weight"].T


def log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def main():
    path, out = sys.argv[1], sys.argv[2]
    hf_dir = sys.argv[3] if len(sys.argv) > 3 else ""
    m = Model(path)
    tok, _ = c.build_tokenizer(m.kv)
    enc = lambda s: tok.encode(s, add_special_tokens=False).ids
    prompts = {
        "paris": "The capital of France is",
        "review": "Review: A gorgeous, witty, seductive movie.\nSentiment:",
        "long": "Review: For all its technical virtuosity, the film is so mired in juvenile and near xenophobic pedagogy "
                "that it's enough to make one pine for the day when Godard can no longer handle the rigors of filmmaking."
                "\nSentiment:",
    }
    sample = list(range(0, 49152, 97))
    ref = {"sampled_ids": sample, "prompts": {}, "greedy": {}}
    for name, text in prompts.items():
        ids = enc(text)
        lg = m.logits(ids)
        lp = log_softmax(lg)
        last = lg[-1]
        top = np.argsort(-last)[:10]
        nll = -np.mean([lp[t, ids[t + 1]] for t in range(len(ids) - 1)])
        ref["prompts"][name] = {
            "text": text, "ids": ids, "top10": [[int(i), float(last[i])] for i in top],
            "p_top1": float(np.exp(lp[-1, top[0]])), "sampled_logits": [float(last[i]) for i in sample],
            "label_logits": [float(last[3524]), float(last[2731])], "mean_nll": float(nll),
        }
        print(name, len(ids), "tokens, top1", tok.decode([int(top[0])]), ref["prompts"][name]["p_top1"], "nll", nll)
    for text in ["The capital of France is", "Once upon a time,", "def fibonacci(n):"]:
        ids = enc(text)
        new = []
        for _ in range(20):
            new.append(int(np.argmax(m.logits(ids + new)[-1])))
        ref["greedy"][text] = {"ids": ids, "new_ids": new, "text": tok.decode(new)}
        print(repr(text), "->", repr(tok.decode(new)))
    if hf_dir:
        import torch
        from transformers import LlamaForCausalLM
        hf = LlamaForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
        for text, g in ref["greedy"].items():
            o = hf.generate(torch.tensor([g["ids"]]), max_new_tokens=20, min_new_tokens=20, do_sample=False)
            assert o[0, len(g["ids"]):].tolist() == g["new_ids"], (text, o[0, len(g["ids"]):].tolist(), g["new_ids"])
        print("transformers float32 greedy continuations agree")
    json.dump(ref, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
