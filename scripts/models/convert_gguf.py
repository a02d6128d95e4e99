"""Converts a Llama-architecture GGUF file (e.g. SmolLM2-135M-Instruct) into a GenAI model directory.

    python convert_gguf.py MODEL.gguf OUT_DIR

Quantized weights are dequantized to float32 with the `gguf` package; the graph is the one
llama_graph.py builds (the operators onnxruntime-genai's builder emits for CPU). The GGUF's
GPT-2 style BPE vocabulary, merges, special tokens and chat template become a Hugging Face
tokenizer.json / tokenizer_config.json pair, which GenAI's tokenizer reads.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
from gguf import GGUFReader, GGMLQuantizationType
from gguf.quants import dequantize

from llama_graph import LayerWeights, LlamaConfig, LlamaWeights, write_model_dir

# GGUF token types (llama.cpp's llama_token_type).
TOKEN_CONTROL = 3
TOKEN_USER_DEFINED = 4


class Gguf:
    def __init__(self, path: str):
        self.reader = GGUFReader(path)
        self.tensors = {t.name: t for t in self.reader.tensors}

    def value(self, key: str, default=None):
        field = self.reader.fields.get(key)
        return default if field is None else field.contents()

    def weight(self, name: str) -> np.ndarray:
        """A tensor as float32 in numpy (row-major, PyTorch) order."""
        t = self.tensors[name]
        if t.tensor_type in (GGMLQuantizationType.F32, GGMLQuantizationType.F16):
            data = np.asarray(t.data, dtype=np.float32)
        else:
            data = dequantize(t.data, t.tensor_type).astype(np.float32)
        return data.reshape([int(d) for d in reversed(t.shape)])


def read_model(g: Gguf) -> tuple[LlamaConfig, LlamaWeights]:
    arch = g.value("general.architecture")
    if arch != "llama":
        sys.exit(f"convert_gguf: architecture '{arch}' is not supported (only llama)")
    eos = g.value("tokenizer.ggml.eos_token_id")
    cfg = LlamaConfig(
        vocab_size=len(g.value("tokenizer.ggml.tokens")),
        hidden_size=g.value("llama.embedding_length"),
        intermediate_size=g.value("llama.feed_forward_length"),
        num_layers=g.value("llama.block_count"),
        num_heads=g.value("llama.attention.head_count"),
        num_kv_heads=g.value("llama.attention.head_count_kv"),
        context_length=g.value("llama.context_length"),
        rope_theta=float(g.value("llama.rope.freq_base", 10000.0)),
        rms_norm_eps=float(g.value("llama.attention.layer_norm_rms_epsilon")),
        rotary_interleaved=True,
        bos_token_id=g.value("tokenizer.ggml.bos_token_id"),
        eos_token_ids=[eos],
        pad_token_id=g.value("tokenizer.ggml.padding_token_id", eos),
    )
    layers = []
    for i in range(cfg.num_layers):
        b = f"blk.{i}."
        layers.append(LayerWeights(
            attn_norm=g.weight(b + "attn_norm.weight"), q=g.weight(b + "attn_q.weight"),
            k=g.weight(b + "attn_k.weight"), v=g.weight(b + "attn_v.weight"),
            o=g.weight(b + "attn_output.weight"), ffn_norm=g.weight(b + "ffn_norm.weight"),
            gate=g.weight(b + "ffn_gate.weight"), up=g.weight(b + "ffn_up.weight"),
            down=g.weight(b + "ffn_down.weight")))
    lm_head = g.weight("output.weight") if "output.weight" in g.tensors else None
    weights = LlamaWeights(embed=g.weight("token_embd.weight"), layers=layers,
                           final_norm=g.weight("output_norm.weight"), lm_head=lm_head)
    return cfg, weights


def write_tokenizer(g: Gguf, cfg: LlamaConfig, out_dir: str) -> None:
    if g.value("tokenizer.ggml.model") != "gpt2":
        sys.exit("convert_gguf: only GPT-2 style (byte-level BPE) GGUF tokenizers are supported")
    tokens = g.value("tokenizer.ggml.tokens")
    types = g.value("tokenizer.ggml.token_type")
    merges = g.value("tokenizer.ggml.merges")
    added = [{"id": i, "content": tok, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": types[i] == TOKEN_CONTROL}
             for i, tok in enumerate(tokens) if types[i] in (TOKEN_CONTROL, TOKEN_USER_DEFINED)]
    pre = [{"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]
    if g.value("tokenizer.ggml.pre") == "smollm":  # SmolLM splits numbers into single digits
        pre.insert(0, {"type": "Digits", "individual_digits": True})
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": pre},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": {tok: i for i, tok in enumerate(tokens)}, "merges": list(merges)},
    }
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)

    def token(key: str) -> str | None:
        idx = g.value(key)
        return None if idx is None else tokens[idx]

    config = {
        "add_bos_token": bool(g.value("tokenizer.ggml.add_bos_token", False)),
        "add_prefix_space": False,
        "added_tokens_decoder": {str(t["id"]): {k: v for k, v in t.items() if k != "id"} for t in added},
        "additional_special_tokens": [t["content"] for t in added if t["special"]],
        "bos_token": token("tokenizer.ggml.bos_token_id"),
        "eos_token": token("tokenizer.ggml.eos_token_id"),
        "pad_token": token("tokenizer.ggml.padding_token_id"),
        "unk_token": token("tokenizer.ggml.unknown_token_id"),
        "clean_up_tokenization_spaces": False,
        "model_max_length": cfg.context_length,
        "tokenizer_class": "GPT2Tokenizer",
        "vocab_size": len(tokens),
    }
    template = g.value("tokenizer.chat_template")
    if template:
        config["chat_template"] = template
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gguf")
    ap.add_argument("out_dir")
    ap.add_argument("--max-length", type=int, default=2048, help="GenAI search.max_length default")
    args = ap.parse_args()
    g = Gguf(args.gguf)
    cfg, weights = read_model(g)
    tmp = args.out_dir + ".partial"
    write_model_dir(tmp, cfg, weights, max_length=args.max_length, external_data=True)
    write_tokenizer(g, cfg, tmp)
    os.replace(tmp, args.out_dir)


if __name__ == "__main__":
    main()
