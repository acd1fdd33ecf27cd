"""Gemma-3-270M's next-token distribution computed by transformers from the same Q4_K_M GGUF file ptune reads
(transformers dequantizes it with the `gguf` package and runs its float32 Gemma 3), for the Swift model to match.

usage: python gemma3_next_token.py GGUF OUT_DIR < prompts.json
  prompts.json: a JSON list of token-id lists. For prompt i, writes OUT_DIR/i.f32: the softmax of the logits at
  the last position (float32, little-endian, one per vocabulary entry), computed in float32 as transformers does.
"""
import json, os, sys, warnings
warnings.filterwarnings("ignore")
os.environ.setdefault("TQDM_DISABLE", "1")
import numpy as np
import torch
from transformers import AutoModelForCausalLM

path, out = sys.argv[1], sys.argv[2]
prompts = json.load(sys.stdin)
torch.set_num_threads(int(os.environ.get("PTUNE_TORCH_THREADS", "1")))
model = AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path),
                                             dtype=torch.float32).eval()
os.makedirs(out, exist_ok=True)
with torch.no_grad():
    for i, ids in enumerate(prompts):
        logits = model(torch.tensor([ids])).logits[0, -1]
        probs = torch.softmax(logits, dim=-1).numpy().astype("<f4")
        probs.tofile(os.path.join(out, f"{i}.f32"))
