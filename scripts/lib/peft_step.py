#!/usr/bin/env python3
"""Hugging Face PEFT's p-tuning step on a GGUF causal LM, for scripts/bench to compare with ptune's in the same run.

usage: python peft_step.py GGUF OUT_JSON [--steps 10] [--warmup 2] [--threads 2] < batches.json
  batches.json: {"sequences": [[ids…], …], "labels": [0|1, …], "label_tokens": [neg, pos], "pad": id}
  (token ids made by ptune's tokenizer, so both sides see the same batches: batch b is rows 8b … 8b+7.)
Loads the GGUF with transformers (dequantized to float32 with the `gguf` package), freezes it, wraps it in PEFT's
PromptEncoder (10 virtual tokens, MLP reparameterisation, hidden 256), and times forward + backward + AdamW (lr 3e-3)
on right-padded batches of 8 with the two-way cross-entropy over the label words at the answer position, as the
SmolLM2 PEFT anchor does. Writes {"median_step_s", "step_s": […], "peak_rss_mb", "rss_after_load_mb"}.
"""
import json, os, resource, statistics, sys, time, warnings
warnings.filterwarnings("ignore")
os.environ.setdefault("TQDM_DISABLE", "1")
import torch
from transformers import AutoModelForCausalLM
from peft import PromptEncoderConfig, get_peft_model


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    path, out = sys.argv[1], sys.argv[2]
    opts = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    steps, warmup = int(opts.get("--steps", 10)), int(opts.get("--warmup", 2))
    torch.set_num_threads(int(opts.get("--threads", 2)))
    torch.manual_seed(0)
    spec = json.load(sys.stdin)
    seqs, labels, label_tokens, pad = spec["sequences"], spec["labels"], spec["label_tokens"], spec["pad"]
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path),
                                                 dtype=torch.float32)
    rss_loaded = peak_rss_mb()
    for p in model.parameters():
        p.requires_grad_(False)
    nvt = 10
    pm = get_peft_model(model, PromptEncoderConfig(task_type="CAUSAL_LM", num_virtual_tokens=nvt,
                                                   encoder_hidden_size=256, encoder_reparameterization_type="MLP"))
    pm.train()
    opt = torch.optim.AdamW([p for p in pm.parameters() if p.requires_grad], lr=3e-3)
    words = torch.tensor(label_tokens)
    times = []
    batches = len(seqs) // 8
    for b in range(warmup + steps):
        rows = [(b % batches) * 8 + i for i in range(8)]
        batch = [seqs[r] for r in rows]
        width = max(len(s) for s in batch)
        ids = torch.tensor([s + [pad] * (width - len(s)) for s in batch])
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in batch])
        last = torch.tensor([nvt + len(s) - 1 for s in batch])
        y = torch.tensor([labels[r] for r in rows])
        t0 = time.perf_counter()
        logits = pm(input_ids=ids, attention_mask=mask).logits
        two = logits[torch.arange(8), last][:, words]
        loss = torch.nn.functional.cross_entropy(two, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if b >= warmup:
            times.append(time.perf_counter() - t0)
    with open(out, "w") as f:
        json.dump({"median_step_s": statistics.median(times), "step_s": times, "peak_rss_mb": peak_rss_mb(),
                   "rss_after_load_mb": rss_loaded}, f)


if __name__ == "__main__":
    main()
