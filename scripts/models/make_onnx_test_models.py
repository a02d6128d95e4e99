#!/usr/bin/env python3
"""Writes the small ONNX models the byte-loaded ONNX backend's tests load, with the outputs
ONNX Runtime's Python API computes for fixed inputs, so the C++ tests compare against an
independent run of the same model.

    make_onnx_test_models.py OUT_DIR

For every MODEL.onnx with known answers there is a MODEL.expected.json:
    [{"inputs": {NAME: TENSOR}, "outputs": {NAME: TENSOR}}, ...]   (one entry per case)
    TENSOR = {"type": "f32", "dims": [2, 3], "hex": "<the little-endian bytes>"}
Raw bytes rather than numbers because f16 and bf16 have no JSON (or numpy, for bf16) form.
"""

import ctypes
import json
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OPSET = 21
IR_VERSION = 10

# wasi-nn tensor type -> ONNX element type. bf16 travels as uint16 bit patterns.
ONNX_TYPES = {
    "f16": TensorProto.FLOAT16,
    "f32": TensorProto.FLOAT,
    "f64": TensorProto.DOUBLE,
    "bf16": TensorProto.BFLOAT16,
    "u8": TensorProto.UINT8,
    "i32": TensorProto.INT32,
    "i64": TensorProto.INT64,
}
NUMPY_TYPES = {
    "f16": np.float16,
    "f32": np.float32,
    "f64": np.float64,
    "bf16": np.uint16,
    "u8": np.uint8,
    "i32": np.int32,
    "i64": np.int64,
}


def make_model(name, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="wasinn-tests")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def bf16_bits(values):
    """Round-toward-zero bf16: the high half of each float32."""
    return (np.asarray(values, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)


def tensor_json(type_name, dims, raw):
    return {"type": type_name, "dims": list(dims), "hex": raw.hex()}


def input_json(type_name, array):
    array = np.ascontiguousarray(array, dtype=np.dtype(NUMPY_TYPES[type_name]).newbyteorder("<"))
    return tensor_json(type_name, array.shape, array.tobytes())


def output_json(value):
    """Copies the output's bytes straight from ONNX Runtime: numpy has no bf16 to go through."""
    type_name = {v: k for k, v in ONNX_TYPES.items()}[value.element_type()]
    return tensor_json(type_name, value.shape(), ctypes.string_at(value.data_ptr(), value.tensor_size_in_bytes()))


def run_case(model, inputs):
    """inputs: {name: (type_name, array)}. Runs the model through ONNX Runtime's Python API."""
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {name: ort.OrtValue.ortvalue_from_numpy_with_onnx_type(np.ascontiguousarray(array, NUMPY_TYPES[t]),
                                                                    ONNX_TYPES[t])
             for name, (t, array) in inputs.items()}
    output_names = [o.name for o in session.get_outputs()]
    results = session.run_with_ort_values(output_names, feeds)
    return {"inputs": {name: input_json(t, array) for name, (t, array) in inputs.items()},
            "outputs": {name: output_json(value) for name, value in zip(output_names, results)}}


def add_f32():
    constant = np.array([[0.5, -1.0, 2.0], [10.0, 0.25, -3.5]], dtype=np.float32)
    model = make_model("add_f32", [helper.make_node("Add", ["X", "C"], ["Y"])],
                       [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])],
                       [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 3])],
                       [numpy_helper.from_array(constant, "C")])
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
    return model, [{"X": ("f32", x)}]


def classifier():
    """input [1,4] -> MatMul + Add -> Softmax -> probabilities [1,3]."""
    rng = np.random.default_rng(7)
    weights = rng.standard_normal((4, 3)).astype(np.float32)
    bias = rng.standard_normal(3).astype(np.float32)
    model = make_model("classifier", [
        helper.make_node("MatMul", ["input", "weights"], ["scores"]),
        helper.make_node("Add", ["scores", "bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
    ], [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
        [numpy_helper.from_array(weights, "weights"), numpy_helper.from_array(bias, "bias")])
    # Several cases, so concurrent callers each check their own answer.
    cases = [{"input": ("f32", rng.standard_normal((1, 4)).astype(np.float32))} for _ in range(4)]
    return model, cases


def every_type_identity():
    """in_T [2,2] -> Identity -> out_T [2,2] for every wasi-nn tensor type T."""
    nodes, inputs, outputs = [], [], []
    for t, onnx_type in ONNX_TYPES.items():
        nodes.append(helper.make_node("Identity", [f"in_{t}"], [f"out_{t}"]))
        inputs.append(helper.make_tensor_value_info(f"in_{t}", onnx_type, [2, 2]))
        outputs.append(helper.make_tensor_value_info(f"out_{t}", onnx_type, [2, 2]))
    model = make_model("every_type_identity", nodes, inputs, outputs)
    values = np.array([[1.5, -2.25], [3.0, 100.0]])
    case = {f"in_{t}": (t, values) for t in ("f16", "f32", "f64")}
    case["in_bf16"] = ("bf16", bf16_bits(values))
    case["in_u8"] = ("u8", np.array([[0, 1], [128, 255]]))
    case["in_i32"] = ("i32", np.array([[-2147483648, -1], [0, 2147483647]]))
    case["in_i64"] = ("i64", np.array([[-(2**63), -1], [2**40, 2**63 - 1]]))
    return model, [case]


def dynamic_batch():
    """features [N,4] -> MatMul -> scores [N,2]: the batch size comes from the caller."""
    weights = np.array([[1.0, 0.5], [-1.0, 2.0], [0.25, 0.0], [3.0, -0.5]], dtype=np.float32)
    model = make_model("dynamic_batch", [helper.make_node("MatMul", ["features", "weights"], ["scores"])],
                       [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 4])],
                       [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 2])],
                       [numpy_helper.from_array(weights, "weights")])
    features = np.arange(12, dtype=np.float32).reshape(3, 4) - 5.0
    return model, [{"features": ("f32", features[:1])}, {"features": ("f32", features)}]


def bool_input():
    """An input type wasi-nn cannot express: flags bool [2] -> Not -> inverted."""
    return make_model("bool_input", [helper.make_node("Not", ["flags"], ["inverted"])],
                      [helper.make_tensor_value_info("flags", TensorProto.BOOL, [2])],
                      [helper.make_tensor_value_info("inverted", TensorProto.BOOL, [2])]), []


def bool_output():
    """One expressible output (y = x) beside one that is not (positive = x > 0, bool)."""
    zero = numpy_helper.from_array(np.zeros(1, dtype=np.float32), "zero")
    return make_model("bool_output", [
        helper.make_node("Identity", ["x"], ["y"]),
        helper.make_node("Greater", ["x", "zero"], ["positive"]),
    ], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("positive", TensorProto.BOOL, [2])], [zero]), []


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = pathlib.Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for make in (add_f32, classifier, every_type_identity, dynamic_batch, bool_input, bool_output):
        model, cases = make()
        name = make.__name__
        (out_dir / f"{name}.onnx").write_bytes(model.SerializeToString())
        if cases:
            expected = [run_case(model, case) for case in cases]
            (out_dir / f"{name}.expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
