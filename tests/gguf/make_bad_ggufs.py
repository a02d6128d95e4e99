"""Writes the GGUF files the converter must reject, each with the error it must name:

    make_bad_ggufs.py OUT_DIR

  not_gguf.gguf       text, not a GGUF                 -> not a GGUF file (bad magic)
  truncated.gguf      a llama GGUF cut inside a tensor -> truncated (tensor token_embd.weight ...)
  mamba.gguf          architecture 'mamba'             -> architecture 'mamba' is not supported
  no_tokenizer.gguf   a llama GGUF without vocabulary  -> no tokenizer (tokenizer.ggml.tokens missing)

Written with the `gguf` package's own writer (llama.cpp's), so they are real GGUF files.
"""
import os
import sys

import numpy as np
from gguf import GGUFWriter


def write(path: str, arch: str, tokens: bool, embd_rows: int = 64) -> None:
    w = GGUFWriter(path, arch)
    w.add_block_count(1)
    w.add_context_length(64)
    w.add_embedding_length(16)
    if tokens:
        w.add_tokenizer_model("gpt2")
        w.add_token_list([f"t{i}" for i in range(embd_rows)])
    w.add_tensor("token_embd.weight", np.random.default_rng(0).standard_normal((embd_rows, 16), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "not_gguf.gguf"), "w") as f:
        f.write("this is a text file, not a GGUF model\n")
    write(os.path.join(out, "mamba.gguf"), "mamba", tokens=True)
    write(os.path.join(out, "no_tokenizer.gguf"), "llama", tokens=False)
    full = os.path.join(out, "truncated.full")
    write(full, "llama", tokens=True, embd_rows=4096)
    data = open(full, "rb").read()
    os.remove(full)
    with open(os.path.join(out, "truncated.gguf"), "wb") as f:
        f.write(data[: len(data) // 2])  # the tensor data is nearly all of the file


if __name__ == "__main__":
    main()
