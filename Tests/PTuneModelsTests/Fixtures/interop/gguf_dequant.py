"""Reference dequantization by the `gguf` package (gguf.quants), for the Swift block decoders to match bit for bit.

usage: python gguf_dequant.py OUT_DIR [FILE.gguf ...]
       python gguf_dequant.py --sizes        (prints {type: [block elements, block bytes]} as JSON)

Writes into OUT_DIR, for every block format ptune decodes:
  * generated blocks: random bytes whose f16 scale fields hold random finite halves (every other bit random);
  * re-quantized real values (the formats gguf can quantize), from the first GGUF file's token embedding;
  * real blocks: the first rows of up to 4 tensors of each type in each GGUF file,
and for each GGUF file the dequantized rows 0, middle and last of up to 3 tensors per type (checked through the
Swift reader). Each case is NAME.raw (stored bytes) and NAME.f32 (the reference, little-endian float32);
manifest.json lists them.
"""
import json, os, sys
import numpy as np
from gguf import GGMLQuantizationType as T, GGUFReader, GGML_QUANT_SIZES
from gguf.quants import dequantize, quantize

TYPES = ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"]
# Byte offsets of the f16 scale fields in each block.
SCALES = {"Q4_0": [0], "Q4_1": [0, 2], "Q5_0": [0], "Q5_1": [0, 2], "Q8_0": [0], "Q2_K": [80, 82], "Q3_K": [108],
          "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208]}

if sys.argv[1:] == ["--sizes"]:
    json.dump({t.name: list(GGML_QUANT_SIZES[t]) for t in T if t in GGML_QUANT_SIZES}, sys.stdout)
    sys.exit(0)

out, files = sys.argv[1], sys.argv[2:]
rng = np.random.default_rng(20240614)
cases, rows = [], []


def finite_halves(n):
    h = rng.integers(0, 1 << 16, n, dtype=np.uint16)
    bad = (h & 0x7C00) == 0x7C00           # exponent all ones: inf or NaN
    h[bad] &= 0xBFFF                        # clear the top exponent bit: finite
    return h


def add(name, qtype, raw):
    raw = np.ascontiguousarray(raw, dtype=np.uint8)
    ref = dequantize(raw, qtype).astype(np.float32, copy=False)
    raw.tofile(os.path.join(out, name + ".raw"))
    np.ascontiguousarray(ref).reshape(-1).astype("<f4").tofile(os.path.join(out, name + ".f32"))
    cases.append({"name": name, "type": int(qtype), "type_name": qtype.name, "elements": int(ref.size)})


for name in TYPES:
    qtype = T[name]
    block, size = GGML_QUANT_SIZES[qtype]
    n = 96 if block > 1 else 4096
    raw = rng.integers(0, 256, (n, size), dtype=np.uint8)
    if name == "F32":
        raw = (rng.standard_normal(n) * np.exp2(rng.integers(-60, 60, n))).astype("<f4").view(np.uint8).reshape(n, 4)
    elif name in ("F16", "BF16"):
        h = finite_halves(n) if name == "F16" else rng.integers(0, 1 << 16, n, dtype=np.uint16)
        if name == "BF16":
            h[(h & 0x7F80) == 0x7F80] &= 0xBFFF
        raw = h.astype("<u2").view(np.uint8).reshape(n, 2)
    else:
        for off in SCALES[name]:
            raw[:, off:off + 2] = finite_halves(n).astype("<u2").view(np.uint8).reshape(n, 2)
    add(f"generated-{name}", qtype, raw.reshape(-1))

readers = [(os.path.basename(f), GGUFReader(f)) for f in files]

# Real values re-quantized by gguf itself (the formats it can quantize).
if readers:
    emb = next(t for t in readers[0][1].tensors if t.name == "token_embd.weight")
    values = dequantize(np.asarray(emb.data[:8]), emb.tensor_type).astype(np.float32).reshape(-1)
    for name in TYPES:
        qtype = T[name]
        if name in ("F32", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"):
            continue
        try:
            q = quantize(values, qtype)
        except NotImplementedError:
            continue
        add(f"requantized-{name}", qtype, q.view(np.uint8).reshape(-1))

for label, r in readers:
    by_type = {}
    for t in r.tensors:
        by_type.setdefault(t.tensor_type.name, []).append(t)
    for name, tensors in by_type.items():
        if name not in TYPES:
            continue
        blobs = [np.asarray(t.data).view(np.uint8).reshape(t.data.shape[0] if t.data.ndim > 1 else 1, -1)[:2].reshape(-1)
                 for t in tensors[:4]]
        add(f"real-{label}-{name}", T[name], np.concatenate(blobs))
        for t in tensors[:3]:
            data = np.asarray(t.data)
            n_rows = data.shape[0] if data.ndim > 1 else 1
            picks = sorted({0, n_rows // 2, n_rows - 1})
            ref = dequantize(data.reshape(n_rows, -1)[picks].view(np.uint8), t.tensor_type).astype(np.float32)
            file = f"rows-{label}-{t.name}"
            np.ascontiguousarray(ref).reshape(-1).astype("<f4").tofile(os.path.join(out, file + ".f32"))
            rows.append({"file": label, "tensor": t.name, "rows": picks, "ref": file, "type_name": name})

json.dump({"cases": cases, "rows": rows}, open(os.path.join(out, "manifest.json"), "w"), indent=1)
print(f"{len(cases)} block cases, {len(rows)} tensor-row checks")
