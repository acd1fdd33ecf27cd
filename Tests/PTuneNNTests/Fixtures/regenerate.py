#!/usr/bin/env python3
"""Regenerates the reference-workload fixtures of PTuneNNTests from the baselines' --dump-init output.

usage: python3 Tests/PTuneNNTests/Fixtures/regenerate.py [--baselines ../shared/bench/baselines]

Runs w1_seed_numpy.py, w2_mlp_classify_torch.py and w3_tiny_transformer_torch.py with --dump-init (W2/W3 need
torch), and writes next to this script:
  w1.json          the W1 initial tensors (float64) and loss trace, as dumped (1 KB)
  w2.safetensors   every W2 initial tensor: frozen fc1/fc2/head, the MLP encoder, X (F64) and labels (I64);
  w3.safetensors   every W3 initial tensor: the frozen tiny GPT (lm.*), the encoder (enc.*), tokens (I64)
  peft_encoders.safetensors  tiny PEFT-layout MLP (n 3, d 4, H 5) and LSTM (n 3, d 4, H 2, 2 layers) encoders built
                   as peft.PromptEncoder builds them (mlp.*, lstm.*) with their outputs (mlp.output, lstm.output)
The safetensors files carry the loss trace and the run's settings in __metadata__ ("loss_trace" as JSON,
"steps", "lr"). Only numpy, struct and json are used to write them (no safetensors package needed).
"""
import argparse, json, os, struct, subprocess, sys, tempfile
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        arr = tensors[name]
        dtype = "I64" if arr.dtype.kind in "iu" else "F64"
        raw = np.ascontiguousarray(arr, dtype="<i8" if dtype == "I64" else "<f8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def dump(baselines, script, extra=()):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        path = tmp.name
    out = subprocess.run([sys.executable, os.path.join(baselines, script), "--dump-init", path, *extra],
                         capture_output=True, text=True, check=True)
    run = json.loads(out.stdout.strip().splitlines()[-1])
    with open(path) as f:
        data = json.load(f)
    os.unlink(path)
    return data, run


def tensors_of(data, integer_keys):
    out = {}
    for k, v in data["tensors"].items():
        out[k] = np.array(v["data"], dtype=np.int64 if k in integer_keys else np.float64).reshape(v["shape"])
    return out


def peft_encoders():
    """PEFT's PromptEncoder layouts (MLP and LSTM reparameterisation), float64, and their outputs for arange(n)."""
    import torch
    torch.manual_seed(7)
    torch.set_default_dtype(torch.float64)
    n, d = 3, 4

    class Encoder(torch.nn.Module):
        def __init__(self, hidden, lstm):
            super().__init__()
            self.embedding = torch.nn.Embedding(n, d)
            if lstm:
                self.lstm_head = torch.nn.LSTM(d, hidden, num_layers=2, dropout=0.0, bidirectional=True, batch_first=True)
                self.mlp_head = torch.nn.Sequential(torch.nn.Linear(2 * hidden, 2 * hidden), torch.nn.ReLU(),
                                                    torch.nn.Linear(2 * hidden, d))
            else:
                self.mlp_head = torch.nn.Sequential(torch.nn.Linear(d, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                                                    torch.nn.ReLU(), torch.nn.Linear(hidden, d))
            self.lstm = lstm

        def forward(self, idx):
            e = self.embedding(idx)
            return self.mlp_head(self.lstm_head(e)[0]) if self.lstm else self.mlp_head(e)

    out = {}
    for name, enc in (("mlp", Encoder(5, False)), ("lstm", Encoder(2, True))):
        for k, v in enc.state_dict().items():
            out[f"{name}.{k}"] = v.numpy()
        with torch.no_grad():
            out[f"{name}.output"] = enc(torch.arange(n).unsqueeze(0))[0].numpy()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baselines", default=os.path.join(HERE, "..", "..", "..", "..", "shared", "bench", "baselines"))
    a = ap.parse_args()
    b = os.path.abspath(a.baselines)

    w1, run1 = dump(b, "w1_seed_numpy.py")
    w1["steps"], w1["lr"] = run1["steps"], 0.01
    with open(os.path.join(HERE, "w1.json"), "w") as f:
        json.dump(w1, f)

    w2, run2 = dump(b, "w2_mlp_classify_torch.py", ["--threads", "1"])
    write_safetensors(os.path.join(HERE, "w2.safetensors"), tensors_of(w2, {"labels"}),
                      {"loss_trace": json.dumps(w2["loss_trace"]), "steps": str(run2["steps"]), "lr": "0.001"})

    w3, run3 = dump(b, "w3_tiny_transformer_torch.py", ["--threads", "1"])
    write_safetensors(os.path.join(HERE, "w3.safetensors"), tensors_of(w3, {"tokens"}),
                      {"loss_trace": json.dumps(w3["loss_trace"]), "steps": str(run3["steps"]), "lr": "0.001"})
    write_safetensors(os.path.join(HERE, "peft_encoders.safetensors"), peft_encoders(), {"source": "torch"})
    for name in ("w1.json", "w2.safetensors", "w3.safetensors", "peft_encoders.safetensors"):
        print(name, os.path.getsize(os.path.join(HERE, name)), "bytes")


if __name__ == "__main__":
    main()
