"""Embeddings (the `embedding` option) against two oracles that are not wasinn:

  check_embeddings.py --wasinn BIN --guest chat.wasm --model DIR [--gguf FILE]

1. ONNX Runtime: a plain InferenceSession on the same model.onnx, fed the prompt's token ids
   (GenAI's Python tokenizer) with an empty KV cache; numpy mean-pools its `hidden_states` over
   positions and L2-normalizes. wasinn's vector (the WasmEdge-shaped JSON that chat.wasm prints
   for output 0) must agree within 1e-4 in every component.
2. With --gguf (the GGUF the model was converted from): llama.cpp (PyPI xllamacpp) with
   embedding=True and mean pooling; cosine similarity with wasinn's vector at least 0.99.
Exit 0 on pass, 1 on failure.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

TEXTS = [
    "The cat sat on the mat.",
    "A quick brown fox jumps over the lazy dog, then runs into the forest.",
    "Stock markets fell sharply on Tuesday after the central bank raised interest rates.",
]


def wasinn_embedding(args, text: str) -> np.ndarray:
    cmd = [args.wasinn, "run", "--nn-preload", f"m:GenAI:AUTO:{args.model}", args.guest, "m", text,
           json.dumps({"embedding": True})]
    p = subprocess.run(cmd, capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    out = json.loads(p.stdout)
    vec = np.array(out["embedding"], dtype=np.float64)
    assert out["n_embedding"] == len(vec), out["n_embedding"]
    return vec


def onnxruntime_embedding(model_dir: str, ids: list[int]) -> np.ndarray:
    import onnxruntime as ort
    session = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
    for i in session.get_inputs():
        if i.name.startswith("past_key_values"):
            _, heads, _, head_size = i.shape
            feeds[i.name] = np.zeros((1, heads, 0, head_size), dtype=np.float32)
    hidden = session.run(["hidden_states"], feeds)[0].astype(np.float64)
    assert hidden.shape[:2] == (1, len(ids)), hidden.shape
    mean = hidden[0].mean(axis=0)
    return mean / np.linalg.norm(mean)


def llamacpp_embeddings(gguf: str, texts: list[str]) -> list[np.ndarray]:
    import xllamacpp
    p = xllamacpp.CommonParams()
    p.model.path = gguf
    p.embedding = True
    p.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    p.n_ctx = 512
    p.n_parallel = 1
    p.cpuparams.n_threads = p.cpuparams_batch.n_threads = 1
    p.verbosity = -1
    server = xllamacpp.Server(p)
    out = []
    for text in texts:
        r = server.handle_embeddings({"input": text})
        if "error" in r:
            raise RuntimeError(f"llama.cpp: {r['error']}")
        out.append(np.array(r["data"][0]["embedding"], dtype=np.float64))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasinn", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--gguf")
    args = ap.parse_args()
    import onnxruntime_genai as og
    tokenizer = og.Tokenizer(og.Model(args.model))

    failures = []
    ours = [wasinn_embedding(args, t) for t in TEXTS]
    for text, vec in zip(TEXTS, ours):
        ref = onnxruntime_embedding(args.model, [int(i) for i in tokenizer.encode(text)])
        diff = float(np.abs(vec - ref).max())
        print(f"onnxruntime: max |diff| {diff:.2e} over {len(vec)} components: {text[:40]!r}")
        if vec.shape != ref.shape or diff > 1e-4:
            failures.append(f"onnxruntime oracle: max |diff| {diff} > 1e-4 for {text!r}")
    if args.gguf:
        for text, vec, ref in zip(TEXTS, ours, llamacpp_embeddings(args.gguf, TEXTS)):
            cos = float(vec @ ref / (np.linalg.norm(vec) * np.linalg.norm(ref)))
            print(f"llama.cpp: cosine {cos:.5f}: {text[:40]!r}")
            if cos < 0.99:
                failures.append(f"llama.cpp oracle: cosine {cos} < 0.99 for {text!r}")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
