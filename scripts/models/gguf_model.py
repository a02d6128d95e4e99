"""Reads a Llama-architecture GGUF file into llama_graph's config and weights.

Which form each weight matrix takes is the converter's --precision:
  auto  keep the GGUF's blocks where ONNX Runtime has an operator for them (Q4_0, Q4_1, Q8_0;
        see quant_blocks.py), float32 for float tensors and for block types without a mapping
  fp32  dequantize everything to float32 (the reference the quantized forms are tested against)
  int8  8-bit blocks everywhere: Q8_0 kept, anything else requantized from its float32 values
  int4  4-bit blocks everywhere: Q4_0 / Q4_1 kept, anything else requantized
"""
from __future__ import annotations

import sys

import numpy as np
from gguf import GGMLQuantizationType, GGUFReader
from gguf.quants import dequantize

import quant_blocks
from llama_graph import LayerWeights, LlamaConfig, LlamaWeights, Matrix

PRECISIONS = ("auto", "fp32", "int8", "int4")
FLOAT_TYPES = (GGMLQuantizationType.F32, GGMLQuantizationType.F16)


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
        if t.tensor_type in FLOAT_TYPES:
            data = np.asarray(t.data, dtype=np.float32)
        else:
            data = dequantize(t.data, t.tensor_type).astype(np.float32)
        return data.reshape([int(d) for d in reversed(t.shape)])

    def type_name(self, name: str) -> str:
        return self.tensors[name].tensor_type.name

    def matrix(self, name: str, precision: str) -> Matrix:
        """A 2-D weight [out, in] in the form --precision asks for."""
        t = self.tensors[name]
        kind = t.tensor_type.name
        k, n = (int(d) for d in t.shape)
        keep = {"auto": quant_blocks.BLOCK_BYTES.keys(), "fp32": (), "int8": (quant_blocks.Q8_0,),
                "int4": (quant_blocks.Q4_0, quant_blocks.Q4_1)}[precision]
        if kind in keep:
            return quant_blocks.from_ggml(t.data, kind, n, k)
        if precision in ("int8", "int4"):
            return quant_blocks.quantize(self.weight(name), bits=8 if precision == "int8" else 4)
        return self.weight(name)


def read_model(g: Gguf, precision: str = "auto") -> tuple[LlamaConfig, LlamaWeights]:
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

    def m(name: str) -> Matrix:
        return g.matrix(name, precision)

    layers = []
    for i in range(cfg.num_layers):
        b = f"blk.{i}."
        layers.append(LayerWeights(
            attn_norm=g.weight(b + "attn_norm.weight"), q=m(b + "attn_q.weight"),
            k=m(b + "attn_k.weight"), v=m(b + "attn_v.weight"),
            o=m(b + "attn_output.weight"), ffn_norm=g.weight(b + "ffn_norm.weight"),
            gate=m(b + "ffn_gate.weight"), up=m(b + "ffn_up.weight"),
            down=m(b + "ffn_down.weight")))
    lm_head = m("output.weight") if "output.weight" in g.tensors else None
    weights = LlamaWeights(embed=m("token_embd.weight"), layers=layers,
                           final_norm=g.weight("output_norm.weight"), lm_head=lm_head)
    return cfg, weights
