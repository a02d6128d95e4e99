"""Reads a GGUF file of one of the families in families.py into llama_graph's config and weights.

Which form each weight matrix takes is the converter's --precision:
  auto  keep the GGUF's blocks where they map exactly onto ONNX Runtime's block operators (Q4_0,
        Q4_1, Q8_0, Q4_K, Q5_K, Q6_K; see quant_blocks.py); float tensors stay float32
  fp32  dequantize everything to float32 (the reference the quantized forms are tested against)
  fp16  dequantize everything, store float tensors as float16 (computed in float32)
  int8  8-bit blocks everywhere: Q8_0 kept, anything else requantized from its float32 values
  int4  4-bit blocks everywhere: Q4_0 / Q4_1 / Q4_K kept, anything else requantized

Bad input raises ConversionError with the message the command line prints (see convert_gguf.py).
"""
from __future__ import annotations

import os
import struct
import sys

import numpy as np
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFReader
from gguf.quants import dequantize

import quant_blocks
from families import FAMILIES, Family, supported
from llama_graph import LayerWeights, LlamaConfig, LlamaWeights, Matrix

PRECISIONS = ("auto", "fp32", "fp16", "int8", "int4")
FLOAT_TYPES = ("F32", "F16", "BF16")
EXACT_BLOCKS = (*quant_blocks.BLOCK_BYTES, *quant_blocks.K_QUANTS)
SUPPORTED_TYPES = (*FLOAT_TYPES, "Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q5_K", "Q6_K")


class ConversionError(Exception):
    """A GGUF the converter cannot convert; the message names the problem precisely."""


def progress(message: str) -> None:
    print(f"progress: {message}", file=sys.stderr, flush=True)


# GGUF metadata value types (gguf-py's GGUFValueType) -> struct format of a scalar.
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


def _explain_unreadable(path: str, size: int, error: Exception) -> str:
    """Why the gguf package could not read the file: walks the header and tensor table (the
    layout of the GGUF specification) to name the first tensor whose data lies past the end."""
    try:
        with open(path, "rb") as f:
            data = f.read(min(size, 1 << 30))
        pos = 4

        def take(fmt: str):
            nonlocal pos
            values = struct.unpack_from("<" + fmt, data, pos)
            pos += struct.calcsize("<" + fmt)
            return values[0]

        def string() -> str:
            nonlocal pos
            n = take("Q")
            if pos + n > len(data):
                raise struct.error("string past the end")
            pos += n
            return data[pos - n:pos].decode("utf-8", "replace")

        def skip_value(kind: int):
            if kind == _STRING:
                return string()
            if kind == _ARRAY:
                item, count = take("I"), take("Q")
                if item in _SCALARS:
                    nonlocal pos
                    pos += count * struct.calcsize(_SCALARS[item])
                    return None
                for _ in range(count):
                    skip_value(item)
                return None
            return take(_SCALARS[kind])

        take("I")  # version
        n_tensors, n_kv = take("Q"), take("Q")
        alignment = 32
        for _ in range(n_kv):
            key = string()
            value = skip_value(take("I"))
            if key == "general.alignment":
                alignment = int(value)
        infos = []
        for _ in range(n_tensors):
            name = string()
            dims = [take("Q") for _ in range(take("I"))]
            kind, offset = take("I"), take("Q")
            infos.append((name, dims, kind, offset))
        if pos > len(data):
            raise struct.error("tensor table past the end")
        start = (pos + alignment - 1) // alignment * alignment
        for name, dims, kind, offset in infos:
            block, block_bytes = GGML_QUANT_SIZES[GGMLQuantizationType(kind)]
            end = start + offset + int(np.prod(dims, dtype=np.int64)) // block * block_bytes
            if end > size:
                return f"truncated (tensor {name} ends at byte {end}, file has {size})"
    except (struct.error, ValueError, KeyError):
        return f"truncated or corrupt header (file has {size} bytes)"
    return f"corrupt ({type(error).__name__}: {error})"


class Gguf:
    def __init__(self, path: str):
        self.path = path
        try:
            with open(path, "rb") as f:
                magic = f.read(4)
        except OSError as e:
            raise ConversionError(f"cannot read ({e.strerror})") from None
        if magic != b"GGUF":
            raise ConversionError("not a GGUF file (bad magic)")
        size = os.path.getsize(path)
        try:
            self.reader = GGUFReader(path)
        except Exception as e:  # the gguf package fails on a file cut anywhere, without saying where
            raise ConversionError(_explain_unreadable(path, size, e)) from None
        for t in self.reader.tensors:
            end = int(t.data_offset) + int(t.n_bytes)
            if end > size:
                raise ConversionError(f"truncated (tensor {t.name} ends at byte {end}, file has {size})")
        self.tensors = {t.name: t for t in self.reader.tensors}

    def value(self, key: str, default=None):
        field = self.reader.fields.get(key)
        return default if field is None else field.contents()

    def weight(self, name: str) -> np.ndarray:
        """A tensor as float32 in numpy (row-major, PyTorch) order."""
        t = self.tensors[name]
        if t.tensor_type.name in ("F32", "F16"):
            data = np.asarray(t.data, dtype=np.float32)
        else:
            data = dequantize(t.data, t.tensor_type).astype(np.float32)
        return data.reshape([int(d) for d in reversed(t.shape)])

    def matrix(self, name: str, precision: str) -> Matrix:
        """A 2-D weight [out, in] in the form --precision asks for."""
        t = self.tensors[name]
        kind = t.tensor_type.name
        k, n = (int(d) for d in t.shape)
        keep = {"auto": EXACT_BLOCKS, "fp32": (), "fp16": (), "int8": (quant_blocks.Q8_0,),
                "int4": (quant_blocks.Q4_0, quant_blocks.Q4_1, quant_blocks.Q4_K)}[precision]
        if kind in keep:
            if kind in quant_blocks.K_QUANTS:
                return quant_blocks.from_k_quant(t.data, kind, n, k)
            return quant_blocks.from_ggml(t.data, kind, n, k)
        if precision in ("int8", "int4"):
            return quant_blocks.quantize(self.weight(name), bits=8 if precision == "int8" else 4)
        if precision == "fp16":
            return self.weight(name).astype(np.float16)
        return self.weight(name)


def check_supported(g: Gguf) -> Family:
    """Everything that makes a GGUF unconvertible, found before any work is done."""
    arch = g.value("general.architecture")
    if arch not in FAMILIES:
        raise ConversionError(f"architecture '{arch}' is not supported (supported: {supported()})")
    for t in g.reader.tensors:
        if t.tensor_type.name not in SUPPORTED_TYPES:
            raise ConversionError(f"quantization type {t.tensor_type.name} of tensor {t.name} is not supported "
                                  f"(supported: {', '.join(SUPPORTED_TYPES)})")
    if g.value("tokenizer.ggml.tokens") is None:
        raise ConversionError("no tokenizer (tokenizer.ggml.tokens missing)")
    model = g.value("tokenizer.ggml.model")
    if model not in ("gpt2", "llama"):
        raise ConversionError(f"tokenizer model '{model}' is not supported (supported: gpt2, llama)")
    return FAMILIES[arch]


# Control tokens llama.cpp treats as end of generation by their text, whatever the GGUF's keys
# say (llama-vocab.cpp): Llama 3's <|eot_id|> / <|eom_id|> / <|end_of_text|>, ChatML's <|im_end|>,
# Phi's <|end|>, Gemma's <end_of_turn>, GPT-2's <|endoftext|>.
EOG_TEXTS = ("<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
             "<|endoftext|>", "<EOT>")
TOKEN_CONTROL = 3


def end_tokens(g: Gguf) -> list[int]:
    """Every end-of-generation token: the GGUF's eos / eot / eom ids, then the control tokens
    llama.cpp recognises by text (Llama 3 Instruct stops at <|eot_id|> and <|eom_id|> as well)."""
    ids = []
    for key in ("eos", "eot", "eom"):
        idx = g.value(f"tokenizer.ggml.{key}_token_id")
        if idx is not None and int(idx) not in ids:
            ids.append(int(idx))
    tokens, types = g.value("tokenizer.ggml.tokens"), g.value("tokenizer.ggml.token_type")
    if types is not None:
        for text in EOG_TEXTS:
            idx = next((i for i, t in enumerate(tokens) if t == text), None)
            if idx is not None and types[idx] == TOKEN_CONTROL and idx not in ids:
                ids.append(idx)
    return ids


def split_rows(m: Matrix, sizes: list[int]) -> list[Matrix]:
    """A matrix stacked along its outputs, cut back into its parts (Phi 3's QKV and gate/up)."""
    if m.shape[0] != sum(sizes):
        raise ConversionError(f"stacked matrix has {m.shape[0]} rows, expected {' + '.join(map(str, sizes))}")
    starts = np.cumsum([0, *sizes])
    if isinstance(m, np.ndarray):
        return [m[a:b] for a, b in zip(starts[:-1], starts[1:])]
    return [m.rows(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]


def rope_scaling(g: Gguf, cfg: LlamaConfig, arch: str, max_length: int) -> None:
    """Llama 3's per-frequency factors (rope_freqs), and Phi 3's LongRoPE (rope_factors_long /
    _short): llama.cpp takes the long factors when its context exceeds the original context
    length, so the converted model does the same with its max_length (GenAI's context); the
    attention factor scales cos and sin as llama.cpp's attn_factor does."""
    half = (cfg.rotary_dim or cfg.head_size) // 2
    name = "rope_freqs.weight"
    if "rope_factors_long.weight" in g.tensors:
        original = g.value(f"{arch}.rope.scaling.original_context_length", cfg.context_length)
        name = "rope_factors_long.weight" if max_length > original else "rope_factors_short.weight"
        cfg.rope_attn_factor = float(g.value(f"{arch}.rope.scaling.attn_factor", 1.0))
    if name in g.tensors:
        factors = g.weight(name).reshape(-1)
        if factors.size != half:
            raise ConversionError(f"{name} has {factors.size} factors, expected {half}")
        cfg.rope_freq_factors = [float(f) for f in factors]


# llama.cpp's model sizes by layer count for Gemma 3 (llama_load_hparams_gemma3): the 27B scales
# attention scores by 1/sqrt(hidden / heads), every other size by 1/sqrt(head size).
GEMMA3_27B_LAYERS = 62
# llama.cpp's base for the rotary of Gemma 3's sliding-window layers (rope_freq_base_train_swa).
GEMMA3_LOCAL_ROPE_BASE = 10000.0


def gemma_hyperparameters(g: Gguf, cfg: LlamaConfig, family: Family) -> None:
    """Gemma 3's differences from Llama, as llama.cpp reads them: sliding window over all but
    every swa_pattern-th layer, the local rope base, linear rope scaling on the global layers
    only, the embedding scale, the attention scale, and the optional final logit soft-cap."""
    a = family.arch
    window = g.value(f"{a}.attention.sliding_window")
    if window:
        cfg.sliding_window = int(window)
        cfg.swa_layers = [i % family.swa_pattern < family.swa_pattern - 1 for i in range(cfg.num_layers)]
        cfg.local_rope_theta = float(g.value(f"{a}.rope.freq_base_swa", GEMMA3_LOCAL_ROPE_BASE))
    scaling = g.value(f"{a}.rope.scaling.type")
    factor = float(g.value(f"{a}.rope.scaling.factor", 1.0))
    if scaling == "linear" and factor != 1.0:
        half = (cfg.rotary_dim or cfg.head_size) // 2
        cfg.rope_freq_factors = [factor] * half
    elif scaling not in (None, "none", "linear"):
        raise ConversionError(f"rope scaling '{scaling}' is not supported for {a} (supported: linear)")
    cfg.embed_scale = float(np.sqrt(np.float32(cfg.hidden_size)))
    cfg.activation = "gelu_tanh"
    if cfg.num_layers == GEMMA3_27B_LAYERS:
        cfg.attention_scale = float((cfg.hidden_size // cfg.num_heads) ** -0.5)
    cap = g.value(f"{a}.final_logit_softcapping")
    if cap:
        cfg.final_logit_softcap = float(cap)


def read_model(g: Gguf, precision: str = "auto", max_length: int = 2048) -> tuple[LlamaConfig, LlamaWeights]:
    family = check_supported(g)
    a = family.arch

    def hp(key: str, default=None):
        value = g.value(f"{a}.{key}", default)
        if value is None:
            raise ConversionError(f"hyperparameter {a}.{key} missing")
        return value

    eos = end_tokens(g)
    if not eos:
        raise ConversionError("no end-of-sequence token (tokenizer.ggml.eos_token_id missing)")
    cfg = LlamaConfig(
        vocab_size=len(g.value("tokenizer.ggml.tokens")),
        hidden_size=hp("embedding_length"),
        intermediate_size=hp("feed_forward_length"),
        num_layers=hp("block_count"),
        num_heads=hp("attention.head_count"),
        num_kv_heads=hp("attention.head_count_kv", g.value(f"{a}.attention.head_count")),
        context_length=hp("context_length"),
        rope_theta=float(hp("rope.freq_base", 10000.0)),
        rms_norm_eps=float(hp("attention.layer_norm_rms_epsilon")),
        rotary_interleaved=family.rotary_interleaved,
        bos_token_id=g.value("tokenizer.ggml.bos_token_id", eos[0]),
        eos_token_ids=eos,
        pad_token_id=g.value("tokenizer.ggml.padding_token_id", eos[0]),
        model_type=family.model_type,
    )
    head_dim = g.value(f"{a}.attention.key_length")
    if head_dim is not None and int(head_dim) != cfg.head_size:
        cfg.head_dim = int(head_dim)
    rope_dim = g.value(f"{a}.rope.dimension_count")
    if rope_dim is not None and int(rope_dim) != cfg.head_size:
        cfg.rotary_dim = int(rope_dim)
    rope_scaling(g, cfg, a, max_length)
    if family.gemma:
        gemma_hyperparameters(g, cfg, family)
    matrices = [n for n in g.tensors if len(g.tensors[n].shape) == 2 and not n.startswith("rope_")]
    done = [0]

    def m(name: str) -> Matrix:
        if name not in g.tensors:
            raise ConversionError(f"tensor {name} missing")
        done[0] += 1
        progress(f"tensor {done[0]}/{len(matrices)} {name}")
        return g.matrix(name, precision)

    def vec(name: str) -> np.ndarray:
        if name not in g.tensors:
            raise ConversionError(f"tensor {name} missing")
        return g.weight(name)

    layers = []
    for i in range(cfg.num_layers):
        b = f"blk.{i}."
        if family.fused_qkv_gate_up and b + "attn_qkv.weight" in g.tensors:
            kv = cfg.num_kv_heads * cfg.head_size
            q, k, v = split_rows(m(b + "attn_qkv.weight"), [cfg.num_heads * cfg.head_size, kv, kv])
        else:
            q, k, v = m(b + "attn_q.weight"), m(b + "attn_k.weight"), m(b + "attn_v.weight")
        if family.fused_qkv_gate_up and b + "ffn_gate.weight" not in g.tensors:
            gate, up = split_rows(m(b + "ffn_up.weight"), [cfg.intermediate_size, cfg.intermediate_size])
        else:
            gate, up = m(b + "ffn_gate.weight"), m(b + "ffn_up.weight")
        layer = LayerWeights(
            attn_norm=vec(b + "attn_norm.weight"), q=q, k=k, v=v,
            o=m(b + "attn_output.weight"), ffn_norm=vec(b + "ffn_norm.weight"),
            gate=gate, up=up, down=m(b + "ffn_down.weight"))
        if family.qkv_bias:
            layer.q_bias, layer.k_bias, layer.v_bias = (vec(b + f"attn_{x}.bias") for x in "qkv")
        if family.gemma:
            layer.q_norm, layer.k_norm = vec(b + "attn_q_norm.weight"), vec(b + "attn_k_norm.weight")
            layer.post_attn_norm = vec(b + "post_attention_norm.weight")
            layer.post_ffn_norm = vec(b + "post_ffw_norm.weight")
        layers.append(layer)
    lm_head = m("output.weight") if "output.weight" in g.tensors else None
    weights = LlamaWeights(embed=m("token_embd.weight"), layers=layers,
                           final_norm=vec("output_norm.weight"), lm_head=lm_head)
    return cfg, weights
