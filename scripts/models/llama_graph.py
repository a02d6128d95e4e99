"""Writes a Llama-family decoder as an ONNX Runtime GenAI model directory.

The graph uses the operators onnxruntime-genai's own model builder emits for CPU:
Gather for the embedding, SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization
(com.microsoft) for RMSNorm, MatMul projections, GroupQueryAttention (com.microsoft) with the
rotary embedding fused in, and the small subgraph that derives `seqlens_k` and
`total_sequence_length` from the attention mask. Both the tiny random test model and the
GGUF converter share it, so the runtime sees one well-understood graph shape.

Weights given as float32 arrays become MatMul / Gather initializers (the tiny model's graph,
unchanged). Weights given as quant_blocks.BlockQuantized become the builder's int4/int8 CPU
operators instead: MatMulNBits (accuracy_level 4: int8 activations) for projections and the
output head, GatherBlockQuantized for the embedding (sharing its codes with a tied head), and
for Q4_1-style blocks the per-block offset term blocksum(x) @ offsets^T (see quant_blocks.py).
Quantized Q/K/V and gate/up projections are stacked into one MatMulNBits each (GQA takes
packed QKV), which halves the operator count per layer.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Union

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from quant_blocks import BlockQuantized

MS_DOMAIN = "com.microsoft"

Matrix = Union[np.ndarray, BlockQuantized]


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
    # Per-frequency divisors of the rotary angles (GGUF rope_freqs.weight, [head_size / 2]): Llama
    # 3.1+'s "llama3" rope scaling, which llama.cpp applies as theta_i = pos * inv_freq_i / factor_i.
    rope_freq_factors: list[float] | None = None
    # Rotary on the first rotary_dim values of each head only (Phi's partial rotary); None: all.
    rotary_dim: int | None = None
    # Multiplies cos and sin (LongRoPE's attention factor, as llama.cpp's attn_factor does).
    rope_attn_factor: float = 1.0
    # Values per attention head where it is not hidden_size / num_heads (Gemma 3's key_length).
    head_dim: int | None = None
    # Gemma 3: the embedding is multiplied by this (sqrt(hidden_size)); 1 elsewhere.
    embed_scale: float = 1.0
    # The gated MLP's activation: "silu" (SwiGLU) or "gelu_tanh" (Gemma's GeGLU, tanh approximation).
    activation: str = "silu"
    # Attention scores' scale; None: 1 / sqrt(head_size).
    attention_scale: float | None = None
    # Interleaved sliding-window attention (Gemma 3): a layer with swa_layers[i] attends to the last
    # sliding_window positions (itself included) and rotates with local_rope_theta, unscaled; the
    # others attend to everything with rope_theta and rope_freq_factors.
    sliding_window: int | None = None
    swa_layers: list[bool] | None = None
    local_rope_theta: float | None = None
    # tanh soft-capping of the output logits (cap * tanh(logits / cap)); None: none.
    final_logit_softcap: float | None = None

    @property
    def head_size(self) -> int:
        return self.head_dim or self.hidden_size // self.num_heads

    def is_local(self, layer: int) -> bool:
        return bool(self.swa_layers and self.swa_layers[layer])


@dataclass
class LayerWeights:
    """Weights in PyTorch layout: linear weights are [out_features, in_features]."""
    attn_norm: np.ndarray
    q: Matrix
    k: Matrix
    v: Matrix
    o: Matrix
    ffn_norm: np.ndarray
    gate: Matrix
    up: Matrix
    down: Matrix
    # Q/K/V biases [out] (Qwen 2); None where the family has none.
    q_bias: np.ndarray | None = None
    k_bias: np.ndarray | None = None
    v_bias: np.ndarray | None = None
    # Gemma 3: RMSNorm of each Q and K head before the rotary [head_size], and RMSNorm of the
    # attention and MLP outputs before they join the residual stream [hidden]; None elsewhere.
    q_norm: np.ndarray | None = None
    k_norm: np.ndarray | None = None
    post_attn_norm: np.ndarray | None = None
    post_ffn_norm: np.ndarray | None = None


@dataclass
class LlamaWeights:
    embed: Matrix                # [vocab, hidden]
    layers: list[LayerWeights]
    final_norm: np.ndarray       # [hidden]
    lm_head: Matrix | None       # [vocab, hidden]; None when tied to the embedding


@dataclass
class GraphOptions:
    """Operator choices for quantized weights (float32 weights ignore them)."""
    accuracy_level: int = 4      # MatMulNBits: 4 = int8 activations, what GenAI's builder emits for CPU
    fuse_qkv: bool = True        # one MatMulNBits for Q, K and V; GQA unpacks
    fuse_gate_up: bool = True    # one MatMulNBits for gate and up, then Split


def weight_bytes(w: LlamaWeights) -> int:
    """Bytes of weights a one-token decode step reads: every projection and the output head,
    plus one embedding row (norm vectors are negligible and left out)."""
    def size(m: Matrix) -> int:
        return m.nbytes() if isinstance(m, BlockQuantized) else m.nbytes
    head = w.lm_head if w.lm_head is not None else w.embed
    total = size(head) + size(w.embed) // w.embed.shape[0]
    for l in w.layers:
        total += sum(size(m) for m in (l.q, l.k, l.v, l.o, l.gate, l.up, l.down))
    return total


def _rotary_caches(cfg: LlamaConfig, local: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin [context, rotary_dim / 2]; local: a sliding-window layer's (its own base, no
    scaling, as llama.cpp's rope_freq_base_train_swa / rope_freq_scale_train_swa)."""
    dim = cfg.rotary_dim or cfg.head_size
    theta = cfg.local_rope_theta if local else cfg.rope_theta
    inv_freq = 1.0 / (theta ** (np.arange(0, dim // 2, dtype=np.float64) * 2.0 / dim))
    if cfg.rope_freq_factors is not None and not local:
        inv_freq = inv_freq / np.asarray(cfg.rope_freq_factors, dtype=np.float64)
    angles = np.outer(np.arange(cfg.context_length, dtype=np.float64), inv_freq)
    scale = cfg.rope_attn_factor
    return (scale * np.cos(angles)).astype(np.float32), (scale * np.sin(angles)).astype(np.float32)


class GraphBuilder:
    """Collects nodes and initializers; node names number the nodes in order."""

    def __init__(self, accuracy_level: int = 4):
        self.accuracy_level = accuracy_level
        self.inits: list[TensorProto] = []
        self.nodes: list[onnx.NodeProto] = []
        self._blocksums: dict[str, str] = {}

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name))
        return name

    def init_raw(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], outputs: list[str], domain: str = "", **attrs) -> None:
        self.nodes.append(helper.make_node(op, inputs, outputs, name=f"/{op}_{len(self.nodes)}", domain=domain,
                                           **attrs))

    def blocksum(self, x: str, k: int, block_size: int) -> str:
        """[..., K] -> [..., K / block_size]: the sum of x over each quantization block (x is 3-D)."""
        key = f"{x}|{block_size}"
        if key not in self._blocksums:
            shape = self.init_raw(f"{x}/blocks_shape", np.array([0, 0, k // block_size, block_size], dtype=np.int64))
            axes = self.init_raw(f"{x}/blocks_axes", np.array([-1], dtype=np.int64))
            self.node("Reshape", [x, shape], [f"{x}/blocks"])
            self.node("ReduceSum", [f"{x}/blocks", axes], [f"{x}/blocksum"], keepdims=0)
            self._blocksums[key] = f"{x}/blocksum"
        return self._blocksums[key]

    def quantized_linear(self, x: str, q: BlockQuantized, name: str, codes: str | None = None,
                         out: str | None = None) -> str:
        """x [B, S, K] @ q^T: MatMulNBits, plus blocksum(x) @ offsets^T for blocks with offsets."""
        n, k = q.shape
        codes = codes or self.init_raw(f"{name}.qweight", q.codes)
        scales = self.init(f"{name}.scales", q.scales)
        out = out or f"{name}/out"
        self.node("MatMulNBits", [x, codes, scales], [out if q.offsets is None else f"{name}/scaled"],
                  domain=MS_DOMAIN, K=k, N=n, bits=q.bits, block_size=q.block_size,
                  accuracy_level=self.accuracy_level)
        if q.offsets is not None:
            self.node("MatMul", [self.blocksum(x, k, q.block_size), self.init(f"{name}.offsets_t", q.offsets.T)],
                      [f"{name}/offset"])
            self.node("Add", [f"{name}/scaled", f"{name}/offset"], [out])
        return out

    def embedding(self, e: BlockQuantized, ids: str, out: str) -> str:
        """GatherBlockQuantized over the codes in MatMulNBits' [V, blocks, bytes] layout, so a tied
        output head reads the same initializer. Returns the codes' initializer name."""
        vocab, hidden = e.shape
        blocks = hidden // e.block_size
        codes = self.init_raw("embed_tokens.qweight", e.codes)
        scales = self.init("embed_tokens.scales", e.scales.reshape(vocab, blocks, 1))
        gathered = f"{out}/blocks" if e.offsets is not None else f"{out}/dequantized"
        # The default zero point for uint8 data is 2^(bits - 1), the same as MatMulNBits'.
        self.node("GatherBlockQuantized", [codes, ids, scales], [gathered], domain=MS_DOMAIN,
                  bits=e.bits, block_size=e.block_size, gather_axis=0, quantize_axis=2)
        if e.offsets is not None:
            self.node("Gather", [self.init("embed_tokens.offsets", e.offsets[..., None]), ids], [f"{out}/offsets"])
            self.node("Add", [gathered, f"{out}/offsets"], [f"{out}/dequantized"])
        shape = self.init_raw(f"{out}/shape", np.array([0, 0, hidden], dtype=np.int64))
        self.node("Reshape", [f"{out}/dequantized", shape], [out])
        return codes


def build_graph(cfg: LlamaConfig, w: LlamaWeights, options: GraphOptions | None = None) -> onnx.ModelProto:
    opts = options or GraphOptions()
    b = GraphBuilder(opts.accuracy_level)
    inits, nodes, init, init_raw, node = b.inits, b.nodes, b.init, b.init_raw, b.node

    def float_weight(name: str, array: np.ndarray) -> str:
        """A float initializer; float16 ones (--precision fp16) are stored as float16, half the
        bytes on disk, and cast to float32 in the graph (ONNX Runtime folds the Cast at load)."""
        if array.dtype != np.float16:
            return init(name, array)
        node("Cast", [init_raw(f"{name}.fp16", array)], [name], to=TensorProto.FLOAT)
        return name

    def linear(x: str, weight: Matrix, name: str, bias: np.ndarray | None = None) -> str:
        if isinstance(weight, BlockQuantized):
            out = b.quantized_linear(x, weight, name)
        else:
            out = f"{name}/out"
            node("MatMul", [x, float_weight(f"{name}.weight_t", weight.T)], [out])
        if bias is None:
            return out
        node("Add", [out, init(f"{name}.bias", bias)], [f"{name}/biased"])
        return f"{name}/biased"

    graph_inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
    ]
    graph_outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", cfg.vocab_size]),
        # The final hidden state after the final norm, for embeddings (GenAI ignores it).
        helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT,
                                      ["batch_size", "sequence_length", cfg.hidden_size]),
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
    if any(cfg.is_local(i) for i in range(cfg.num_layers)):
        cos, sin = _rotary_caches(cfg, local=True)
        init("cos_cache_local", cos)
        init("sin_cache_local", sin)

    def rms_norm(x: str, weight_name: str, weight: np.ndarray, out: str) -> str:
        """RMSNorm over the last axis (no residual add: that is SkipSimplifiedLayerNormalization)."""
        node("SimplifiedLayerNormalization", [x, init(weight_name, weight)], [out], axis=-1,
             epsilon=cfg.rms_norm_eps, stash_type=1)
        return out

    def head_norm(x: str, weight: np.ndarray, heads: int, name: str) -> str:
        """RMSNorm over each head's values: [B, S, heads * head_size] -> per head -> back."""
        shape = init_raw(f"{name}/heads_shape", np.array([0, 0, heads, cfg.head_size], dtype=np.int64))
        flat = init_raw(f"{name}/flat_shape", np.array([0, 0, heads * cfg.head_size], dtype=np.int64))
        node("Reshape", [x, shape], [f"{name}/heads"])
        rms_norm(f"{name}/heads", f"{name}.weight", weight, f"{name}/normed")
        node("Reshape", [f"{name}/normed", flat], [f"{name}/out"])
        return f"{name}/out"

    def post_norm(x: str, weight: np.ndarray | None, name: str) -> str:
        return x if weight is None else rms_norm(x, f"{name}.weight", weight, f"{name}/out")

    attention_scale = cfg.attention_scale if cfg.attention_scale is not None else cfg.head_size ** -0.5

    if isinstance(w.embed, BlockQuantized):
        embed_codes = b.embedding(w.embed, "input_ids", "embeddings")
    else:
        node("Gather", [float_weight("embed_tokens.weight", w.embed), "input_ids"], ["embeddings"])
    residual = "embeddings"
    if cfg.embed_scale != 1.0:
        node("Mul", ["embeddings", init("embed_scale", np.array(cfg.embed_scale, dtype=np.float32))],
             ["embeddings/scaled"])
        residual = "embeddings/scaled"
    pending = None  # output of the previous sublayer, not yet added to the residual stream
    for i, layer in enumerate(w.layers):
        p = f"layers.{i}"
        normed = f"{p}/attn_norm"
        if pending is None:
            rms_norm(residual, f"{p}.attn_norm.weight", layer.attn_norm, normed)
        else:
            node("SkipSimplifiedLayerNormalization", [pending, residual, init(f"{p}.attn_norm.weight", layer.attn_norm)],
                 [normed, "", "", f"{p}/attn_residual"], domain=MS_DOMAIN, epsilon=cfg.rms_norm_eps)
            residual = f"{p}/attn_residual"
        if (opts.fuse_qkv and layer.q_norm is None
                and all(isinstance(m, BlockQuantized) for m in (layer.q, layer.k, layer.v))
                and layer.q.stackable([layer.k, layer.v])):
            bias = None if layer.q_bias is None else np.concatenate([layer.q_bias, layer.k_bias, layer.v_bias])
            q, k, v = linear(normed, layer.q.concat_rows([layer.k, layer.v]), f"{p}.qkv_proj", bias), "", ""
        else:
            q = linear(normed, layer.q, f"{p}.q_proj", layer.q_bias)
            k = linear(normed, layer.k, f"{p}.k_proj", layer.k_bias)
            v = linear(normed, layer.v, f"{p}.v_proj", layer.v_bias)
        if layer.q_norm is not None:
            q = head_norm(q, layer.q_norm, cfg.num_heads, f"{p}.q_norm")
            k = head_norm(k, layer.k_norm, cfg.num_kv_heads, f"{p}.k_norm")
        past_k, past_v = f"past_key_values.{i}.key", f"past_key_values.{i}.value"
        present_k, present_v = f"present.{i}.key", f"present.{i}.value"
        graph_inputs += [helper.make_tensor_value_info(past_k, TensorProto.FLOAT, kv_shape_past),
                         helper.make_tensor_value_info(past_v, TensorProto.FLOAT, kv_shape_past)]
        graph_outputs += [helper.make_tensor_value_info(present_k, TensorProto.FLOAT, kv_shape_present),
                          helper.make_tensor_value_info(present_v, TensorProto.FLOAT, kv_shape_present)]
        local = cfg.is_local(i)
        caches = ["cos_cache_local", "sin_cache_local"] if local else ["cos_cache", "sin_cache"]
        # llama.cpp's window of n_swa positions is GQA's local_window_size = n_swa: measured on the
        # tiny Gemma 3 GGUF, n_swa - 1 differs from llama.cpp by 1.8 nats, n_swa by 0.012.
        node("GroupQueryAttention", [q, k, v, past_k, past_v, "seqlens_k", "total_seq_len", *caches],
             [f"{p}/attn", present_k, present_v], domain=MS_DOMAIN,
             num_heads=cfg.num_heads, kv_num_heads=cfg.num_kv_heads, do_rotary=1,
             rotary_interleaved=int(cfg.rotary_interleaved), scale=float(attention_scale),
             local_window_size=cfg.sliding_window if local else -1)
        attn_out = post_norm(linear(f"{p}/attn", layer.o, f"{p}.o_proj"), layer.post_attn_norm, f"{p}.post_attn_norm")

        node("SkipSimplifiedLayerNormalization", [attn_out, residual, init(f"{p}.ffn_norm.weight", layer.ffn_norm)],
             [f"{p}/ffn_norm", "", "", f"{p}/ffn_residual"], domain=MS_DOMAIN, epsilon=cfg.rms_norm_eps)
        residual = f"{p}/ffn_residual"
        if (opts.fuse_gate_up and all(isinstance(m, BlockQuantized) for m in (layer.gate, layer.up))
                and layer.gate.stackable([layer.up])):
            gate_up = linear(f"{p}/ffn_norm", layer.gate.concat_rows([layer.up]), f"{p}.gate_up_proj")
            gate, up = f"{p}/gate", f"{p}/up"
            node("Split", [gate_up], [gate, up], axis=-1, num_outputs=2)
        else:
            gate = linear(f"{p}/ffn_norm", layer.gate, f"{p}.gate_proj")
            up = linear(f"{p}/ffn_norm", layer.up, f"{p}.up_proj")
        if cfg.activation == "gelu_tanh":
            activated = f"{p}/gate_gelu"
            node("FastGelu", [gate], [activated], domain=MS_DOMAIN)
        else:
            activated = f"{p}/gate_silu"
            node("Sigmoid", [gate], [f"{p}/gate_sigmoid"])
            node("Mul", [gate, f"{p}/gate_sigmoid"], [activated])
        node("Mul", [activated, up], [f"{p}/ffn_hidden"])
        pending = post_norm(linear(f"{p}/ffn_hidden", layer.down, f"{p}.down_proj"), layer.post_ffn_norm,
                            f"{p}.post_ffn_norm")

    node("SkipSimplifiedLayerNormalization", [pending, residual, init("final_norm.weight", w.final_norm)],
         ["hidden_states"], domain=MS_DOMAIN, epsilon=cfg.rms_norm_eps)
    logits = "logits" if cfg.final_logit_softcap is None else "logits/uncapped"
    if isinstance(w.lm_head, BlockQuantized):
        b.quantized_linear("hidden_states", w.lm_head, "lm_head", out=logits)
    elif w.lm_head is None and isinstance(w.embed, BlockQuantized):  # tied: share the embedding's codes
        b.quantized_linear("hidden_states", w.embed, "lm_head", codes=embed_codes, out=logits)
    else:
        if w.lm_head is None:  # tied: reuse the embedding table rather than storing it twice
            node("Transpose", ["embed_tokens.weight"], ["lm_head.weight_t"], perm=[1, 0])
        else:
            float_weight("lm_head.weight_t", w.lm_head.T)
        node("MatMul", ["hidden_states", "lm_head.weight_t"], [logits])
    if cfg.final_logit_softcap is not None:
        cap = cfg.final_logit_softcap
        node("Mul", [logits, init("softcap_inv", np.array(1.0 / cap, dtype=np.float32))], ["logits/scaled"])
        node("Tanh", ["logits/scaled"], ["logits/tanh"])
        node("Mul", ["logits/tanh", init("softcap", np.array(cap, dtype=np.float32))], ["logits"])

    graph = helper.make_graph(nodes, "llama_decoder", graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid(MS_DOMAIN, 1)],
                              producer_name="wasinn-model-scripts")
    model.ir_version = 10
    return model


def genai_config(cfg: LlamaConfig, max_length: int, session_options: dict | None = None) -> dict:
    eos = cfg.eos_token_ids[0] if len(cfg.eos_token_ids) == 1 else cfg.eos_token_ids
    return {
        "model": {
            "bos_token_id": cfg.bos_token_id,
            "context_length": cfg.context_length,
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": [], **(session_options or {})},
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
                    external_data: bool, options: GraphOptions | None = None,
                    session_options: dict | None = None) -> None:
    """Writes model.onnx (+ model.onnx.data when external_data) and genai_config.json."""
    os.makedirs(out_dir, exist_ok=True)
    model = build_graph(cfg, weights, options)
    path = os.path.join(out_dir, "model.onnx")
    if external_data:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=1024)
    else:
        onnx.save_model(model, path)
    with open(os.path.join(out_dir, "genai_config.json"), "w") as f:
        json.dump(genai_config(cfg, max_length, session_options), f, indent=2)
        f.write("\n")
