"""Oracle test: logits from our input_ids path (stateless, and incremental as a guest's decode
loop drives it) equal those of ONNX Runtime's own Python session running the model's graph
over the whole sequence with an empty KV cache, within 1e-4.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort


def reference_logits(model_dir: str, ids: list[int]) -> np.ndarray:
    with open(os.path.join(model_dir, "genai_config.json")) as f:
        decoder = json.load(f)["model"]["decoder"]
    session = ort.InferenceSession(os.path.join(model_dir, decoder["filename"]), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
    empty = np.zeros((1, decoder["num_key_value_heads"], 0, decoder["head_size"]), dtype=np.float32)
    for i in range(decoder["num_hidden_layers"]):
        feeds[f"past_key_values.{i}.key"] = empty
        feeds[f"past_key_values.{i}.value"] = empty
    return session.run(["logits"], feeds)[0][0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--ids", required=True, help="comma-separated token ids")
    args = ap.parse_args()
    ids = [int(x) for x in args.ids.split(",")]
    expected = reference_logits(args.model, ids)
    failures = 0
    for mode in ("stateless", "incremental"):
        with tempfile.NamedTemporaryFile(suffix=".f32") as out:
            subprocess.run([args.tool, "logits", args.model, out.name, mode, *map(str, ids)], check=True)
            got = np.fromfile(out.name, dtype=np.float32).reshape(expected.shape)
        diff = float(np.max(np.abs(got - expected)))
        ok = diff <= 1e-4
        print(f"{'ok' if ok else 'MISMATCH'}: {mode} logits {list(expected.shape)}: max |diff| = {diff:.2e}")
        failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
