"""The graph builder: float32 weights still give the tiny test model's graph, byte for byte, and
a small Llama with GGUF-quantized weights computes through the quantized operators what the
same model dequantized to float32 computes."""
import hashlib
import os

import numpy as np
import onnxruntime as ort
from gguf import GGMLQuantizationType
from gguf.quants import quantize as gguf_quantize

import quant_blocks
from llama_graph import GraphOptions, LayerWeights, LlamaConfig, LlamaWeights, build_graph, weight_bytes
from make_tiny_llama import random_weights, tiny_config

# sha256 of the tiny model's model.onnx as make_tiny_llama.py wrote it before quantization support
# (seed 20261124, onnx 1.23.2). Its tests compare against ONNX Runtime sessions of this graph.
TINY_MODEL_SHA256 = "9c49b869c17596377c9ad19f5024f6d7a90bd0815200e84f338ccf0ae3779707"


def test_tiny_model_graph_is_unchanged():
    """Unchanged but for the hidden_states output (issue 10), which was the final norm's output
    `final_normed`: undoing that gives the pinned graph byte for byte."""
    cfg = tiny_config()
    model = build_graph(cfg, random_weights(cfg, 20261124))
    assert [o.name for o in model.graph.output][:2] == ["logits", "hidden_states"]
    assert model.graph.output[1].type.tensor_type.shape.dim[2].dim_value == cfg.hidden_size
    del model.graph.output[1]
    for n in model.graph.node:
        for names in (n.input, n.output):
            for i, name in enumerate(names):
                if name == "hidden_states":
                    names[i] = "final_normed"
    assert hashlib.sha256(model.SerializeToString()).hexdigest() == TINY_MODEL_SHA256
    assert {n.op_type for n in model.graph.node}.isdisjoint({"MatMulNBits", "GatherBlockQuantized"})


def small_config() -> LlamaConfig:
    return LlamaConfig(vocab_size=256, hidden_size=64, intermediate_size=128, num_layers=2, num_heads=4,
                       num_kv_heads=2, context_length=64, rotary_interleaved=True)


def ggml(w: np.ndarray, type_name: str) -> quant_blocks.BlockQuantized:
    raw = gguf_quantize(w, GGMLQuantizationType[type_name])
    return quant_blocks.from_ggml(raw, type_name, *w.shape)


def small_weights(cfg: LlamaConfig, layer_type: str, embed_type: str) -> LlamaWeights:
    rng = np.random.default_rng(11)

    def mat(n: int, k: int) -> quant_blocks.BlockQuantized:
        return ggml((rng.standard_normal((n, k)) * k ** -0.5).astype(np.float32), layer_type)

    def norm() -> np.ndarray:
        return (1.0 + 0.1 * rng.standard_normal(cfg.hidden_size)).astype(np.float32)

    h, i, kv = cfg.hidden_size, cfg.intermediate_size, cfg.num_kv_heads * cfg.head_size
    layers = [LayerWeights(attn_norm=norm(), q=mat(h, h), k=mat(kv, h), v=mat(kv, h), o=mat(h, h), ffn_norm=norm(),
                           gate=mat(i, h), up=mat(i, h), down=mat(h, i)) for _ in range(cfg.num_layers)]
    embed = ggml(rng.standard_normal((cfg.vocab_size, h)).astype(np.float32), embed_type)
    return LlamaWeights(embed=embed, layers=layers, final_norm=norm(), lm_head=None)


def dequantized(w: LlamaWeights) -> LlamaWeights:
    def f(m):
        return m.dequantize() if isinstance(m, quant_blocks.BlockQuantized) else m
    layers = [LayerWeights(**{k: f(v) for k, v in vars(l).items()}) for l in w.layers]
    return LlamaWeights(embed=f(w.embed), layers=layers, final_norm=w.final_norm, lm_head=None)


def logits(model, cfg: LlamaConfig, ids: list[int]) -> np.ndarray:
    s = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
    empty = np.zeros((1, cfg.num_kv_heads, 0, cfg.head_size), dtype=np.float32)
    for i in range(cfg.num_layers):
        feeds[f"past_key_values.{i}.key"] = feeds[f"past_key_values.{i}.value"] = empty
    return s.run(["logits"], feeds)[0]


def check_against_float(layer_type: str, embed_type: str, fuse: bool) -> None:
    cfg = small_config()
    w = small_weights(cfg, layer_type, embed_type)
    ids = [5, 200, 17, 17, 99, 0, 255, 31]
    quant = build_graph(cfg, w, GraphOptions(accuracy_level=0, fuse_qkv=fuse, fuse_gate_up=fuse))
    ops = {n.op_type for n in quant.graph.node}
    assert {"MatMulNBits", "GatherBlockQuantized"} <= ops
    expected = logits(build_graph(cfg, dequantized(w)), cfg, ids)
    got = logits(quant, cfg, ids)
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-5 * np.abs(expected).max())


def test_q4_1_layers_q8_0_embedding_match_float_model():
    check_against_float("Q4_1", "Q8_0", fuse=True)


def test_unfused_projections_match_float_model():
    check_against_float("Q4_1", "Q8_0", fuse=False)


def test_q4_0_layers_q4_1_embedding_match_float_model():
    check_against_float("Q4_0", "Q4_1", fuse=True)


def test_weight_bytes_counts_quantized_sizes():
    cfg = small_config()
    w = small_weights(cfg, "Q4_0", "Q8_0")
    layer = sum(m.codes.nbytes + m.scales.nbytes for m in vars(w.layers[0]).values()
                if isinstance(m, quant_blocks.BlockQuantized))
    head = w.embed.codes.nbytes + w.embed.scales.nbytes
    assert weight_bytes(w) == cfg.num_layers * layer + head + head // cfg.vocab_size
