"""Writes the seed corpora of the two wasi-nn fuzz targets (fuzz/preview1_fuzzer.cpp and
fuzz/guest/fuzz_guest.c define the program formats):

    python make_seed_corpus.py --onnx-dir BUILD/models/onnx OUT_DIR

OUT_DIR/preview1 and OUT_DIR/preview2 get one file per seed: the paths a real guest takes (a
whole generation, streaming, logits from token ids, an ONNX graph from bytes) and the usual
mistakes (bad names, handles, pointers, buffers, tensors), so that the fuzzer starts from deep
inside the ABI instead of rediscovering it byte by byte. Deterministic: same inputs, same files.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import struct

# --- the core-module program (preview1_fuzzer.cpp) ---------------------------------------------
P1_FUNCTIONS = ["load", "load_by_name", "load_by_name_with_config", "init_execution_context", "set_input",
                "compute", "get_output", "compute_single", "get_output_single", "fini_single", "unload",
                "finalize_execution_context"]
P1_WRITE = 12
# The core-module ABI's numbering (WasmEdge's / witx)
TYPE_F32, TYPE_U8, TYPE_I64 = 1, 3, 5
ENCODING_ONNX, TARGET_CPU = 1, 0


def value(v: int) -> bytes:
    v &= 0xFFFFFFFF
    if v < 0x80:
        return bytes([v])
    if v < 0x10000:
        return bytes([0x80]) + struct.pack("<H", v)
    return bytes([0xC0]) + struct.pack("<I", v)


class CoreProgram:
    """Guest memory layout of the seeds: out-parameters at 0x10.., strings and tensors from 0x100,
    builders at 0x600, an output buffer of 2 KiB at 0x1000, model bytes from 0x2000."""

    OUT_GRAPH, OUT_CTX, OUT_WRITTEN, OUT_BUF, OUT_BUF_LEN = 0x10, 0x14, 0x18, 0x1000, 0x800

    def __init__(self) -> None:
        self.code = bytearray()

    def write(self, offset: int, data: bytes) -> "CoreProgram":
        for start in range(0, len(data), 255):
            chunk = data[start:start + 255]
            self.code += bytes([P1_WRITE]) + struct.pack("<HB", offset + start, len(chunk)) + chunk
        return self

    def call(self, name: str, *args: int) -> "CoreProgram":
        self.code += bytes([P1_FUNCTIONS.index(name)]) + b"".join(value(a) for a in args)
        return self

    def tensor(self, at: int, dims: list[int], type_number: int, data_at: int, data: bytes) -> "CoreProgram":
        """A tensor struct at `at` (dims right after it) whose data lives at `data_at`."""
        dims_at = at + 20
        self.write(data_at, data)
        self.write(dims_at, struct.pack(f"<{len(dims)}I", *dims))
        return self.write(at, struct.pack("<5I", dims_at, len(dims), type_number, data_at, len(data)))

    def string(self, at: int, text: str) -> tuple[int, int]:
        data = text.encode()
        self.write(at, data)
        return at, len(data)

    def output(self, index: int, single: bool = False) -> "CoreProgram":
        return self.call("get_output_single" if single else "get_output", 0, index, self.OUT_BUF, self.OUT_BUF_LEN,
                         self.OUT_WRITTEN)


def prompt_context(p: CoreProgram, prompt: str, options: dict | None, config: dict | None = None) -> CoreProgram:
    name = p.string(0x100, "tiny")
    if config is None:
        p.call("load_by_name", *name, p.OUT_GRAPH)
    else:
        cfg = p.string(0x700, json.dumps(config))
        p.call("load_by_name_with_config", *name, *cfg, p.OUT_GRAPH)
    p.call("init_execution_context", 0, p.OUT_CTX)
    data = prompt.encode()
    p.tensor(0x200, [1], TYPE_U8, 0x300, data).call("set_input", 0, 0, 0x200)
    if options is not None:
        opts = json.dumps(options).encode()
        p.tensor(0x240, [1], TYPE_U8, 0x400, opts).call("set_input", 0, 1, 0x240)
    return p


def core_seeds(onnx_dir: str) -> dict[str, bytes]:
    seeds = {}
    p = prompt_context(CoreProgram(), "Hello", {"n-predict": 3})
    seeds["generate"] = p.call("compute", 0).output(0).output(1).call("finalize_execution_context", 0) \
        .call("unload", 0).code
    p = prompt_context(CoreProgram(), "Once upon a time", None, {"n-predict": 4, "temp": 0.5, "seed": 7})
    for _ in range(3):
        p.call("compute_single", 0).output(0, single=True)
    seeds["stream"] = p.call("fini_single", 0).output(1).code
    p = prompt_context(CoreProgram(), "Hi", {"chat_template": True, "n-predict": 2, "stop": ["."]})
    seeds["chat_options"] = p.call("compute", 0).call("get_output", 0, 0, p.OUT_BUF, 1, p.OUT_WRITTEN).code
    p = CoreProgram()
    name = p.string(0x100, "tiny")
    p.call("load_by_name", *name, p.OUT_GRAPH).call("init_execution_context", 0, p.OUT_CTX)
    ids = struct.pack("<3q", 1, 15043, 29892)
    seeds["logits"] = p.tensor(0x200, [1, 3], TYPE_I64, 0x300, ids).call("set_input", 0, 0, 0x200) \
        .call("compute", 0).output(0).code

    # The fuzzer's first finding: input_ids of nothing but the pad token (0 in the tiny model).
    p = CoreProgram()
    p.call("load_by_name", *p.string(0x100, "tiny"), p.OUT_GRAPH).call("init_execution_context", 0, p.OUT_CTX)
    seeds["logits_only_padding"] = p.tensor(0x200, [1, 3], TYPE_I64, 0x300, bytes(24)).call("set_input", 0, 0, 0x200) \
        .call("compute", 0).output(0).code

    with open(os.path.join(onnx_dir, "add_f32.onnx"), "rb") as f:
        model = f.read()
    p = CoreProgram().write(0x2000, model).write(0x600, struct.pack("<2I", 0x2000, len(model)))
    p.call("load", 0x600, 1, ENCODING_ONNX, TARGET_CPU, p.OUT_GRAPH).call("init_execution_context", 0, p.OUT_CTX)
    x = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    seeds["onnx_add"] = p.tensor(0x200, [2, 3], TYPE_F32, 0x300, x).call("set_input", 0, 0, 0x200) \
        .call("compute", 0).output(0).code

    p = CoreProgram()
    for i, bad in enumerate(["../tiny", "/etc/passwd", "tiny\x00", "no-such-model", ""]):
        at = 0x100 + 0x20 * i
        p.call("load_by_name", *p.string(at, bad), p.OUT_GRAPH)
    p.write(0x180, b"\xff\xfe")  # invalid UTF-8
    seeds["bad_names"] = p.call("load_by_name", 0x180, 2, p.OUT_GRAPH).code
    seeds["bad_handles"] = CoreProgram().call("init_execution_context", 7, 0x14).call("compute", 3) \
        .call("unload", 0).call("finalize_execution_context", 0).call("fini_single", 9).code
    seeds["bad_pointers"] = CoreProgram().call("load_by_name", 0xFFFFFFF0, 0x20, 0x10) \
        .call("load_by_name", 0x100, 0xFFFFFFFF, 0x10).call("load", 0xFFFF, 16, 1, 0, 0x10) \
        .call("set_input", 0, 0, 0xFFFFFFFF).code
    p = prompt_context(CoreProgram(), "Hello", {"n-predict": 2})
    p.write(0x200, struct.pack("<5I", 0x214, 99, 0, 0x300, 5))  # rank over the limit
    p.call("set_input", 0, 0, 0x200)
    p.write(0x200, struct.pack("<5I", 0x214, 1, 42, 0x300, 5))  # unknown type
    seeds["bad_tensors"] = p.call("set_input", 0, 0, 0x200).call("get_output", 0, 5, 0x1000, 16, 0x18).code
    return seeds


# --- the component program (fuzz_guest.c) ------------------------------------------------------
OP_TENSOR, OP_LOAD_BY_NAME, OP_LOAD, OP_INIT, OP_COMPUTE, OP_DIMS, OP_TY, OP_DATA = range(8)
OP_DROP_TENSOR, OP_DROP_GRAPH, OP_DROP_CONTEXT = 8, 9, 10
WELL_KNOWN = ["prompt", "messages", "options", "input_ids", "X", "input", "metadata", "logits"]
# WIT numbering
WIT_FP32, WIT_U8, WIT_I64, WIT_ONNX, WIT_CPU = 1, 4, 6, 1, 0


def wit_name(text: str) -> bytes:
    if text in WELL_KNOWN:
        return bytes([WELL_KNOWN.index(text)])
    return wit_string_bytes(text)


def wit_string_bytes(text: str) -> bytes:
    """A name the guest maps back to `text` (its printable-ASCII mapping is 0x20 + b % 0x5f)."""
    return bytes([0xFF, len(text)]) + bytes(ord(c) - 0x20 for c in text)


def wit_tensor(dims: list[int], type_number: int, data: bytes) -> bytes:
    return bytes([OP_TENSOR, len(dims)]) + b"".join(value(d) for d in dims) + bytes([type_number]) + \
        struct.pack("<H", len(data)) + data


def wit_compute(context: int, inputs: list[tuple[str, int]]) -> bytes:
    return bytes([OP_COMPUTE, context, len(inputs)]) + b"".join(wit_name(n) + bytes([t]) for n, t in inputs)


def component_seeds(onnx_dir: str) -> dict[str, bytes]:
    seeds = {}
    load_tiny = bytes([OP_LOAD_BY_NAME]) + wit_string_bytes("tiny") + bytes([OP_INIT, 0])
    prompt = wit_tensor([5], WIT_U8, b"Hello")
    options = wit_tensor([16], WIT_U8, json.dumps({"n-predict": 3}).encode()[:16].ljust(16, b" "))
    seeds["generate"] = load_tiny + prompt + options + wit_compute(0, [("prompt", 0), ("options", 1)]) + \
        bytes([OP_DATA, 0, OP_DIMS, 1, OP_TY, 1, OP_DROP_CONTEXT, 0, OP_DROP_GRAPH, 0])
    messages = json.dumps([{"role": "user", "content": "Hi"}]).encode()
    seeds["messages"] = load_tiny + wit_tensor([len(messages)], WIT_U8, messages) + \
        wit_tensor([1], WIT_U8, b"{") + wit_compute(0, [("messages", 0), ("options", 1)]) + bytes([OP_DATA, 0])
    ids = struct.pack("<3q", 1, 15043, 29892)
    seeds["logits"] = load_tiny + wit_tensor([1, 3], WIT_I64, ids) + wit_compute(0, [("input_ids", 0)]) + \
        bytes([OP_DIMS, 0, OP_DATA, 0])
    with open(os.path.join(onnx_dir, "add_f32.onnx"), "rb") as f:
        model = f.read()
    load_onnx = bytes([OP_LOAD, 1]) + struct.pack("<H", len(model)) + model + bytes([WIT_ONNX, WIT_CPU, OP_INIT, 0])
    x = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    seeds["onnx_add"] = load_onnx + wit_tensor([2, 3], WIT_FP32, x) + wit_compute(0, [("X", 0)]) + bytes([OP_DATA, 0])
    seeds["bad_tensors"] = load_tiny + wit_tensor([2, 3], WIT_FP32, x[:20]) + wit_tensor([0xFFFFFFFF, 2], WIT_U8, b"") + \
        wit_tensor([1] * 19, WIT_U8, b"a") + wit_compute(0, [("prompt", 0), ("prompt", 1), ("nope", 2)])
    seeds["bad_names"] = b"".join(bytes([OP_LOAD_BY_NAME]) + wit_string_bytes(n)
                                  for n in ["../tiny", "/etc/passwd", "no-such-model", ".", ""])
    seeds["bad_loads"] = bytes([OP_LOAD, 2, 3, 0, 1, 2, 3, 0, 4, 5, 6, 0, OP_LOAD, 1, 4, 0]) + b"\x00asm" + bytes([5, 0])
    return seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--onnx-dir", required=True, help="the ONNX test models (make_onnx_test_models.py)")
    ap.add_argument("out_dir")
    args = ap.parse_args()
    for abi, seeds in (("preview1", core_seeds(args.onnx_dir)), ("preview2", component_seeds(args.onnx_dir))):
        out = os.path.join(args.out_dir, abi)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for name, code in seeds.items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(code)
    print(f"seed corpora written to {args.out_dir}")


if __name__ == "__main__":
    main()
