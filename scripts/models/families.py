"""The GGUF architectures the converter knows, and what differs between them.

Each family names its llama.cpp GGUF architecture (the `general.architecture` value and the
prefix of its hyperparameter keys), the GenAI 0.18 model type it becomes, and the structural
differences from Llama that llama_graph.py has to express. Adding a family means adding an entry
here and, where it has tensors Llama lacks, reading them in gguf_model.read_model.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    arch: str              # general.architecture in the GGUF
    model_type: str        # GenAI's model.type
    # llama.cpp's rope type for the architecture: LLAMA_ROPE_TYPE_NORM rotates adjacent pairs, and
    # llama.cpp's HF converter permutes Q/K rows for it, so GQA's interleaved mode reproduces it
    # on the GGUF's rows as they are; LLAMA_ROPE_TYPE_NEOX rotates the two halves of each head
    # (GQA's default) on unpermuted rows.
    rotary_interleaved: bool
    qkv_bias: bool = False  # attn_q/k/v.bias tensors (Qwen 2)
    # Phi 3: Q/K/V stacked in one attn_qkv tensor and gate/up in one ffn_up tensor (gate first),
    # rotary on the first rope.dimension_count values of each head, LongRoPE factors.
    fused_qkv_gate_up: bool = False
    # Gemma 3: embedding times sqrt(hidden), RMSNorm of Q/K heads (attn_q_norm / attn_k_norm),
    # RMSNorm of attention and MLP outputs (post_attention_norm / post_ffw_norm), GELU-tanh gated
    # MLP, and interleaved sliding-window layers (every swa_pattern-th layer global, the others
    # local with their own rope base), as llama.cpp's llm_build_gemma3. GGUF norm weights already
    # include Gemma's +1 (llama.cpp's converter adds it), so they multiply as they are.
    gemma: bool = False
    swa_pattern: int = 0


FAMILIES = {
    "llama": Family("llama", "llama", rotary_interleaved=True),
    "qwen2": Family("qwen2", "qwen2", rotary_interleaved=False, qkv_bias=True),
    "phi3": Family("phi3", "phi3", rotary_interleaved=False, fused_qkv_gate_up=True),
    "gemma3": Family("gemma3", "gemma3_text", rotary_interleaved=False, gemma=True, swa_pattern=6),
}


def supported() -> str:
    return ", ".join(sorted(FAMILIES))
