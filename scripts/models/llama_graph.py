"""Writes a Llama-family decoder as an ONNX Runtime GenAI model directory.

The graph uses the operators onnxruntime-genai's own model builder emits for CPU:
Gather for the embedding, SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization
(com.microsoft) for RMSNorm, MatMul projections, GroupQueryAttention (com.microsoft) with the
rotary embedding fused in, and the small subgraph that derives `seqlens_k` and
`total_sequence_length` from the attention mask. Both the tiny random test model and the
GGUF converter share it, so the runtime sees one well-understood graph shape.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS_DOMAIN = "com.microsoft"


@dataclass
class LlamaConfig:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    context_length: int
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    # GGUF stores Q/K rows permuted for GGML's adjacent-pair rotary; GQA's interleaved mode
    # reproduces that exactly, so converted weights need no un-permuting.
    rotary_interleaved: bool = False
    bos_token_id: int = 1
    eos_token_ids: list[int] = field(default_factory=lambda: [2])
    pad_token_id: int = 0
    model_type: str = "llama"

    @property
    def head_size(self) -> int:
        return self.hidden_size // self.num_heads


@dataclass
class LayerWeights:
    """Weights in PyTorch layout: linear weights are [out_features, in_features]."""
    attn_norm: np.ndarray
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    o: np.ndarray
    ffn_norm: np.ndarray
    gate: np.ndarray
    up: np.ndarray
    down: np.ndarray


@dataclass
class LlamaWeights:
    embed: np.ndarray            # [vocab, hidden]
    layers: list[LayerWeights]
    final_norm: np.ndarray       # [hidden]
    lm_head: np.ndarray | None   # [vocab, hidden]; None when tied to the embedding


def _rotary_caches(cfg: LlamaConfig) -> tuple[np.ndarray, np.ndarray]:
    half = cfg.head_size // 2
    inv_freq = 1.0 / (cfg.rope_theta ** (np.arange(0, half, dtype=np.float64) * 2.0 / cfg.head_size))
    angles = np.outer(np.arange(cfg.context_length, dtype=np.float64), inv_freq)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def build_graph(cfg: LlamaConfig, w: LlamaWeights) -> onnx.ModelProto:
    inits: list[TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def init(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name))
        return name

    def node(op: str, inputs: list[str], outputs: list[str], domain: str = "", **attrs) -> None:
        nodes.append(helper.make_node(op, inputs, outputs, name=f"/{op}_{len(nodes)}", domain=domain, **attrs))

    def linear(x: str, weight: np.ndarray, name: str) -> str:
        node("MatMul", [x, init(f"{name}.weight_t", weight.T)], [f"{name}/out"])
        return f"{name}/out"

    graph_inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
    ]
    graph_outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", cfg.vocab_size]),
    ]
    kv_shape_past = ["batch_size", cfg.num_kv_heads, "past_sequence_length", cfg.head_size]
    kv_shape_present = ["batch_size", cfg.num_kv_heads, "total_sequence_length", cfg.head_size]

    # GroupQueryAttention wants the per-sequence last index and the total length as int32.
    inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "one_i64"))
    inits.append(numpy_helper.from_array(np.array(1, dtype=np.int64), "index_1"))
    node("ReduceSum", ["attention_mask", "one_i64"], ["mask/sum"], keepdims=0)
    node("Sub", ["mask/sum", "one_i64"], ["mask/last"])
    node("Cast", ["mask/last"], ["seqlens_k"], to=TensorProto.INT32)
    node("Shape", ["attention_mask"], ["mask/shape"])
    node("Gather", ["mask/shape", "index_1"], ["mask/total"], axis=0)
    node("Cast", ["mask/total"], ["total_seq_len"], to=TensorProto.INT32)

    cos, sin = _rotary_caches(cfg)
    init("cos_cache", cos)
    init("sin_cache", sin)

    node("Gather", [init("embed_tokens.weight", w.embed), "input_ids"], ["embeddings"])
    residual = "embeddings"
    pending = None  # output of the previous sublayer, not yet added to the residual stream
    for i, layer in enumerate(w.layers):
        p = f"layers.{i}"
        normed = f"{p}/attn_norm"
        if pending is None:
            node("SimplifiedLayerNormalization", [residual, init(f"{p}.attn_norm.weight", layer.attn_norm)],
                 [normed], axis=-1, epsilon=cfg.rms_norm_eps, stash_type=1)
        else:
            node("SkipSimplifiedLayerNormalization", [pending, residual, init(f"{p}.attn_norm.weight", layer.attn_norm)],
                 [normed, "", "", f"{p}/attn_residual"], domain=MS_DOMAIN, epsilon=cfg.rms_norm_eps)
            residual = f"{p}/attn_residual"
        q = linear(normed, layer.q, f"{p}.q_proj")
        k = linear(normed, layer.k, f"{p}.k_proj")
        v = linear(normed, layer.v, f"{p}.v_proj")
        past_k, past_v = f"past_key_values.{i}.key", f"past_key_values.{i}.value"
        present_k, present_v = f"present.{i}.key", f"present.{i}.value"
        graph_inputs += [helper.make_tensor_value_info(past_k, TensorProto.FLOAT, kv_shape_past),
                         helper.make_tensor_value_info(past_v, TensorProto.FLOAT, kv_shape_past)]
        graph_outputs += [helper.make_tensor_value_info(present_k, TensorProto.FLOAT, kv_shape_present),
                          helper.make_tensor_value_info(present_v, TensorProto.FLOAT, kv_shape_present)]
        node("GroupQueryAttention", [q, k, v, past_k, past_v, "seqlens_k", "total_seq_len", "cos_cache", "sin_cache"],
             [f"{p}/attn", present_k, present_v], domain=MS_DOMAIN,
             num_heads=cfg.num_heads, kv_num_heads=cfg.num_kv_heads, do_rotary=1,
             rotary_interleaved=int(cfg.rotary_interleaved), scale=float(cfg.head_size ** -0.5),
             local_window_size=-1)
        attn_out = linear(f"{p}/attn", layer.o, f"{p}.o_proj")

        node("SkipSimplifiedLayerNormalization", [attn_out, residual, init(f"{p}.ffn_norm.weight", layer.ffn_norm)],
             [f"{p}/ffn_norm", "", "", f"{p}/ffn_residual"], domain=MS_DOMAIN, epsilon=cfg.rms_norm_eps)
        residual = f"{p}/ffn_residual"
        gate = linear(f"{p}/ffn_norm", layer.gate, f"{p}.gate_proj")
        up = linear(f"{p}/ffn_norm", layer.up, f"{p}.up_proj")
        node("Sigmoid", [gate], [f"{p}/gate_sigmoid"])
        node("Mul", [gate, f"{p}/gate_sigmoid"], [f"{p}/gate_silu"])
        node("Mul", [f"{p}/gate_silu", up], [f"{p}/ffn_hidden"])
        pending = linear(f"{p}/ffn_hidden", layer.down, f"{p}.down_proj")

    node("SkipSimplifiedLayerNormalization", [pending, residual, init("final_norm.weight", w.final_norm)],
         ["final_normed"], domain=MS_DOMAIN, epsilon=cfg.rms_norm_eps)
    if w.lm_head is None:  # tied: reuse the embedding table rather than storing it twice
        node("Transpose", ["embed_tokens.weight"], ["lm_head.weight_t"], perm=[1, 0])
    else:
        init("lm_head.weight_t", w.lm_head.T)
    node("MatMul", ["final_normed", "lm_head.weight_t"], ["logits"])

    graph = helper.make_graph(nodes, "llama_decoder", graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid(MS_DOMAIN, 1)],
                              producer_name="wasinn-model-scripts")
    model.ir_version = 10
    return model


def genai_config(cfg: LlamaConfig, max_length: int) -> dict:
    eos = cfg.eos_token_ids[0] if len(cfg.eos_token_ids) == 1 else cfg.eos_token_ids
    return {
        "model": {
            "bos_token_id": cfg.bos_token_id,
            "context_length": cfg.context_length,
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": "model.onnx",
                "head_size": cfg.head_size,
                "hidden_size": cfg.hidden_size,
                "inputs": {
                    "input_ids": "input_ids",
                    "attention_mask": "attention_mask",
                    "past_key_names": "past_key_values.%d.key",
                    "past_value_names": "past_key_values.%d.value",
                },
                "outputs": {
                    "logits": "logits",
                    "present_key_names": "present.%d.key",
                    "present_value_names": "present.%d.value",
                },
                "num_attention_heads": cfg.num_heads,
                "num_hidden_layers": cfg.num_layers,
                "num_key_value_heads": cfg.num_kv_heads,
            },
            "eos_token_id": eos,
            "pad_token_id": cfg.pad_token_id,
            "type": cfg.model_type,
            "vocab_size": cfg.vocab_size,
        },
        "search": {
            "diversity_penalty": 0.0,
            "do_sample": False,
            "early_stopping": True,
            "length_penalty": 1.0,
            "max_length": max_length,
            "min_length": 0,
            "no_repeat_ngram_size": 0,
            "num_beams": 1,
            "num_return_sequences": 1,
            "past_present_share_buffer": True,
            "repetition_penalty": 1.0,
            "temperature": 1.0,
            "top_k": 50,
            "top_p": 1.0,
        },
    }


def write_model_dir(out_dir: str, cfg: LlamaConfig, weights: LlamaWeights, max_length: int,
                    external_data: bool) -> None:
    """Writes model.onnx (+ model.onnx.data when external_data) and genai_config.json."""
    os.makedirs(out_dir, exist_ok=True)
    model = build_graph(cfg, weights)
    path = os.path.join(out_dir, "model.onnx")
    if external_data:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=1024)
    else:
        onnx.save_model(model, path)
    with open(os.path.join(out_dir, "genai_config.json"), "w") as f:
        json.dump(genai_config(cfg, max_length), f, indent=2)
        f.write("\n")
