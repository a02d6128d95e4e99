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
    # The converter's final norm writes `hidden_states` and the head reads it: keep that value,
    # under an internal name, so only the graph output goes.
    for node in model.graph.node:
        for names in (node.input, node.output):
            for i, name in enumerate(names):
                if name == "hidden_states":
                    names[i] = "final_normed"
    onnx.save_model(model, path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
