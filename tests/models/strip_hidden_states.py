"""Makes a copy of a converted model without the `hidden_states` graph output, as models
converted before embeddings were served are: the backend must refuse embeddings on it.

  strip_hidden_states.py --source build/models/tiny-llama OUT_DIR
"""
import argparse
import os
import shutil

import onnx


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("out")
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    shutil.copytree(args.source, args.out)
    path = os.path.join(args.out, "model.onnx")
    model = onnx.load(path)
    outputs = [o for o in model.graph.output if o.name != "hidden_states"]
    if len(outputs) == len(model.graph.output):
        raise SystemExit(f"{path} has no hidden_states output to strip")
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    nodes = [n for n in model.graph.node if "hidden_states" not in n.output]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save_model(model, path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
