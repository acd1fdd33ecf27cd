"""PEFT's prompt tuning (PROMPT_TUNING) over a float32 Hugging Face causal LM folder, for ptune's round-trip checks.

usage:
  python peft_prompt_tuning.py make HF OUT TEXT N...
      for each N, PEFT's TEXT-init adapter of N virtual tokens (get_peft_model, save_pretrained) in OUT/nN; the
      tokenizer PEFT reads is HF's tokenizer.json as the PEFT anchor saves it (a fast tokenizer, no BOS added)
  python peft_prompt_tuning.py logits HF ADAPTER
      standard input: a JSON list of token-id lists; standard output: PEFT's next-token logits (float32, little-
      endian), one row per list, with the adapter loaded by PeftModel.from_pretrained
"""
import json, os, sys
import torch
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
from peft import PeftModel, PromptTuningConfig, get_peft_model

torch.manual_seed(0)
mode, hf = sys.argv[1], sys.argv[2]


def base_model():
    m = AutoModelForCausalLM.from_pretrained(hf, dtype=torch.float32)
    m.eval()
    return m


if mode == "make":
    out, text, counts = sys.argv[3], sys.argv[4], [int(n) for n in sys.argv[5:]]
    tokenizer_dir = os.path.join(out, "tokenizer")
    PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json")).save_pretrained(tokenizer_dir)
    for n in counts:
        config = PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=n, prompt_tuning_init="TEXT",
                                    prompt_tuning_init_text=text, tokenizer_name_or_path=tokenizer_dir)
        get_peft_model(base_model(), config).save_pretrained(os.path.join(out, f"n{n}"))
elif mode == "logits":
    model = PeftModel.from_pretrained(base_model(), sys.argv[3])
    model.eval()
    rows = []
    with torch.no_grad():
        for ids in json.load(sys.stdin):
            logits = model(input_ids=torch.tensor([ids], dtype=torch.long)).logits
            rows.append(logits[0, -1].to(torch.float32))
    sys.stdout.buffer.write(torch.stack(rows).numpy().astype("<f4").tobytes())
else:
    sys.exit(f"unknown mode {mode}")
