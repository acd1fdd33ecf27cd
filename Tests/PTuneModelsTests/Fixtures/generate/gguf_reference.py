#!/usr/bin/env python3
"""Writes Fixtures/smollm2_gguf_reference.json: reference dequantized values of a few SmolLM2 tensors, computed with
the independent numpy GGUF reader in ../shared/bench/smollm2/convert_gguf.py (test-fixture generator only).

usage: python3 gguf_reference.py GGUF_FILE OUT_JSON"""
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../../shared/bench/smollm2"))
import convert_gguf as c

path, out = sys.argv[1], sys.argv[2]
buf, kv, info, base = c.read_gguf(path)
ref = {"tensor_count": len(info), "data_offset": base, "tensors": {}}
for name in ["token_embd.weight", "blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_norm.weight",
             "blk.29.ffn_down.weight", "output_norm.weight"]:
    x = c.dequant(buf, info, base, name).astype(np.float32)
    x2 = x.reshape(-1, x.shape[-1]) if x.ndim > 1 else x.reshape(1, -1)
    rows = [0, x2.shape[0] // 2, x2.shape[0] - 1]
    ref["tensors"][name] = {
        "shape": list(x.shape), "type": info[name][1],
        "rows": {str(r): [float(v) for v in x2[r, :16]] for r in rows},
        "sum": float(x.astype(np.float64).sum()), "abs_sum": float(np.abs(x.astype(np.float64)).sum()),
    }
json.dump(ref, open(out, "w"), indent=1)
print("wrote", out)
