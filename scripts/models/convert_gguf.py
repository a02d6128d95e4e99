"""Converts a GGUF file (llama.cpp's format) into an ONNX Runtime GenAI model directory.

    python convert_gguf.py IN.gguf OUT_DIR [--precision auto|int4|int8|fp16|fp32]
    python convert_gguf.py --version

Architectures: see families.py (gemma3, llama, phi3, qwen2). By default (--precision auto) the GGUF's quantized
blocks are kept exactly: Q4_0 / Q4_1 / Q8_0 / Q4_K / Q5_K / Q6_K matrices become MatMulNBits
(accuracy_level 4) and the embedding GatherBlockQuantized, so a decode step reads about as many
weight bytes as llama.cpp does; float tensors (F32, F16, BF16) become float32. --precision fp32
dequantizes everything with the `gguf` package (the float reference). The pieces live beside this
file: families.py (what differs per architecture), gguf_model.py (reading the GGUF),
quant_blocks.py (block mappings), llama_graph.py (the graph onnxruntime-genai's builder emits for
CPU), gguf_tokenizer.py (the GGUF's BPE vocabulary, merges, special tokens and chat template as
tokenizer.json / tokenizer_config.json), plus converted_from_gguf.json for the host (see
write_provenance).

Contract with the host (wasinn convert / convert-on-first-use): OUT_DIR must not exist or be
empty and is written directly (the host renames a temporary folder into place); progress lines on
stderr start with `progress: `; a GGUF that cannot be converted exits with status 2 and one stderr
line `error: IN.gguf: <problem>`; any other non-zero status is an internal error. --version prints
CONVERTER_VERSION, which changes whenever the output does (the host's cache key).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Bump whenever the converter's output for some GGUF changes: the host caches by it.
CONVERTER_VERSION = "wasinn-gguf-3"
# Answered before the imports below (numpy, onnx: most of a second): the host asks on every start
# that names a GGUF, and a cached start should stay fast.
if __name__ == "__main__" and sys.argv[1:] == ["--version"]:
    print(CONVERTER_VERSION)
    sys.exit(0)

from gguf_model import PRECISIONS, ConversionError, Gguf, progress, read_model  # noqa: E402
from gguf_tokenizer import adds_bos, write_tokenizer  # noqa: E402
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


PROVENANCE_FILE = "converted_from_gguf.json"


def write_provenance(g: Gguf, cfg, out_dir: str) -> None:
    """What the host needs to know of the GGUF that GenAI's files cannot say: llama.cpp adds the
    GGUF's BOS to a raw prompt where tokenizer.ggml.add_bos_token asks for it (WasmEdge's guests
    rely on that), GenAI's encode never does, so the host adds `raw_prompt_bos` itself (null: none)."""
    bos = g.value("tokenizer.ggml.bos_token_id")
    info = {"converter_version": CONVERTER_VERSION, "architecture": g.value("general.architecture"),
            "raw_prompt_bos": int(bos) if adds_bos(g) and bos is not None else None}
    with open(os.path.join(out_dir, PROVENANCE_FILE), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        print(CONVERTER_VERSION)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gguf")
    ap.add_argument("out_dir")
    ap.add_argument("--max-length", type=int, default=2048, help="GenAI search.max_length default")
    ap.add_argument("--precision", choices=PRECISIONS, default="auto",
                    help="auto: keep the GGUF's blocks (default); fp32: dequantize; fp16: float16 weights; "
                         "int8/int4: requantize")
    ap.add_argument("--accuracy-level", type=int, default=4, help="MatMulNBits accuracy_level (4: int8 activations)")
    ap.add_argument("--no-fuse", action="store_true", help="separate Q/K/V and gate/up MatMulNBits")
    ap.add_argument("--threads", type=int, default=min(physical_cores(), 16),
                    help="intra_op_num_threads written to genai_config.json (default: this machine's physical "
                         "cores, at most 16; 0: GenAI's default, half the hardware threads)")
    args = ap.parse_args()
    if os.path.exists(args.out_dir) and (not os.path.isdir(args.out_dir) or os.listdir(args.out_dir)):
        print(f"error: {args.out_dir}: output directory exists and is not empty", file=sys.stderr)
        return 2
    try:
        g = Gguf(args.gguf)
        cfg, weights = read_model(g, args.precision, args.max_length)
        options = GraphOptions(accuracy_level=args.accuracy_level, fuse_qkv=not args.no_fuse,
                               fuse_gate_up=not args.no_fuse)
        os.makedirs(args.out_dir, exist_ok=True)
        write_tokenizer(g, cfg, args.out_dir)
    except ConversionError as e:
        print(f"error: {args.gguf}: {e}", file=sys.stderr)
        return 2
    write_provenance(g, cfg, args.out_dir)
    progress("writing model.onnx")
    write_model_dir(args.out_dir, cfg, weights, max_length=args.max_length, external_data=True, options=options,
                    session_options=session_options(args.threads))
    print(f"convert_gguf: {args.out_dir}: {cfg.model_type}, precision {args.precision}, "
          f"{weight_bytes(weights) / 1e6:.1f} MB of weights read per token", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
