"""Logits of a Hugging Face Llama folder computed by transformers, for the Swift loader to match.

usage: python hf_llama_logits.py FOLDER ID [ID ...]     prints the [len(ids), vocab] float32 logits as one JSON list
"""
import json, sys
import torch
from transformers import LlamaForCausalLM

folder, ids = sys.argv[1], [int(x) for x in sys.argv[2:]]
torch.set_num_threads(1)
model = LlamaForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
with torch.no_grad():
    logits = model(torch.tensor([ids])).logits[0]
json.dump([float(x) for x in logits.reshape(-1)], sys.stdout)
