"""The converter's contract with the host (convert_gguf.py's docstring): --version, progress lines,
and for each kind of bad GGUF exit status 2 with one `error: ` line naming the problem; the
output directory is left alone when it is not empty."""
import json
import os
import subprocess
import sys

import numpy as np
from gguf import GGMLQuantizationType, GGUFWriter
from gguf.quants import quantize

CONVERTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "convert_gguf.py")
HIDDEN, FFN, VOCAB = 64, 128, 256


def write_gguf(path: str, arch: str = "llama", qtype: GGMLQuantizationType = GGMLQuantizationType.Q8_0,
               tokenizer: bool = True, tokenizer_model: str = "gpt2") -> None:
    """A one-layer model with every tensor the llama family needs, its matrices in qtype."""
    rng = np.random.default_rng(5)
    w = GGUFWriter(path, arch)
    w.add_block_count(1)
    w.add_context_length(64)
    w.add_embedding_length(HIDDEN)
    w.add_feed_forward_length(FFN)
    w.add_head_count(4)
    w.add_head_count_kv(4)
    w.add_layer_norm_rms_eps(1e-5)
    if tokenizer:
        w.add_tokenizer_model(tokenizer_model)
        w.add_token_list([f"<t{i}>" for i in range(VOCAB)])
        w.add_token_types([3 if i < 2 else 1 for i in range(VOCAB)])
        w.add_token_merges(["<t 1"])
        w.add_bos_token_id(0)
        w.add_eos_token_id(1)

    def matrix(name: str, n: int, k: int) -> None:
        w.add_tensor(name, quantize((rng.standard_normal((n, k)) * 0.1).astype(np.float32), qtype), raw_dtype=qtype)

    matrix("token_embd.weight", VOCAB, HIDDEN)
    for name, n, k in [("attn_q", HIDDEN, HIDDEN), ("attn_k", HIDDEN, HIDDEN), ("attn_v", HIDDEN, HIDDEN),
                       ("attn_output", HIDDEN, HIDDEN), ("ffn_gate", FFN, HIDDEN), ("ffn_up", FFN, HIDDEN),
                       ("ffn_down", HIDDEN, FFN)]:
        matrix(f"blk.0.{name}.weight", n, k)
    for name in ("blk.0.attn_norm.weight", "blk.0.ffn_norm.weight", "output_norm.weight"):
        w.add_tensor(name, np.ones(HIDDEN, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def convert(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, CONVERTER, *args], capture_output=True, text=True)


def assert_error(r: subprocess.CompletedProcess, gguf: str, message: str) -> None:
    errors = [line for line in r.stderr.splitlines() if line.startswith("error: ")]
    assert r.returncode == 2, r.stderr
    assert errors == [f"error: {gguf}: {message}"], r.stderr
    assert "Traceback" not in r.stderr


def test_version_is_one_line():
    r = convert("--version")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 1 and r.stdout.strip()
    import convert_gguf
    assert r.stdout.strip() == convert_gguf.CONVERTER_VERSION


def test_good_gguf_converts_with_progress(tmp_path):
    gguf, out = str(tmp_path / "m.gguf"), str(tmp_path / "out")
    write_gguf(gguf)
    r = convert(gguf, out)
    assert r.returncode == 0, r.stderr
    progress = [line for line in r.stderr.splitlines() if line.startswith("progress: ")]
    assert "progress: tensor 1/8 blk.0.attn_q.weight" in progress and "progress: writing model.onnx" in progress
    assert sorted(os.listdir(out)) == ["converted_from_gguf.json", "genai_config.json", "model.onnx",
                                       "model.onnx.data", "tokenizer.json", "tokenizer_config.json"]
    with open(os.path.join(out, "converted_from_gguf.json")) as f:
        provenance = json.load(f)
    # A byte-level BPE GGUF that does not ask for a BOS: raw prompts get none.
    assert provenance["architecture"] == "llama" and provenance["raw_prompt_bos"] is None


def test_empty_output_directory_is_used(tmp_path):
    gguf, out = str(tmp_path / "m.gguf"), tmp_path / "out"
    write_gguf(gguf)
    out.mkdir()
    assert convert(gguf, str(out)).returncode == 0
    assert (out / "genai_config.json").is_file()


def test_not_a_gguf(tmp_path):
    path = tmp_path / "notes.gguf"
    path.write_text("hello, I am text\n")
    assert_error(convert(str(path), str(tmp_path / "out")), str(path), "not a GGUF file (bad magic)")
    assert not (tmp_path / "out").exists()


def test_missing_file(tmp_path):
    path = str(tmp_path / "nothing.gguf")
    assert_error(convert(path, str(tmp_path / "out")), path, "cannot read (No such file or directory)")


def test_truncated_names_the_tensor_and_sizes(tmp_path):
    path = tmp_path / "m.gguf"
    write_gguf(str(path))
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 100])
    r = convert(str(path), str(tmp_path / "out"))
    # output_norm.weight is the last tensor written; it ends at the old end of the file.
    assert_error(r, str(path), f"truncated (tensor output_norm.weight ends at byte {len(data)}, "
                               f"file has {len(data) - 100})")


def test_truncated_header(tmp_path):
    path = tmp_path / "m.gguf"
    write_gguf(str(path))
    path.write_bytes(path.read_bytes()[:200])
    r = convert(str(path), str(tmp_path / "out"))
    assert r.returncode == 2 and r.stderr.startswith(f"error: {path}: truncated or corrupt header"), r.stderr


def test_unsupported_architecture_lists_the_supported(tmp_path):
    path = str(tmp_path / "m.gguf")
    write_gguf(path, arch="mamba")
    assert_error(convert(path, str(tmp_path / "out")), path,
                 "architecture 'mamba' is not supported (supported: gemma3, llama, phi3, qwen2)")


def test_unsupported_quantization_type_names_tensor_and_type(tmp_path):
    path = str(tmp_path / "m.gguf")
    write_gguf(path, qtype=GGMLQuantizationType.Q5_0)
    assert_error(convert(path, str(tmp_path / "out")), path,
                 "quantization type Q5_0 of tensor token_embd.weight is not supported "
                 "(supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K)")


def test_no_tokenizer(tmp_path):
    path = str(tmp_path / "m.gguf")
    write_gguf(path, tokenizer=False)
    assert_error(convert(path, str(tmp_path / "out")), path, "no tokenizer (tokenizer.ggml.tokens missing)")


def test_non_empty_output_directory_is_refused_and_kept(tmp_path):
    gguf, out = str(tmp_path / "m.gguf"), tmp_path / "out"
    write_gguf(gguf)
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = convert(gguf, str(out))
    assert r.returncode == 2 and r.stderr.startswith(f"error: {out}: output directory exists and is not empty")
    assert os.listdir(out) == ["keep.txt"]


def test_unsupported_tokenizer_model_is_refused_by_name(tmp_path):
    path = str(tmp_path / "m.gguf")
    write_gguf(path, tokenizer_model="bert")
    assert_error(convert(path, str(tmp_path / "out")), path,
                 "tokenizer model 'bert' is not supported (supported: gpt2, llama)")
