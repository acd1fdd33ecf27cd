#!/usr/bin/env python3
"""Writes the tokenizer agreement fixtures: the token ids that the reference Hugging Face tokenizers give for a few
hundred varied strings (review sentences, unicode, emoji, digits, whitespace runs, control characters, special
tokens, seeded random strings). Test-fixture generator only: `pip install tokenizers transformers`; never a
dependency of ptune.

usage: python3 tokenizer_cases.py MODELS_DIR REVIEWS_DIR FIXTURES_DIR
  MODELS_DIR   $PTUNE_HOME/models (scripts/fetch-models)
  REVIEWS_DIR  $PTUNE_HOME/data/reviews (scripts/fetch-data)

Outputs: smollm2_tokenizer_cases.json (byte-level BPE built from the GGUF metadata exactly as
../shared/bench/smollm2/convert_gguf.py builds it, i.e. SmolLM2's tokenizer.json: Digits(individual) + ByteLevel,
control tokens 0-16 special, no BOS) and minilm_tokenizer_cases.json (BertTokenizerFast from vocab.txt,
lowercase, with [CLS]/[SEP])."""
import json, os, random, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../../../shared/bench/smollm2"))
models, reviews, out = sys.argv[1:4]

EDGE = [
    "", " ", "  ", "\t", "\n", "\r\n", "a", "A", "The capital of France is", " positive", " negative", "positive",
    "Review: a fine film\nSentiment:", "Hello world", "hello  world", "hello   world", "hello\tworld", "hello\n\nworld",
    "  leading", "trailing  ", "   ", "\n\n\n", " \n \n ", "a \t b", "x\u00a0y", "x\u2003y", "x\u3000y", "end ",
    "don't", "I'M", "we'll've", "'s", "''", "'", "rock 'n' roll", "she's", "O'Neil's", "it's'", "'tis", "y'all",
    "123", "3.14159", "1,000,000", "2024-06-01", "555-0123", "x2", "a1b2c3", " 42", "42 ", "007", "٣٤", "１２３", "²³",
    "Ⅻ", "½ cup", "10%", "$5.99", "#1", "1st 2nd 3rd",
    "café", "naïve résumé", "Crème brûlée", "ÀÉÎÕÜ", "straße", "İstanbul", "ǅ", "e\u0301", "n\u0303o",
    "日本語のテキスト", "中文字符测试", "한국어", "Привет, мир!", "Ελληνικά", "שלום", "مرحبا بالعالم", "हिन्दी",
    "ภาษาไทย", "tiếng Việt", "Ǆemal",
    "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷", "I ❤️ NY", "✓ done", "→ ← ↑", "∑∫√∞", "™®©", "…", "—", "“quoted”", "‘single’",
    "\u0000", "\u0007", "\u001b[31mred\u001b[0m", "\u007f", "a\u200bb", "\ufeffBOM", "\u200d", "\ufffd", "\ue000",
    "<|endoftext|>", "<|im_start|>user\nhi<|im_end|>\n", "<|im_start|><|im_end|>", "x<|im_end|>y", "<|im_start",
    "<repo_name>ptune<file_sep>", "< |im_end| >", "<|IM_END|>", "<jupyter_code>print(1)",
    "https://example.com/path?q=1&r=2", "user@example.org", "def f(x):\n    return x**2\n", "if (a && b) { c(); }",
    "snake_case_name", "CamelCaseName", "ALLCAPS", "MiXeD cAsE", "hyphen-ated", "slash/separated", "dots...",
    "!!!", "???", "?!", "(parens)", "[brackets]", "{braces}", "\"double\"", "a,b;c:d", "@#$%^&*", "~`|\\",
    "supercalifragilisticexpialidocious", "antidisestablishmentarianism" * 3, "a" * 300, " " * 50 + "x",
    "[CLS] [SEP] [UNK] [PAD] [MASK]", "[cls]", "##ing", "un##affable", "unaffable", "UNAFFABLE",
]

rng = random.Random(7)
POOL = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     \t\n'\".,;:!?-()[]{}<>|/\\@#$%&*_+=~`"
        "éèàüöçñßÆøœ日本中文한글Жжλπ٣१😀👍🏽❤️\u200d\u00a0\u3000\u0301\u0000\u001b")


def random_string():
    n = rng.randint(1, 40)
    return "".join(rng.choice(POOL) for _ in range(n))


def wide_random_string():
    """Scalars from every plane: ASCII, Latin-1 to CJK, and the supplementary planes (unassigned, private use)."""
    out = []
    for _ in range(rng.randint(1, 50)):
        r = rng.random()
        if r < 0.5:
            out.append(chr(rng.randint(32, 126)))
        elif r < 0.6:
            out.append(rng.choice(" \t\n\r\u00a0\u3000\u2028\u0085"))
        elif r < 0.9:
            out.append(chr(rng.randint(0xA0, 0x3000)))
        else:
            v = rng.randint(0x3000, 0x10FFFF)
            out.append(chr(0x41 if 0xD800 <= v <= 0xDFFF else v))
    return "".join(out)


def load_reviews():
    rows = []
    for split in ("train", "test"):
        with open(os.path.join(reviews, f"{split}.jsonl"), encoding="utf-8") as f:
            rows += [json.loads(l)["text"] for l in f]
    r = random.Random(11)
    picked = r.sample(rows, 150)
    # a few sentences with non-ASCII letters, which the sample may miss
    picked += [t for t in rows if any(ord(ch) > 127 for ch in t)][:20]
    return picked


texts = EDGE + load_reviews() + [random_string() for _ in range(120)] + [wide_random_string() for _ in range(150)]
seen, cases = set(), []
for t in texts:
    if t not in seen:
        seen.add(t)
        cases.append(t)

# SmolLM2: the BPE from the GGUF metadata.
import convert_gguf as c
_, kv, _, _ = c.read_gguf(os.path.join(models, "smollm2-135m", "SmolLM2-135M-Instruct.Q4_1.gguf"))
bpe, _ = c.build_tokenizer(kv)
smol = [{"text": t, "ids": bpe.encode(t, add_special_tokens=False).ids} for t in cases]
assert bpe.encode(" positive", add_special_tokens=False).ids == [2731]
assert bpe.encode(" negative", add_special_tokens=False).ids == [3524]
with open(os.path.join(out, "smollm2_tokenizer_cases.json"), "w") as f:
    json.dump(smol, f, ensure_ascii=True, indent=0)

# MiniLM: BertTokenizerFast over vocab.txt (lowercase, strip accents, CJK split), with [CLS] ... [SEP].
from transformers import BertTokenizerFast
bert = BertTokenizerFast(os.path.join(models, "minilm-l6", "vocab.txt"), do_lower_case=True)
mini = [{"text": t, "ids": bert(t)["input_ids"]} for t in cases]
with open(os.path.join(out, "minilm_tokenizer_cases.json"), "w") as f:
    json.dump(mini, f, ensure_ascii=True, indent=0)
print(f"wrote {len(cases)} cases for each tokenizer to {out}")
