"""Reference token ids from the `tokenizers` library (and transformers, which builds Gemma's from its GGUF).

usage: python tokenizers_reference.py OUT_DIR [--smollm2 GGUF] [--minilm VOCAB_TXT] [--gemma GGUF] [--reviews JSONL]

Writes OUT_DIR/texts.json (2,000 varied texts: review sentences, code, emoji, CJK, white-space runs, numbers,
punctuation, special-token spellings) and, per tokenizer, NAME.tokenizer.json plus NAME.ids.json with the ids of
each text without special tokens, the ids of the first 100 with them, and the decoding of each.
"""
import argparse, json, os, random, sys

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--smollm2")
ap.add_argument("--minilm")
ap.add_argument("--gemma")
ap.add_argument("--reviews")
a = ap.parse_args()

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers

rng = random.Random(1234)
texts = []
if a.reviews and os.path.exists(a.reviews):
    with open(a.reviews, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f][:1000]
pieces = [
    "def f(x):\n    return x ** 2  # square\n", "for (int i = 0; i < n; ++i) { a[i] += b[i]; }", "if x != None:\n\tpass",
    "<|im_start|>user\nHi<|im_end|>", "<start_of_turn>model\n", "[CLS] [SEP] [MASK]", "<bos><eos><pad>",
    "😀", "👍🏽", "🇫🇷", "👨‍👩‍👧‍👦", "❤️", "日本語のテキスト", "中文分词测试", "한국어 문장", "Ελληνικά", "русский текст", "עברית",
    "العربية", "हिन्दी", "ไทย", "café naïve résumé", "Crème brûlée", "ﬁ ligature", "x²+y³", "①②③", "Ⅻ", "٣٤٥", "½ ¼",
    "   ", "\t\t", "\n\n\n", "  \n  ", " \u00a0 ", "\u3000", "\r\n", "\u2028", "\u000b", "\u0085", "\u200b",
    "1234567890", "3.14159", "-42", "1e-10", "0x1F", "2024-06-14", "$1,000.00", "100%",
    "!!!", "???", "...", "—", "–", "«quoted»", "“smart”", "‘single’", "(a)[b]{c}", "@#$%^&*", "~`|\\", "¿Qué?", "¡Hola!",
    "don't", "I'm", "they're", "we've", "it'll", "He'd", "DON'T", "O'Neil", "e.g.", "U.S.A.",
    "HELLO", "camelCaseWord", "snake_case_word", "kebab-case-word", "http://example.com/a?b=c&d=e", "user@example.com",
    "\u0301", "e\u0301", "\ufffd", "\x00", "\x7f", "\ue000", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
]
while len(texts) < 2000:
    k = rng.randint(1, 6)
    parts = [rng.choice(pieces) for _ in range(k)]
    if texts and rng.random() < 0.3:
        parts.append(rng.choice(texts[:1000] or pieces))
    sep = rng.choice(["", " ", "  ", "\n", "\t", " \n "])
    texts.append(sep.join(parts))
texts = texts[:2000]
json.dump(texts, open(os.path.join(a.out, "texts.json"), "w", encoding="utf-8"), ensure_ascii=False)


def dump(name, tok):
    tok.save(os.path.join(a.out, name + ".tokenizer.json"))
    plain = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
    framed = [e.ids for e in tok.encode_batch(texts[:100], add_special_tokens=True)]
    decoded = tok.decode_batch(plain, skip_special_tokens=False)
    json.dump({"ids": plain, "framed": framed, "decoded": decoded}, open(os.path.join(a.out, name + ".ids.json"), "w"),
              ensure_ascii=False)
    print(f"{name}: {len(texts)} texts, {sum(map(len, plain))} ids")


if a.smollm2:
    from gguf import GGUFReader
    r = GGUFReader(a.smollm2)
    tokens = r.fields["tokenizer.ggml.tokens"].contents()
    types = r.fields["tokenizer.ggml.token_type"].contents()
    merges = [tuple(m.split(" ", 1)) for m in r.fields["tokenizer.ggml.merges"].contents()]
    vocab = {t: i for i, t in enumerate(tokens)}
    special = [AddedToken(tokens[i], special=True, normalized=False) for i, t in enumerate(types) if t == 3]

    def byte_level(pre):
        tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token=None, fuse_unk=False, byte_fallback=False))
        tok.pre_tokenizer = pre
        tok.decoder = decoders.ByteLevel()
        tok.add_special_tokens(special)
        return tok

    # SmolLM2's own: each digit alone, then the GPT-2 pattern.
    dump("smollm2", byte_level(pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)])))
    # The same vocabulary split by a Llama-3-style regular expression (as transformers does for such GGUF files).
    llama3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
              r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
    dump("smollm2-regex", byte_level(pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(llama3), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])))

if a.minilm:
    from tokenizers.implementations import BertWordPieceTokenizer
    dump("minilm", BertWordPieceTokenizer(a.minilm, lowercase=True)._tokenizer)

if a.gemma:
    import logging
    from transformers import AutoTokenizer
    logging.disable(logging.WARNING)
    hf = AutoTokenizer.from_pretrained(os.path.dirname(a.gemma), gguf_file=os.path.basename(a.gemma))
    dump("gemma", hf.backend_tokenizer)
