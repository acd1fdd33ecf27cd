"""The PEFT side of ptune's adapter export test.

usage: python peft_adapter.py tiny-llama DIR          writes a tiny random Llama as a Hugging Face folder
       python peft_adapter.py check ADAPTER LOGITS    loads ADAPTER with AutoPeftModelForCausalLM (its base model
                                                      found through base_model_name_or_path), runs input ids 5 6 7,
                                                      and prints the config's fields and the largest difference
                                                      from the logits ptune saved in LOGITS (safetensors)
"""
import json
import sys

import torch


def tiny_llama(folder):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         tie_word_embeddings=True, rms_norm_eps=1e-5)
    LlamaForCausalLM(config).save_pretrained(folder, safe_serialization=True)


def check(adapter, logits_file):
    import peft
    from peft import AutoPeftModelForCausalLM, PeftConfig
    from safetensors.torch import load_file
    config = PeftConfig.from_pretrained(adapter)
    model = AutoPeftModelForCausalLM.from_pretrained(adapter)
    model.eval()
    with torch.no_grad():
        theirs = model(input_ids=torch.tensor([[5, 6, 7]])).logits[0]
    ours = next(iter(load_file(logits_file).values())).to(torch.float32).reshape(-1, theirs.shape[-1])
    print(json.dumps({
        "base_model_name_or_path": config.base_model_name_or_path,
        "num_layers": config.num_layers,
        "num_attention_heads": config.num_attention_heads,
        "num_virtual_tokens": config.num_virtual_tokens,
        "peft": peft.__version__,
        "rows": [int(theirs.shape[0]), int(ours.shape[0])],
        "max_diff": float((theirs - ours).abs().max()) if theirs.shape == ours.shape else None,
    }))


if __name__ == "__main__":
    if sys.argv[1] == "tiny-llama":
        tiny_llama(sys.argv[2])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
