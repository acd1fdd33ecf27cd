#!/usr/bin/env python3
"""Writes the committed seed corpora under fuzz/seeds/ (run from anywhere; deterministic).

Small valid inputs for each harness, plus a few near-misses, so the fuzzer starts inside each format instead of
having to discover magic numbers and length fields by itself.
"""
import json, os, shutil, struct

ROOT = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(ROOT, "seeds")
REPO = os.path.dirname(ROOT)


def put(target, name, data):
    os.makedirs(os.path.join(SEEDS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(SEEDS, target, name), "wb") as f:
        f.write(data)


# --- safetensors -------------------------------------------------------------------------------------------------
def safetensors(entries, metadata=None):
    header, blob = {}, b""
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob


def f32(*v): return struct.pack("<%df" % len(v), *v)
def f16(*v): return struct.pack("<%de" % len(v), *v)
def bf16(*v): return b"".join(struct.pack("<f", x)[2:] for x in v)
def i64(*v): return struct.pack("<%dq" % len(v), *v)


put("safetensors", "all_dtypes", safetensors([
    ("a", "F32", [2, 2], f32(1, 2, 3, 4)), ("b", "F16", [3], f16(0.5, -1, 2)),
    ("c", "BF16", [2], bf16(1.5, -2)), ("d", "I64", [2], i64(7, -3)), ("e", "F32", [0], b""),
    ("s", "F32", [], f32(3.25))], {"format": "pt"}))
put("safetensors", "one", safetensors([("prompt_embeddings", "F32", [2, 3], f32(*range(6)))]))
put("safetensors", "empty_header", struct.pack("<Q", 2) + b"{}")
put("safetensors", "truncated", safetensors([("a", "F32", [4], f32(1, 2, 3, 4))])[:-5])

# --- GGUF ---------------------------------------------------------------------------------------------------------
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)


def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gval(t, v):
    fmt = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?", U64: "<Q",
           I64: "<q", F64: "<d"}
    if t == STR:
        return gstr(v)
    if t == ARR:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(gval(et, x) for x in items)
    return struct.pack(fmt[t], v)


def gguf(kvs, tensors, alignment=32, version=3):
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gstr(k) + struct.pack("<I", t) + gval(t, v)
    offs, off = [], 0
    for name, dims, typ, data in tensors:
        off += -off % alignment
        offs.append(off)
        off += len(data)
    for (name, dims, typ, data), o in zip(tensors, offs):
        out += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", typ, o)
    out += b"\0" * (-len(out) % alignment)
    start = len(out)
    for (name, dims, typ, data), o in zip(tensors, offs):
        out += b"\0" * (start + o - len(out)) + data
    return out


def q8_0(vals):  # one block of 32: f16 scale, 32 int8
    return struct.pack("<e", 0.5) + bytes((v * 2) & 0xFF for v in vals)


def q4_0():  # f16 scale + 16 bytes of nibbles
    return struct.pack("<e", 0.25) + bytes(range(16))


def q4_1():  # f16 scale, f16 min, 16 bytes
    return struct.pack("<ee", 0.25, -1.0) + bytes(range(16, 32))


symbols = [chr(c) for c in range(33, 127)] + ["Ġ", "Ċ"]
kvs = [("general.architecture", STR, "llama"), ("general.name", STR, "seed"), ("t.u8", U8, 7), ("t.i8", I8, -7),
       ("t.u16", U16, 700), ("t.i16", I16, -700), ("t.u32", U32, 70000), ("t.i32", I32, -70000), ("t.f32", F32, 1.5),
       ("t.bool", BOOL, True), ("t.u64", U64, 2**40), ("t.i64", I64, -2**40), ("t.f64", F64, 2.25),
       ("t.arr", ARR, (I32, [1, 2, 3])), ("t.nested", ARR, (ARR, [(U8, [1, 2]), (U8, [3])])),
       ("tokenizer.ggml.model", STR, "gpt2"), ("tokenizer.ggml.pre", STR, "smollm"),
       ("tokenizer.ggml.tokens", ARR, (STR, ["<|endoftext|>"] + symbols + ["Ġt", "he", "Ġthe"])),
       ("tokenizer.ggml.merges", ARR, (STR, ["Ġ t", "h e", "Ġt he"])),
       ("tokenizer.ggml.token_type", ARR, (I32, [3] + [1] * (len(symbols) + 3)))]
tensors = [("f32", [4, 2], 0, f32(*range(8))), ("f16", [2], 1, f16(1, -2)), ("q8_0", [32], 8, q8_0(range(32))),
           ("q4_0", [32], 2, q4_0()), ("q4_1", [32, 1], 3, q4_1())]
put("gguf", "all_types", gguf(kvs, tensors))
put("gguf", "v2_aligned64", gguf(kvs[:3] + [("general.alignment", U32, 64)], tensors[:2], alignment=64, version=2))
put("gguf", "header_only", gguf([], []))

# --- data files -------------------------------------------------------------------------------------------------
put("jsonl", "mixed", '{"text": "a fine film", "label": 1, "v": [1, 2]}\n{"text": "dull", "label": 0, "v": [3.5, -1e3]}\n')
put("jsonl", "nested", '{"x": [[1, 2], [3, 4]], "y": "\\u00e9\\n", "z": null, "w": true}\n\n{"x": [[5, 6], [7, 8]], "y": "b", "z": null, "w": false}\r\n')
put("jsonl", "unicode", '{"t\\u00e9xt": "\\ud83d\\ude00", "n": -0.0}\n')
put("csv", "plain", "x,y,label\n1,2.5,pos\n3,-4e2,neg\n")
put("csv", "quoted", 'text,score\r\n"a, ""quoted"" line",1\r\n"multi word",2\r\n')
put("csv", "ints", "a,b\n1,2\n3,4\n\n5,6\n")
put("tsv", "reviews", "id\tscore\ttext\n1\t2.5\ta fine film\n2\t-3.1\t\"dull\"\n")
put("tsv", "crlf", "a\tb\r\n1\t2\r\n")

# --- tokenizers -------------------------------------------------------------------------------------------------
for t in ("bpe", "wordpiece"):
    put(t, "english", "The movie is great, and the actors were positive!\n")
    put(t, "unicode", "Caf\u00e9 na\u00efve \u4e2d\u6587 \U0001F600 \u0301e\u200b\t\r\n  123456 it's")
    put(t, "specials", "<|endoftext|>[CLS] [SEP] hello [UNK][MASK]<|im_start|>user")
    put(t, "invalid_utf8", b"\xff\xfe abc \xc3\x28 \xe2\x82 end")

# --- scripts ------------------------------------------------------------------------------------------------------
scripts = {}
for folder, _, names in os.walk(os.path.join(REPO, "Tests", "PTuneLangTests", "Golden")):
    for n in sorted(names):
        if n.endswith(".pt"):
            scripts[os.path.basename(folder) + "_" + n[:-3]] = open(os.path.join(folder, n), "rb").read()
for n in ("seed", "loss-curve"):
    scripts["example_" + n] = open(os.path.join(REPO, "examples", n + ".pt"), "rb").read()
for name, text in sorted(scripts.items()):
    if len(text) <= 2048:
        put("parser", name, text)
        put("interpreter", "text_" + name, b"\0" + text.replace(b"10000", b"10"))
for i, seed in enumerate([b"\x01" + bytes(range(64)), b"\x01" + bytes([7, 0, 2, 1, 3, 4, 5, 8, 9] * 6),
                          b"\x01" + bytes([11] * 40), b"\x01" + bytes([i * 37 % 256 for i in range(120)])]):
    put("interpreter", "generated_%d" % i, seed)

if __name__ == "__main__":
    print("seeds:", {t: len(os.listdir(os.path.join(SEEDS, t))) for t in sorted(os.listdir(SEEDS))})
