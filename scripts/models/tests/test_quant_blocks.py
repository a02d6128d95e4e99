"""The GGUF block mappings: our MatMulNBits packing dequantizes to exactly what the `gguf`
package's own dequantizer gives for the same blocks, and ONNX Runtime's MatMulNBits and
GatherBlockQuantized compute with those packings what numpy computes with the dequantized
weights."""
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from gguf import GGMLQuantizationType
from gguf.quants import dequantize as gguf_dequantize
from gguf.quants import quantize as gguf_quantize
from onnx import TensorProto, helper

import quant_blocks
from llama_graph import MS_DOMAIN, GraphBuilder

GGUF_TYPES = ["Q4_0", "Q4_1", "Q8_0"]


def random_weights(n: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, k)).astype(np.float32) * 0.05
    w[0, :32] = 0.0                        # an all-zero block (scale 0)
    w[1, :32] = 0.125                      # a constant block (Q4_1: d = 0, m != 0)
    w[2, 32:64] = np.linspace(3, 4, 32)    # all positive: Q4_1's m > 0
    w[3] *= 300.0                          # large magnitudes in one row
    return w


def ggml_blocks(w: np.ndarray, type_name: str) -> tuple[np.ndarray, np.ndarray]:
    """Quantizes with the gguf package: (raw GGUF bytes, gguf's dequantization of them)."""
    qtype = GGMLQuantizationType[type_name]
    raw = gguf_quantize(w, qtype)
    return raw, gguf_dequantize(raw, qtype).reshape(w.shape).astype(np.float32)


@pytest.mark.parametrize("type_name", GGUF_TYPES)
def test_packing_dequantizes_like_gguf(type_name):
    w = random_weights(24, 256, seed=1)
    raw, expected = ggml_blocks(w, type_name)
    q = quant_blocks.from_ggml(raw, type_name, *w.shape)
    got = q.dequantize()
    if type_name == "Q4_1":  # (q - 8) * d + (m + 8d): float32 rounding of the regrouped sum only
        np.testing.assert_allclose(got, expected, rtol=0, atol=2e-7 * np.abs(expected).max())
    else:
        np.testing.assert_array_equal(got, expected)
    assert q.bits == (8 if type_name == "Q8_0" else 4) and q.block_size == 32
    assert (q.offsets is not None) == (type_name == "Q4_1")


def test_q4_1_zero_scale_block_is_its_minimum():
    w = random_weights(4, 64, seed=2)
    raw, expected = ggml_blocks(w, "Q4_1")
    q = quant_blocks.from_ggml(raw, "Q4_1", 4, 64)
    assert q.scales[1, 0] == 0.0
    np.testing.assert_array_equal(q.dequantize()[1, :32], expected[1, :32])


def test_wrong_byte_count_is_rejected():
    raw, _ = ggml_blocks(random_weights(4, 64, seed=3), "Q8_0")
    with pytest.raises(ValueError):
        quant_blocks.from_ggml(raw[:-1], "Q8_0", 4, 64)
    with pytest.raises(ValueError):
        quant_blocks.from_ggml(raw, "Q5_K", 4, 64)


@pytest.mark.parametrize("bits", [4, 8])
def test_requantize_error_is_within_half_a_step(bits):
    w = random_weights(16, 128, seed=4)
    q = quant_blocks.quantize(w, bits)
    err = np.abs(q.dequantize() - w).reshape(16, 4, 32)
    step = np.abs(q.scales)[..., None]
    # Round to nearest: half a step, except the one clipped code at the far end (one step).
    assert np.all(err <= step * 1.0 + 1e-7)
    assert np.mean(err <= step * 0.5 + 1e-7) > 0.99


def test_concat_rows_stacks_outputs():
    ws = [random_weights(n, 64, seed=n) for n in (8, 4, 4)]
    parts = [quant_blocks.from_ggml(ggml_blocks(w, "Q4_1")[0], "Q4_1", *w.shape) for w in ws]
    stacked = parts[0].concat_rows(parts[1:])
    np.testing.assert_array_equal(stacked.dequantize(), np.concatenate([p.dequantize() for p in parts]))


def session(builder: GraphBuilder, inputs, outputs) -> ort.InferenceSession:
    graph = helper.make_graph(builder.nodes, "test", inputs, outputs, builder.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid(MS_DOMAIN, 1)])
    model.ir_version = 10
    onnx.checker.check_model(model)
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def run_linear(q: quant_blocks.BlockQuantized, x: np.ndarray, accuracy_level: int) -> np.ndarray:
    b = GraphBuilder(accuracy_level)
    b.quantized_linear("x", q, "proj", out="y")
    n, k = q.shape
    s = session(b, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "s", k])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "s", n])])
    return s.run(["y"], {"x": x})[0]


@pytest.mark.parametrize("type_name", GGUF_TYPES)
def test_matmulnbits_equals_numpy_matmul(type_name):
    """accuracy_level 0 (float32 activations): equal up to float32 summation order."""
    w = random_weights(48, 256, seed=5)
    q = quant_blocks.from_ggml(ggml_blocks(w, type_name)[0], type_name, *w.shape)
    x = np.random.default_rng(6).standard_normal((1, 3, 256)).astype(np.float32)
    expected = x.astype(np.float64) @ q.dequantize().T.astype(np.float64)
    got = run_linear(q, x, accuracy_level=0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("type_name", GGUF_TYPES)
def test_matmulnbits_int8_activations_stay_close(type_name):
    """accuracy_level 4 quantizes x per 32-value block to int8 (as llama.cpp's Q8 activations
    do): each block's error is at most half a step, |x|max / 254, so the output error is bounded
    by sum over blocks of max|x_b| / 254 * sum|w_b|."""
    w = random_weights(48, 256, seed=7)
    q = quant_blocks.from_ggml(ggml_blocks(w, type_name)[0], type_name, *w.shape)
    x = np.random.default_rng(8).standard_normal((1, 2, 256)).astype(np.float32)
    wd = q.dequantize().astype(np.float64)
    expected = x.astype(np.float64) @ wd.T
    xb = np.abs(x).reshape(1, 2, 8, 32).max(-1)                    # [1, 2, blocks]
    wb = np.abs(wd).reshape(48, 8, 32).sum(-1)                     # [N, blocks]
    bound = (xb / 254.0) @ wb.T * 1.01 + 1e-5
    got = run_linear(q, x, accuracy_level=4)
    assert np.all(np.abs(got - expected) <= bound)


@pytest.mark.parametrize("type_name", GGUF_TYPES)
def test_gather_block_quantized_returns_dequantized_rows(type_name):
    w = random_weights(40, 128, seed=9)
    q = quant_blocks.from_ggml(ggml_blocks(w, type_name)[0], type_name, *w.shape)
    b = GraphBuilder()
    b.embedding(q, "ids", "rows")
    s = session(b, [helper.make_tensor_value_info("ids", TensorProto.INT64, ["b", "s"])],
                [helper.make_tensor_value_info("rows", TensorProto.FLOAT, ["b", "s", 128])])
    ids = np.array([[0, 1, 39, 3, 2]], dtype=np.int64)
    got = s.run(["rows"], {"ids": ids})[0]
    np.testing.assert_allclose(got, q.dequantize()[ids], rtol=0, atol=1e-7 * np.abs(w).max())


# K-quants: blocks from llama.cpp's own quantizer (ggml_quantize_chunk in PyPI xllamacpp's
# library; the gguf package cannot quantize them), read back by the gguf package's dequantizer.
K_TYPES = ["Q4_K", "Q5_K", "Q6_K"]


def k_blocks(w: np.ndarray, type_name: str) -> tuple[np.ndarray, np.ndarray]:
    from make_tiny_gguf import llamacpp_quantize
    qtype = GGMLQuantizationType[type_name]
    raw = llamacpp_quantize(w, qtype)
    return raw, gguf_dequantize(raw, qtype).reshape(w.shape).astype(np.float32)


@pytest.mark.parametrize("type_name", K_TYPES)
def test_k_quant_mapping_dequantizes_like_gguf(type_name):
    w = random_weights(24, 512, seed=11)
    raw, expected = k_blocks(w, type_name)
    q = quant_blocks.from_k_quant(raw, type_name, *w.shape)
    # Q4_K / Q5_K regroup d*sc*q - dmin*m as d*sc*(q - zp) + (zp*d*sc - dmin*m): float32 rounding only.
    np.testing.assert_allclose(q.dequantize(), expected, rtol=0, atol=1e-6 * np.abs(expected).max())
    assert (q.bits, q.block_size) == {"Q4_K": (4, 32), "Q5_K": (8, 32), "Q6_K": (8, 16)}[type_name]
    assert (q.offsets is None) == (type_name == "Q6_K")


@pytest.mark.parametrize("type_name", K_TYPES)
def test_k_quant_matmulnbits_equals_numpy_matmul(type_name):
    w = random_weights(48, 256, seed=12)
    q = quant_blocks.from_k_quant(k_blocks(w, type_name)[0], type_name, *w.shape)
    x = np.random.default_rng(13).standard_normal((1, 3, 256)).astype(np.float32)
    expected = x.astype(np.float64) @ k_blocks(w, type_name)[1].T.astype(np.float64)
    got = run_linear(q, x, accuracy_level=0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("type_name", K_TYPES)
def test_k_quant_embedding_rows(type_name):
    w = random_weights(40, 256, seed=14)
    q = quant_blocks.from_k_quant(k_blocks(w, type_name)[0], type_name, *w.shape)
    b = GraphBuilder()
    b.embedding(q, "ids", "rows")
    s = session(b, [helper.make_tensor_value_info("ids", TensorProto.INT64, ["b", "s"])],
                [helper.make_tensor_value_info("rows", TensorProto.FLOAT, ["b", "s", 256])])
    ids = np.array([[0, 1, 39, 3, 2]], dtype=np.int64)
    np.testing.assert_allclose(s.run(["rows"], {"ids": ids})[0], q.dequantize()[ids], rtol=0,
                               atol=1e-6 * np.abs(w).max())
