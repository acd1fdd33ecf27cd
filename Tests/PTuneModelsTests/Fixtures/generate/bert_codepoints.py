#!/usr/bin/env python3
"""Dumps how the reference BERT normaliser + pre-tokenizer (Hugging Face tokenizers, BertNormalizer lowercase +
BertPreTokenizer) splits "a<c>b" for every Unicode scalar c: one line per scalar, `hex<TAB>word-hex\\x01word-hex...`.

Sources/PTuneModels/Tokenizers/BertReferenceUnicode.swift was derived by comparing this dump (tokenizers 0.23.3)
with BertTextSplitter on the same strings: the scalars where they differed, classified as the reference treats them
(kept as part of the word = plain, split off = punctuation, dropped = mark). Test-fixture tooling only.

usage: python3 bert_codepoints.py OUT.txt"""
import sys
from tokenizers.normalizers import BertNormalizer
from tokenizers.pre_tokenizers import BertPreTokenizer

norm = BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
pre = BertPreTokenizer()
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for v in range(0x110000):
        if 0xD800 <= v <= 0xDFFF:
            continue
        words = [w for w, _ in pre.pre_tokenize_str(norm.normalize_str("a" + chr(v) + "b"))]
        f.write("%x\t%s\n" % (v, "\x01".join(w.encode("utf-8").hex() for w in words)))
