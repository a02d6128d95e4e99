"""Converts a Llama-architecture GGUF file (e.g. SmolLM2-135M-Instruct) into a GenAI model directory.

    python convert_gguf.py MODEL.gguf OUT_DIR [--precision auto|fp32|int8|int4]

By default (--precision auto) the GGUF's quantized blocks are kept as they are: Q4_0 / Q4_1 /
Q8_0 matrices become MatMulNBits (accuracy_level 4) and the embedding GatherBlockQuantized, so
a decode step reads about as many weight bytes as llama.cpp does. --precision fp32 dequantizes
everything with the `gguf` package (the float reference). The pieces live beside this file:
gguf_model.py (reading the GGUF), quant_blocks.py (block mappings), llama_graph.py (the graph
onnxruntime-genai's builder emits for CPU), gguf_tokenizer.py (the GGUF's GPT-2 style BPE
vocabulary, merges, special tokens and chat template as tokenizer.json / tokenizer_config.json).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

# --- host contract (issue 10): the host keys its conversion cache on this version; bump it
# whenever the output changes. `--version` prints it before the heavy imports, so a host that
# finds its cache entry pays only the interpreter's start.
CONVERTER_VERSION = "1"
if __name__ == "__main__" and sys.argv[1:] == ["--version"]:
    print(CONVERTER_VERSION)
    sys.exit(0)
# --- end host contract

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from gguf import GGUFReader  # noqa: E402
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType  # noqa: E402

from gguf_model import PRECISIONS, Gguf, read_model  # noqa: E402
from gguf_tokenizer import write_tokenizer  # noqa: E402
from llama_graph import GraphOptions, weight_bytes, write_model_dir  # noqa: E402



def physical_cores() -> int:
    """Physical cores of this machine (what llama.cpp uses by default), from /proc/cpuinfo's
    (physical id, core id) pairs; the logical CPU count where those are missing."""
    cores, package = set(), "0"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "physical id":
                    package = value.strip()
                elif key.strip() == "core id":
                    cores.add((package, value.strip()))
    except OSError:
        pass
    return len(cores) or os.cpu_count() or 1


def session_options(threads: int) -> dict:
    """ONNX Runtime session options for genai_config.json (model.decoder.session_options).

    Only the thread count is set: GenAI 0.18 otherwise uses half the hardware threads (1 on a
    2-core machine), and decode on 2 idle cores ran 106 instead of 64 tokens/s with 2 threads
    (bench/peer_bench.py), about llama.cpp's speed with its default of one thread per physical
    core. Threads that spin-wait suffer when other processes compete for the cores (both engines
    alike); a host can override the value at load time (GenAI's config overlay). Graph
    optimization level, memory arena and KV buffer sharing measured within noise of GenAI's
    defaults, so they are left alone.
    """
    return {"intra_op_num_threads": threads} if threads > 0 else {}


# --- host contract (issue 10): a bad input is ONE `error: ` line on stderr and exit status 2;
# progress is `progress: ` lines on stderr; any other non-zero exit is an internal error.
SUPPORTED_ARCHITECTURES = ("llama",)


class InputError(Exception):
    """A GGUF file this converter cannot convert; the message names the problem."""


class ContractArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own usage errors follow the contract too
        raise InputError(message)


class CheckedReader(GGUFReader):
    """GGUFReader that names the first tensor reaching past the end of a truncated file (the
    reader itself fails with a numpy reshape error there)."""

    def _build_tensors(self, start_offs, fields):
        size = len(self.data)
        for field in fields:
            _name_len, name_data, _n_dims, dims, raw_dtype, offset_tensor = field.parts
            name = bytes(name_data).decode("utf-8", "replace")
            try:
                block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(int(raw_dtype[0]))]
            except (ValueError, KeyError):
                continue  # an unknown type: read_model reports it with the supported list
            end = int(start_offs) + int(offset_tensor[0]) + int(np.prod(dims)) * type_size // block
            if end > size:
                raise InputError(f"truncated (tensor {name} ends at byte {end}, file has {size})")
        super()._build_tensors(start_offs, fields)


def progress(message: str) -> None:
    print(f"progress: {message}", file=sys.stderr, flush=True)


def open_checked(path: str) -> Gguf:
    """The GGUF at `path`, or InputError naming why it cannot be converted."""
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise InputError("not a GGUF file (bad magic)")
    try:
        reader = CheckedReader(path)
    except InputError:
        raise
    except (ValueError, IndexError, OverflowError) as e:
        raise InputError(f"corrupt GGUF ({e})") from e
    g = Gguf.__new__(Gguf)
    g.reader, g.tensors = reader, {t.name: t for t in reader.tensors}
    arch = g.value("general.architecture")
    if arch not in SUPPORTED_ARCHITECTURES:
        raise InputError(f"architecture '{arch}' is not supported (supported: {', '.join(SUPPORTED_ARCHITECTURES)})")
    if g.value("tokenizer.ggml.tokens") is None:
        raise InputError("no tokenizer (tokenizer.ggml.tokens missing)")
    return g


def main() -> None:
    try:
        convert()
    except InputError as e:
        where = f"{sys.argv[1]}: " if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else ""
        print(f"error: {where}{e}", file=sys.stderr, flush=True)
        sys.exit(2)
    except FileNotFoundError as e:
        print(f"error: {e.filename}: no such file", file=sys.stderr, flush=True)
        sys.exit(2)
# --- end host contract


def convert() -> None:
    ap = ContractArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gguf")
    ap.add_argument("out_dir")
    ap.add_argument("--max-length", type=int, default=2048, help="GenAI search.max_length default")
    ap.add_argument("--precision", choices=PRECISIONS, default="auto",
                    help="auto: keep the GGUF's blocks (default); fp32: dequantize; int8/int4: requantize")
    ap.add_argument("--accuracy-level", type=int, default=4, help="MatMulNBits accuracy_level (4: int8 activations)")
    ap.add_argument("--no-fuse", action="store_true", help="separate Q/K/V and gate/up MatMulNBits")
    ap.add_argument("--threads", type=int, default=min(physical_cores(), 16),
                    help="intra_op_num_threads written to genai_config.json (default: this machine's physical "
                         "cores, at most 16; 0: GenAI's default, half the hardware threads)")
    ap.add_argument("--version", action="version", version=CONVERTER_VERSION)
    args = ap.parse_args()
    progress(f"reading {args.gguf}")
    g = open_checked(args.gguf)
    cfg, weights = read_model(g, args.precision)
    progress(f"writing model.onnx ({cfg.num_layers} layers)")
    options = GraphOptions(accuracy_level=args.accuracy_level, fuse_qkv=not args.no_fuse,
                           fuse_gate_up=not args.no_fuse)
    tmp = args.out_dir + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    write_model_dir(tmp, cfg, weights, max_length=args.max_length, external_data=True, options=options,
                    session_options=session_options(args.threads))
    progress("writing tokenizer")
    write_tokenizer(g, cfg, tmp)
    if os.path.isdir(args.out_dir):
        shutil.rmtree(args.out_dir)
    os.replace(tmp, args.out_dir)
    print(f"convert_gguf: {args.out_dir}: precision {args.precision}, "
          f"{weight_bytes(weights) / 1e6:.1f} MB of weights read per token")


if __name__ == "__main__":
    main()
