"""The converter end to end on a small random Llama written as a GGUF file (Q4_1 projections,
Q8_0 tied embedding, like SmolLM2's): --precision auto and --precision fp32 give models whose
ONNX Runtime logits agree, and auto's graph carries the quantized operators."""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from gguf import GGMLQuantizationType, GGUFWriter
from gguf.quants import quantize

CONVERTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "convert_gguf.py")
HIDDEN, FFN, LAYERS, HEADS, KV_HEADS, CONTEXT = 64, 128, 2, 4, 2, 128


def write_gguf(path: str) -> None:
    rng = np.random.default_rng(3)
    tokens = [f"<t{i}>" for i in range(256)]
    w = GGUFWriter(path, "llama")
    w.add_block_count(LAYERS)
    w.add_context_length(CONTEXT)
    w.add_embedding_length(HIDDEN)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("gpt2")
    w.add_token_list(tokens)
    w.add_token_types([3 if i < 2 else 1 for i in range(256)])
    w.add_token_merges(["<t 1"])
    w.add_bos_token_id(0)
    w.add_eos_token_id(1)

    def matrix(name: str, n: int, k: int, qtype: GGMLQuantizationType) -> None:
        data = (rng.standard_normal((n, k)) * k ** -0.5).astype(np.float32)
        w.add_tensor(name, quantize(data, qtype), raw_dtype=qtype)

    def vector(name: str) -> None:
        w.add_tensor(name, (1 + 0.1 * rng.standard_normal(HIDDEN)).astype(np.float32))

    matrix("token_embd.weight", 256, HIDDEN, GGMLQuantizationType.Q8_0)
    kv = KV_HEADS * HIDDEN // HEADS
    for i in range(LAYERS):
        b = f"blk.{i}."
        vector(b + "attn_norm.weight")
        vector(b + "ffn_norm.weight")
        for name, n, k in [("attn_q", HIDDEN, HIDDEN), ("attn_k", kv, HIDDEN), ("attn_v", kv, HIDDEN),
                           ("attn_output", HIDDEN, HIDDEN), ("ffn_gate", FFN, HIDDEN), ("ffn_up", FFN, HIDDEN),
                           ("ffn_down", HIDDEN, FFN)]:
            matrix(b + name + ".weight", n, k, GGMLQuantizationType.Q4_1)
    vector("output_norm.weight")
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def convert(gguf: str, out: str, *flags: str) -> None:
    subprocess.run([sys.executable, CONVERTER, gguf, out, *flags], check=True, capture_output=True)


def logits(model_dir: str, ids: list[int]) -> np.ndarray:
    with open(os.path.join(model_dir, "genai_config.json")) as f:
        dec = json.load(f)["model"]["decoder"]
    s = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
    empty = np.zeros((1, dec["num_key_value_heads"], 0, dec["head_size"]), dtype=np.float32)
    for i in range(dec["num_hidden_layers"]):
        feeds[f"past_key_values.{i}.key"] = feeds[f"past_key_values.{i}.value"] = empty
    return s.run(["logits"], feeds)[0]


def test_auto_and_fp32_conversions_agree(tmp_path):
    gguf = str(tmp_path / "small.gguf")
    write_gguf(gguf)
    convert(gguf, str(tmp_path / "fp32"), "--precision", "fp32")
    convert(gguf, str(tmp_path / "auto"), "--accuracy-level", "0")   # float32 activations: exact
    convert(gguf, str(tmp_path / "auto4"))                           # the default, int8 activations
    ops = {n.op_type for n in onnx.load(str(tmp_path / "auto" / "model.onnx"), load_external_data=False).graph.node}
    assert {"MatMulNBits", "GatherBlockQuantized"} <= ops and "Transpose" not in ops
    ids = [0, 5, 200, 17, 17, 99, 255, 31]
    expected = logits(str(tmp_path / "fp32"), ids)
    np.testing.assert_allclose(logits(str(tmp_path / "auto"), ids), expected, rtol=0,
                               atol=2e-5 * np.abs(expected).max())
    assert np.abs(logits(str(tmp_path / "auto4"), ids) - expected).max() < 0.05 * np.abs(expected).max()
    for d in ("fp32", "auto"):
        assert os.path.isfile(tmp_path / d / "tokenizer.json")
        assert not os.path.exists(tmp_path / (d + ".partial"))


def test_fp16_stores_float16_weights_and_stays_close(tmp_path):
    gguf = str(tmp_path / "small.gguf")
    write_gguf(gguf)
    convert(gguf, str(tmp_path / "fp32"), "--precision", "fp32")
    convert(gguf, str(tmp_path / "fp16"), "--precision", "fp16")
    model = onnx.load(str(tmp_path / "fp16" / "model.onnx"))
    dtypes = {i.name: i.data_type for i in model.graph.initializer}
    assert dtypes["embed_tokens.weight.fp16"] == onnx.TensorProto.FLOAT16
    assert dtypes["layers.0.q_proj.weight_t.fp16"] == onnx.TensorProto.FLOAT16
    ids = [0, 5, 200, 17, 17, 99, 255, 31]
    expected = logits(str(tmp_path / "fp32"), ids)
    # float16 keeps 11 significant bits: relative weight error <= 2^-11 (the Q8_0/Q4_1 values round).
    assert np.abs(logits(str(tmp_path / "fp16"), ids) - expected).max() < 0.01 * np.abs(expected).max()


def test_hidden_states_output_is_the_final_normed_state(tmp_path):
    """logits = hidden_states @ embedding^T for this tied model, computed here with numpy."""
    gguf = str(tmp_path / "small.gguf")
    write_gguf(gguf)
    convert(gguf, str(tmp_path / "fp32"), "--precision", "fp32")
    model_dir = str(tmp_path / "fp32")
    with open(os.path.join(model_dir, "genai_config.json")) as f:
        dec = json.load(f)["model"]["decoder"]
    s = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    ids = [0, 5, 200, 17]
    feeds = {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
    empty = np.zeros((1, dec["num_key_value_heads"], 0, dec["head_size"]), dtype=np.float32)
    for i in range(dec["num_hidden_layers"]):
        feeds[f"past_key_values.{i}.key"] = feeds[f"past_key_values.{i}.value"] = empty
    out_logits, hidden = s.run(["logits", "hidden_states"], feeds)
    assert hidden.shape == (1, len(ids), HIDDEN)
    from gguf import GGUFReader
    from gguf.quants import dequantize
    t = next(t for t in GGUFReader(gguf).tensors if t.name == "token_embd.weight")
    embed = dequantize(t.data, t.tensor_type).reshape(256, HIDDEN)
    np.testing.assert_allclose(out_logits, hidden @ embed.T, rtol=0, atol=1e-4 * np.abs(out_logits).max())
