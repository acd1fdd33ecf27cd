"""PEFT's prefix tuning (PREFIX_TUNING) over a float32 Hugging Face causal LM folder, for ptune's round-trip checks.

usage:
  python peft_prefix_tuning.py make HF OUT N H TEXT
      PEFT's adapters of N prefix positions (get_peft_model, save_pretrained, weights drawn with seed 0): OUT/random
      (PEFT's default N(0, 1) key/value table), OUT/plain (the table PEFT's initialize_kv_prefix_from_text makes
      from a prefill of TEXT, tokenized plainly) and OUT/proj (prefix_projection with encoder_hidden_size H; PEFT
      saves the projection's output)
  python peft_prefix_tuning.py logits HF ADAPTER
      standard input: a JSON list of token-id lists; standard output: PEFT's next-token logits (float32, little-
      endian), one row per list, with the adapter loaded by PeftModel.from_pretrained
  python peft_prefix_tuning.py generate HF ADAPTER MAX
      standard input: a JSON list of token ids; standard output: the MAX tokens greedy decoding by PEFT's forward
      picks, decoded, as a JSON string
  python peft_prefix_tuning.py table HF CHECKPOINT TASK N H
      PEFT's trainable PrefixEncoder (prefix_projection, encoder_hidden_size H) loaded with the parameters of task
      TASK in a ptune checkpoint; standard output: its key/value table (float32, little-endian)
"""
import json, os, sys
import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
from peft import PeftModel, PrefixTuningConfig, get_peft_model
from peft.tuners.prefix_tuning import PrefixEncoder
from peft.tuners.cartridge.utils import initialize_kv_prefix_from_text

torch.manual_seed(0)
mode, hf = sys.argv[1], sys.argv[2]


def base_model():
    m = AutoModelForCausalLM.from_pretrained(hf, dtype=torch.float32)
    m.eval()
    return m


if mode == "make":
    out, n, h, text = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    for name, projection in [("random", False), ("plain", False), ("proj", True)]:
        config = PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=n, prefix_projection=projection,
                                    encoder_hidden_size=h)
        model = get_peft_model(base_model(), config)
        if name == "plain":
            # The keys and values of a prefill of the text (PEFT's own initializer, plain tokenization).
            tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json"))
            initialize_kv_prefix_from_text(model, tokenizer, text=text, use_chat_template=False)
        model.save_pretrained(os.path.join(out, name))
elif mode == "logits":
    model = PeftModel.from_pretrained(base_model(), sys.argv[3])
    model.eval()
    rows = []
    with torch.no_grad():
        for ids in json.load(sys.stdin):
            logits = model(input_ids=torch.tensor([ids], dtype=torch.long)).logits
            rows.append(logits[0, -1].to(torch.float32))
    sys.stdout.buffer.write(torch.stack(rows).numpy().astype("<f4").tobytes())
elif mode == "generate":
    # Greedy decoding by PEFT's forward, one full pass per token (PEFT's generate() with this transformers version
    # continues as the base model would: its output ignores the prefix).
    model = PeftModel.from_pretrained(base_model(), sys.argv[3])
    model.eval()
    ids = torch.tensor([json.load(sys.stdin)], dtype=torch.long)
    new = []
    with torch.no_grad():
        for _ in range(int(sys.argv[4])):
            step = model(input_ids=torch.cat([ids, torch.tensor([new], dtype=torch.long)], dim=1)).logits[0, -1]
            new.append(int(step.argmax()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json"))
    print(json.dumps(tokenizer.decode(new)))
elif mode == "table":
    checkpoint, task, n, h = sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    base = base_model()
    config = PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=n, prefix_projection=True,
                                encoder_hidden_size=h)
    peft_model = get_peft_model(base, config)
    encoder = peft_model.prompt_encoder["default"]
    assert isinstance(encoder, PrefixEncoder)
    prefix = f"encoders/{task}/"
    weights = {k[len(prefix):]: v for k, v in load_file(checkpoint).items() if k.startswith(prefix)}
    encoder.load_state_dict(weights, strict=True)
    with torch.no_grad():
        table = encoder(torch.arange(n).unsqueeze(0))[0]
    sys.stdout.buffer.write(table.numpy().astype("<f4").tobytes())
else:
    sys.exit(f"unknown mode {mode}")
