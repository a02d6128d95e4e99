"""Carries a GGUF's GPT-2 style BPE vocabulary, merges, special tokens and chat template over
into a Hugging Face tokenizer.json / tokenizer_config.json pair, which GenAI's tokenizer reads."""
from __future__ import annotations

import json
import os

from gguf_model import ConversionError, Gguf
from llama_graph import LlamaConfig

# GGUF token types (llama.cpp's llama_token_type).
TOKEN_CONTROL = 3
TOKEN_USER_DEFINED = 4

# llama.cpp's pre-tokenizer regexes (tokenizer.ggml.pre), as Hugging Face Split pre-tokenizers.
# Llama 3 groups digits in threes, Qwen 2 splits every digit.
_LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                 r"\s*[\r\n]+|\s+(?!\S)|\s+")
# Phi-4-mini's (OpenAI's o200k): cased words with their contractions, digits in threes.
_GPT4O_SPLIT = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
                r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
                r"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
_QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                r"\s*[\r\n]+|\s+(?!\S)|\s+")


def _byte_level(use_regex: bool) -> dict:
    return {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": use_regex}


def _split(regex: str) -> dict:
    return {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": False}


PRE_TOKENIZERS = {
    "default": [_byte_level(True)],
    "gpt-2": [_byte_level(True)],
    "smollm": [{"type": "Digits", "individual_digits": True}, _byte_level(True)],
    "llama-bpe": [_split(_LLAMA3_SPLIT), _byte_level(False)],
    "qwen2": [_split(_QWEN2_SPLIT), _byte_level(False)],
    "gpt-4o": [_split(_GPT4O_SPLIT), _byte_level(False)],
}


TOKEN_NORMAL = 1


def spm_merges(tokens: list[str], types: list[int], scores: list[float]) -> list[str]:
    """BPE merges equivalent to a SentencePiece BPE vocabulary, which has scores instead: every
    split of a normal piece into two normal pieces is a merge, ranked by the merged piece's score
    (llama.cpp's SPM tokenizer merges the best-scoring pair first), then by the parts' ids."""
    ids = {t: i for i, t in enumerate(tokens) if types[i] == TOKEN_NORMAL}
    ranked = []
    for piece, i in ids.items():
        for cut in range(1, len(piece)):
            a, b = piece[:cut], piece[cut:]
            if a in ids and b in ids:
                ranked.append((-scores[i], ids[a], ids[b], f"{a} {b}"))
    ranked.sort()
    return [m[3] for m in ranked]


def _spm_parts(g: Gguf, tokens: list[str], types: list[int], add_bos: bool) -> dict:
    """A GGUF `llama` (SentencePiece) vocabulary as Hugging Face's Llama tokenizer.json writes it:
    BPE with byte fallback, a leading-space normalizer (llama.cpp's add_space_prefix)."""
    scores = g.value("tokenizer.ggml.scores")
    if scores is None:
        raise ConversionError("no tokenizer scores (tokenizer.ggml.scores missing)")
    unk = g.value("tokenizer.ggml.unknown_token_id")
    normalizers = [{"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]
    space_prefix = bool(g.value("tokenizer.ggml.add_space_prefix", True))
    decoders = [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"},
                {"type": "Fuse"}]
    if space_prefix:  # the space it adds is taken off again when decoding; Gemma adds none
        normalizers.insert(0, {"type": "Prepend", "prepend": "\u2581"})
        decoders.append({"type": "Strip", "content": " ", "start": 1, "stop": 0})
    bos = g.value("tokenizer.ggml.bos_token_id")
    post = None
    if add_bos and bos is not None:
        post = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": tokens[bos], "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": tokens[bos], "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": tokens[bos], "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {tokens[bos]: {"id": tokens[bos], "ids": [bos], "tokens": [tokens[bos]]}}}
    return {
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": None,
        "post_processor": post,
        "decoder": {"type": "Sequence", "decoders": decoders},
        "model": {"type": "BPE", "dropout": None, "unk_token": None if unk is None else tokens[unk],
                  "continuing_subword_prefix": None, "end_of_word_suffix": None, "fuse_unk": True,
                  "byte_fallback": True, "vocab": {tok: i for i, tok in enumerate(tokens)},
                  "merges": spm_merges(tokens, types, scores)},
        "class": "LlamaTokenizer" if space_prefix else "GemmaTokenizer",
    }


def _bpe_parts(g: Gguf, tokens: list[str]) -> dict:
    """A GGUF `gpt2` (byte-level BPE) vocabulary, with llama.cpp's pre-tokenizer regex."""
    pre_name = g.value("tokenizer.ggml.pre", "default")
    if pre_name not in PRE_TOKENIZERS:
        raise ConversionError(f"tokenizer pre-tokenizer '{pre_name}' is not supported "
                              f"(supported: {', '.join(sorted(PRE_TOKENIZERS))})")
    merges = g.value("tokenizer.ggml.merges")
    if merges is None:
        raise ConversionError("no tokenizer merges (tokenizer.ggml.merges missing)")
    return {
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": PRE_TOKENIZERS[pre_name]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": {tok: i for i, tok in enumerate(tokens)}, "merges": list(merges)},
        "class": "GPT2Tokenizer",
    }


def adds_bos(g: Gguf) -> bool:
    """Whether llama.cpp puts the BOS before a prompt it tokenizes (SentencePiece vocabularies
    do unless the GGUF says otherwise)."""
    return bool(g.value("tokenizer.ggml.add_bos_token", g.value("tokenizer.ggml.model") == "llama"))


def write_tokenizer(g: Gguf, cfg: LlamaConfig, out_dir: str) -> None:
    tokens = g.value("tokenizer.ggml.tokens")
    types = g.value("tokenizer.ggml.token_type")
    add_bos = adds_bos(g)
    spm = g.value("tokenizer.ggml.model") == "llama"
    if spm:
        parts = _spm_parts(g, tokens, types, add_bos)
    else:
        parts = _bpe_parts(g, tokens)
    # llama.cpp gives Phi 3's special tokens RSTRIP (whitespace after them is dropped), except
    # <unk>, <s> and <|endoftext|>, as Phi 3's Hugging Face tokenizer does (llama-vocab.cpp).
    rstrip_special = g.value("general.architecture") == "phi3"
    keep_space = ("<unk>", "<s>", "<|endoftext|>")

    def added_text(tok: str, kind: int) -> str:
        """llama.cpp matches a SentencePiece vocabulary's user-defined pieces in the raw text with
        their "▁" read as spaces (Gemma's whitespace runs "▁▁" ... are user-defined: "  x" is
        "▁▁" + "x", not "▁" + "▁x"), so the added token is written with spaces."""
        return tok.replace("\u2581", " ") if spm and kind == TOKEN_USER_DEFINED else tok

    added = [{"id": i, "content": added_text(tok, types[i]), "single_word": False, "lstrip": False,
              "rstrip": rstrip_special and types[i] == TOKEN_CONTROL and tok not in keep_space,
              "normalized": False, "special": types[i] == TOKEN_CONTROL}
             for i, tok in enumerate(tokens) if types[i] in (TOKEN_CONTROL, TOKEN_USER_DEFINED)]
    tokenizer = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
                 **{k: v for k, v in parts.items() if k != "class"}}
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)

    def token(key: str) -> str | None:
        idx = g.value(key)
        return None if idx is None else tokens[idx]

    config = {
        "add_bos_token": add_bos,
        "add_prefix_space": False,
        "added_tokens_decoder": {str(t["id"]): {k: v for k, v in t.items() if k != "id"} for t in added},
        "additional_special_tokens": [t["content"] for t in added if t["special"]],
        "bos_token": token("tokenizer.ggml.bos_token_id"),
        "eos_token": token("tokenizer.ggml.eos_token_id"),
        "pad_token": token("tokenizer.ggml.padding_token_id"),
        "unk_token": token("tokenizer.ggml.unknown_token_id"),
        "clean_up_tokenization_spaces": False,
        "model_max_length": cfg.context_length,
        "tokenizer_class": parts["class"],
        "vocab_size": len(tokens),
    }
    template = g.value("tokenizer.chat_template")
    if template and add_bos and "bos_token" not in template:
        # llama.cpp tokenizes a rendered chat with the GGUF's BOS added; GenAI encodes the rendering
        # as it is, so the BOS goes into the template (Phi-3's writes none; Llama's and Gemma's do).
        template = "{{ bos_token }}" + template
    if template:
        config["chat_template"] = template
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")
