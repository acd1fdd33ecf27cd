"""Causal-LM targets with transformers (and PEFT) over a float32 Hugging Face folder, for ptune's lm_loss and
label-word checks.

usage:
  python causal_lm_targets.py HF ADAPTER
      ADAPTER: a PEFT adapter folder, or "none" for the bare model. Standard input: JSON {"prompts": [...],
      "targets": [...], "texts": [...], "words": [...]}. Standard output: JSON {"batch_loss": the loss of the
      prompts and targets as one right-padded batch with the prompt and padding positions labelled -100 (PEFT adds
      -100 for its virtual tokens), "losses": each pair's loss alone, "scores": for each text, each word's summed
      token log-probabilities}. Prompts and targets are tokenized separately, without special tokens, and joined.
"""
import json, os, sys
import torch
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
from peft import PeftModel

hf, adapter = sys.argv[1], sys.argv[2]
tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json"))
model = AutoModelForCausalLM.from_pretrained(hf, dtype=torch.float32)
if adapter != "none":
    model = PeftModel.from_pretrained(model, adapter)
model.eval()
request = json.load(sys.stdin)


def ids(text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def loss(pairs):
    """transformers' mean loss over every target token of a right-padded batch."""
    rows = [(ids(p), ids(t)) for p, t in pairs]
    width = max(len(p) + len(t) for p, t in rows)
    input_ids, mask, labels = [], [], []
    for p, t in rows:
        pad = width - len(p) - len(t)
        input_ids.append(p + t + [0] * pad)
        mask.append([1] * (len(p) + len(t)) + [0] * pad)
        labels.append([-100] * len(p) + t + [-100] * pad)
    with torch.no_grad():
        out = model(input_ids=torch.tensor(input_ids), attention_mask=torch.tensor(mask), labels=torch.tensor(labels))
    return out.loss.item()


pairs = list(zip(request["prompts"], request["targets"]))
result = {
    "batch_loss": loss(pairs),
    "losses": [loss([pair]) for pair in pairs],
    "scores": [[-loss([(text, word)]) * len(ids(word)) for word in request["words"]] for text in request["texts"]],
}
json.dump(result, sys.stdout)
