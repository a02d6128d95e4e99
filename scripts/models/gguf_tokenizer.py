"""Carries a GGUF's GPT-2 style BPE vocabulary, merges, special tokens and chat template over
into a Hugging Face tokenizer.json / tokenizer_config.json pair, which GenAI's tokenizer reads."""
from __future__ import annotations

import json
import os
import sys

from gguf_model import Gguf
from llama_graph import LlamaConfig

# GGUF token types (llama.cpp's llama_token_type).
TOKEN_CONTROL = 3
TOKEN_USER_DEFINED = 4


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
