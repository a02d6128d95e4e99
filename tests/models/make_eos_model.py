"""Makes a copy of the tiny test model whose graph ends every generation with end-of-sequence
after a known number of tokens, so tests can see the `eos` stop reason deterministically.

The copy's logits get a large bonus on the EOS column once the sequence (prompt + generated
tokens, the sum of the attention mask) reaches --threshold tokens: a prompt of P < T tokens
generates exactly T - P tokens and then EOS; a prompt of T or more tokens generates none.

  make_eos_model.py --source build/models/tiny-llama --threshold 12 OUT_DIR
"""
import argparse
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, help="the tiny model directory to copy")
    ap.add_argument("--threshold", type=int, required=True, help="sequence length from which EOS wins")
    ap.add_argument("out", help="the model directory to write")
    args = ap.parse_args()

    with open(os.path.join(args.source, "genai_config.json")) as f:
        config = json.load(f)
    eos = config["model"]["eos_token_id"]
    eos = eos[0] if isinstance(eos, list) else eos
    vocab = config["model"]["vocab_size"]
    graph_file = config["model"]["decoder"]["filename"]
    logits_name = config["model"]["decoder"]["outputs"]["logits"]
    mask_name = config["model"]["decoder"]["inputs"]["attention_mask"]

    tmp = args.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(args.source, tmp)

    model = onnx.load(os.path.join(args.source, graph_file))
    g = model.graph
    # Rename the original logits and compute the real output from them.
    raw = logits_name + "_before_eos_bonus"
    for node in g.node:
        for i, name in enumerate(node.output):
            if name == logits_name:
                node.output[i] = raw
    column = np.zeros([vocab], dtype=np.float32)
    column[eos] = 1.0e4
    g.initializer.extend([
        numpy_helper.from_array(column, "eos_bonus_column"),
        numpy_helper.from_array(np.array([args.threshold], dtype=np.int64), "eos_threshold"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "eos_axis_1"),
        numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "eos_axes_1_2"),
    ])
    g.node.extend([
        # tokens so far, per batch row: [batch, 1]
        helper.make_node("ReduceSum", [mask_name, "eos_axis_1"], ["eos_length"], keepdims=1),
        helper.make_node("GreaterOrEqual", ["eos_length", "eos_threshold"], ["eos_reached"]),
        helper.make_node("Cast", ["eos_reached"], ["eos_reached_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["eos_reached_f", "eos_axis_1"], ["eos_gate"]),  # [batch, 1, 1]
        helper.make_node("Mul", ["eos_gate", "eos_bonus_column"], ["eos_bonus"]),     # [batch, 1, vocab]
        helper.make_node("Add", [raw, "eos_bonus"], [logits_name]),
    ])
    onnx.save(model, os.path.join(tmp, graph_file))
    shutil.rmtree(args.out, ignore_errors=True)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
