#!/usr/bin/env python3
"""Writes Fixtures/minilm_reference.json: all-MiniLM-L6-v2 sentence embeddings (mean pooling over the attention
mask, then L2 normalisation, as sentence-transformers) computed with PyTorch + transformers' BertModel from the
fetched model directory, for the published example sentences (padded as one batch) and a few more. Test-fixture
generator only (`pip install torch transformers`), never a dependency of ptune.

usage: python3 minilm_reference.py MINILM_DIR OUT_JSON"""
import json, sys
import torch
from transformers import BertModel, BertTokenizerFast

d, out = sys.argv[1], sys.argv[2]
torch.set_num_threads(2)
tok = BertTokenizerFast(d + "/vocab.txt", do_lower_case=True)
model = BertModel.from_pretrained(d, add_pooling_layer=False).eval()
A = ["The new movie is awesome", "The cat sits outside", "A man is playing guitar"]
B = ["The dog plays in the garden", "The new movie is so great", "A woman watches TV"]
extra = ["ptune p-tunes frozen language models.", "Übermäßig lange Sätze, mit Akzenten & Zeichen!?", "a"]
sentences = A + B + extra
with torch.no_grad():
    enc = tok(sentences, padding=True, return_tensors="pt")
    h = model(**enc).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    e = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    e = torch.nn.functional.normalize(e, dim=-1)
cos = (e[:3] @ e[3:6].T).tolist()
json.dump({"sentences": sentences, "input_ids": [[i for i, k in zip(ids, mask) if k] for ids, mask in
                                                  zip(enc["input_ids"].tolist(), enc["attention_mask"].tolist())],
           "embeddings": e.tolist(), "cosine_ab": cos,
           "hidden_first_token": h[0, 0, :16].tolist()}, open(out, "w"), indent=0)
print("cosine A x B:", [[round(x, 4) for x in r] for r in cos])
