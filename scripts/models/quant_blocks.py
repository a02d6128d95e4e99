"""GGUF/GGML quantized blocks as ONNX Runtime's block-quantized operators want them.

A weight matrix of PyTorch shape [N, K] (N outputs, K inputs) is stored by GGML row by row,
each row cut into blocks of 32 consecutive K values. ONNX Runtime's com.microsoft
`MatMulNBits` and `GatherBlockQuantized` use the same layout: blocks along K, one scale (and
optionally one zero point) per block, value = (code - zero_point) * scale. So a GGML block
maps onto one MatMulNBits block without touching other rows or blocks:

| GGML type | GGML value            | here                                   | exact? |
|-----------|-----------------------|----------------------------------------|--------|
| Q4_0      | d * (q - 8), q 0..15  | bits 4, scale d, default zero point 8  | yes    |
| Q8_0      | d * q, q -128..127    | bits 8, code q + 128, default zp 128   | yes    |
| Q4_1      | d * q + m, q 0..15    | bits 4, scale d, default zp 8, plus a  | yes, up to fp32 rounding of the |
|           |                       | per-block offset m + 8d, applied as    | sum (see below)                 |
|           |                       | blocksum(x) @ offsets^T                |                                 |

Why Q4_1 needs the offset term: a zero point of -m/d is not an integer, and ONNX Runtime 1.31's
CPU MatMulNBits only runs its fast (prepacked MLAS) kernels for uint8 zero points; float zero
points are accepted but take a path that dequantizes the whole weight on every call (about 30x
slower, measured). An integer zero point rounded from -m/d would shift every weight of the
block by up to d/2. Instead the converter keeps d and q exactly and adds, per output n,
sum_b offset[n, b] * sum_{k in block b} x[k], which is what llama.cpp's own Q4_1 dot product
computes (it keeps the block sums of its quantized activations for the same reason).

What ONNX Runtime 1.31.1's CPU kernels do with these (measured with one-node graphs, K=2304,
N=6144, M=1, 2 threads):
  - MatMulNBits bits=4, no zero_points or uint8 ones: prepacked MLAS kernels at any
    accuracy_level; accuracy_level 4 (int8 activations) is 1.5x faster than 0 and is what GenAI's
    builder emits for CPU. Omitting zero_points (default 8) is ~20% faster than passing uint8 ones.
  - MatMulNBits bits=4 with float zero points: accepted, exact, but ~30x slower (dequantizes the
    whole weight on every call).
  - MatMulNBits bits=8: fast only with accuracy_level 4; at level 0 it takes the same slow
    dequantizing path (~45x slower), and float zero points are rejected ("Only 2b and 4b
    quantization is supported for unpacked compute").
  - GatherBlockQuantized: uint8 data with bits 4 or 8, block_size 32, default zero point
    2^(bits - 1); rank-3 data [V, blocks, bytes] with quantize_axis=2 works, so the embedding and a
    tied output head share one initializer.

GGML nibble order differs from MatMulNBits': a Q4 block's byte j holds element j (low nibble)
and element j + 16 (high nibble); MatMulNBits wants elements 2i and 2i + 1 in byte i (low, high).
Scales are float16 in GGUF and float32 here (the graph's activation type): exact.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GGML_BLOCK = 32

# GGML type names as the gguf package spells them (GGMLQuantizationType.<name>).
Q4_0, Q4_1, Q8_0 = "Q4_0", "Q4_1", "Q8_0"
# Bytes of one GGML block: float16 d [+ float16 m] + codes.
BLOCK_BYTES = {Q4_0: 2 + 16, Q4_1: 2 + 2 + 16, Q8_0: 2 + 32}


@dataclass
class BlockQuantized:
    """A [N, K] matrix as MatMulNBits inputs, block-quantized along K.

    codes:   uint8 [N, K / block_size, block_size * bits / 8], MatMulNBits' B layout
    scales:  float32 [N, K / block_size]
    offsets: float32 [N, K / block_size] or None; when present, value = (code - zp) * scale + offset
    The zero point is always MatMulNBits' default, 2^(bits - 1), so no zero_points input is
    needed (the fastest kernel path in ONNX Runtime 1.31 CPU, measured).
    """
    codes: np.ndarray
    scales: np.ndarray
    bits: int
    block_size: int
    offsets: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        n, blocks, _ = self.codes.shape
        return n, blocks * self.block_size

    @property
    def zero_point(self) -> int:
        return 1 << (self.bits - 1)

    def nbytes(self) -> int:
        """Bytes a matrix-vector product reads: codes, scales and offsets."""
        return self.codes.nbytes + self.scales.nbytes + (0 if self.offsets is None else self.offsets.nbytes)

    def unpacked_codes(self) -> np.ndarray:
        """uint8 [N, K]: one code per weight."""
        n, k = self.shape
        if self.bits == 8:
            return self.codes.reshape(n, k)
        if self.bits == 4:
            return np.stack([self.codes & 0x0F, self.codes >> 4], axis=-1).reshape(n, k)
        raise ValueError(f"bits={self.bits} is not supported")

    def dequantize(self) -> np.ndarray:
        """float32 [N, K], computed the way the operator defines it."""
        n, k = self.shape
        q = self.unpacked_codes().reshape(n, -1, self.block_size).astype(np.float32)
        w = (q - np.float32(self.zero_point)) * self.scales[..., None]
        if self.offsets is not None:
            w = w + self.offsets[..., None]
        return w.reshape(n, k)

    def rows(self, start: int, stop: int) -> "BlockQuantized":
        """Output rows start..stop-1 (e.g. Q out of a stacked QKV matrix)."""
        return BlockQuantized(self.codes[start:stop], self.scales[start:stop], self.bits, self.block_size,
                              None if self.offsets is None else self.offsets[start:stop])

    def stackable(self, others: list["BlockQuantized"]) -> bool:
        """Whether concat_rows can stack these: one bit width, block size, K and offset form."""
        return len({(p.bits, p.block_size, p.shape[1], p.offsets is None) for p in [self, *others]}) == 1

    def concat_rows(self, others: list["BlockQuantized"]) -> "BlockQuantized":
        """Stacks matrices with the same K along N (e.g. Q, K and V into one projection)."""
        parts = [self, *others]
        if not self.stackable(others):
            raise ValueError("only matrices of one format and K can be stacked")
        offsets = None if self.offsets is None else np.concatenate([p.offsets for p in parts])
        return BlockQuantized(np.concatenate([p.codes for p in parts]), np.concatenate([p.scales for p in parts]),
                              self.bits, self.block_size, offsets)


def _blocks(raw: np.ndarray, type_name: str, n: int, k: int) -> np.ndarray:
    """GGUF tensor bytes -> uint8 [N, K / 32, bytes per block]."""
    if k % GGML_BLOCK:
        raise ValueError(f"K={k} is not a multiple of {GGML_BLOCK}")
    raw = np.ascontiguousarray(raw, dtype=np.uint8).reshape(-1)
    expected = n * (k // GGML_BLOCK) * BLOCK_BYTES[type_name]
    if raw.size != expected:
        raise ValueError(f"{type_name} [{n}, {k}]: {raw.size} bytes, expected {expected}")
    return raw.reshape(n, k // GGML_BLOCK, BLOCK_BYTES[type_name])


def _f16(blocks: np.ndarray, at: int) -> np.ndarray:
    return np.ascontiguousarray(blocks[..., at:at + 2]).view(np.float16)[..., 0].astype(np.float32)


def _pack_nibbles(q: np.ndarray) -> np.ndarray:
    """uint8 codes 0..15 [..., 32] in K order -> MatMulNBits bytes [..., 16]."""
    return (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)


def _ggml_nibbles(qs: np.ndarray) -> np.ndarray:
    """GGML Q4 bytes [..., 16] -> codes 0..15 [..., 32] in K order."""
    return np.concatenate([qs & 0x0F, qs >> 4], axis=-1)


def from_ggml(raw: np.ndarray, type_name: str, n: int, k: int) -> BlockQuantized:
    """Maps a GGUF tensor of type Q4_0, Q4_1 or Q8_0 and PyTorch shape [n, k] without loss."""
    if type_name not in BLOCK_BYTES:
        raise ValueError(f"GGML type {type_name} has no block mapping")
    blocks = _blocks(raw, type_name, n, k)
    if type_name == Q8_0:
        d = _f16(blocks, 0)
        codes = np.ascontiguousarray(blocks[..., 2:]) ^ np.uint8(0x80)  # int8 q -> q + 128
        return BlockQuantized(codes, d, bits=8, block_size=GGML_BLOCK)
    if type_name == Q4_0:
        d = _f16(blocks, 0)
        return BlockQuantized(_pack_nibbles(_ggml_nibbles(blocks[..., 2:])), d, bits=4, block_size=GGML_BLOCK)
    if type_name == Q4_1:
        d, m = _f16(blocks, 0), _f16(blocks, 2)
        # d*q + m = d*(q - 8) + (m + 8d); 8d is exact in float32 and the sum of two float16
        # values is exact in float32 unless their exponents are more than 13 apart.
        offsets = (m + np.float32(8.0) * d).astype(np.float32)
        return BlockQuantized(_pack_nibbles(_ggml_nibbles(blocks[..., 4:])), d, bits=4, block_size=GGML_BLOCK,
                              offsets=offsets)
    raise AssertionError(type_name)


# K-quants: super-blocks of 256 values. Each maps exactly onto MatMulNBits blocks of its own
# sub-block size, because every sub-block is affine in its integer codes:
#   Q4_K: 8 sub-blocks of 32, value = (d * sc) * q - dmin * m, q 0..15, 6-bit sc and m
#         -> bits 4, block 32, scale d*sc, offset -dmin*m + 8*d*sc (the Q4_1 path above)
#   Q5_K: as Q4_K with q 0..31
#         -> bits 8, block 32, code q + 112, scale d*sc, offset -dmin*m + 16*d*sc (5-bit codes do not
#            fit 4 bits; MatMulNBits has no 5-bit form, and 8 bits keep them exactly; centring the
#            codes on the zero point 128 keeps the offset as small as Q4_K's, so the two terms of
#            the product cancel no more than there)
#   Q6_K: 16 sub-blocks of 16, value = (d * sc) * (q - 32), q 0..63, int8 sc
#         -> bits 8, block 16, code q + 96, scale d*sc, no offset (symmetric)
# d*sc and dmin*m are products of a float16 and a 6/8-bit integer: exact in float32. The codes
# are read out with the gguf package's own dequantization applied to blocks whose scales are
# set to 1 and minimums to 0, so the bit layout is decoded by the reference reader, not here.
QK_K = 256
Q4_K, Q5_K, Q6_K = "Q4_K", "Q5_K", "Q6_K"
K_BLOCK_BYTES = {Q4_K: 144, Q5_K: 176, Q6_K: 210}
K_QUANTS = tuple(K_BLOCK_BYTES)


def _k_blocks(raw: np.ndarray, type_name: str, n: int, k: int) -> np.ndarray:
    if k % QK_K:
        raise ValueError(f"K={k} is not a multiple of {QK_K}")
    raw = np.ascontiguousarray(raw, dtype=np.uint8).reshape(-1)
    expected = n * (k // QK_K) * K_BLOCK_BYTES[type_name]
    if raw.size != expected:
        raise ValueError(f"{type_name} [{n}, {k}]: {raw.size} bytes, expected {expected}")
    return raw.reshape(n * (k // QK_K), K_BLOCK_BYTES[type_name]).copy()


def from_k_quant(raw: np.ndarray, type_name: str, n: int, k: int) -> BlockQuantized:
    """Maps a GGUF tensor of type Q4_K, Q5_K or Q6_K and PyTorch shape [n, k] without loss."""
    from gguf import GGMLQuantizationType
    from gguf.quants import Q4_K as GQ4_K, dequantize
    kind = GGMLQuantizationType[type_name]
    blocks = _k_blocks(raw, type_name, n, k)
    nb = blocks.shape[0]
    one = np.array([1.0], dtype=np.float16).view(np.uint8)
    if type_name in (Q4_K, Q5_K):
        d, dmin = _f16(blocks, 0), _f16(blocks, 2)
        sc, m = GQ4_K.get_scale_min(blocks[:, 4:16])
        scales = (d[:, None] * sc.astype(np.float32)).astype(np.float32)      # [nb, 8]
        mins = (dmin[:, None] * m.astype(np.float32)).astype(np.float32)      # [nb, 8]
        unit = blocks.copy()
        unit[:, 0:2], unit[:, 2:4] = one, 0                                   # d = 1, dmin = 0
        unit[:, 4:8], unit[:, 8:12], unit[:, 12:16] = 1, 0, 1                 # every sc = 1, m = 0
        q = np.rint(dequantize(unit, kind)).astype(np.uint8).reshape(n, k)    # codes 0..15 / 0..31
        bits, centre = (4, 8) if type_name == Q4_K else (8, 16)   # centre: middle of q's range
        scales, mins = scales.reshape(n, -1), mins.reshape(n, -1)
        # value = scale * q - min = scale * (code - zp) + (centre * scale - min), code = q - centre + zp
        offsets = (np.float32(centre) * scales - mins).astype(np.float32)
        codes = (q + np.uint8((1 << (bits - 1)) - centre)).reshape(n, k // GGML_BLOCK, GGML_BLOCK)
        codes = _pack_nibbles(codes) if bits == 4 else codes
        return BlockQuantized(np.ascontiguousarray(codes), scales, bits=bits, block_size=GGML_BLOCK, offsets=offsets)
    if type_name == Q6_K:
        d = np.ascontiguousarray(blocks[:, 208:210]).view(np.float16)[:, 0].astype(np.float32)
        sc = blocks[:, 192:208].view(np.int8).astype(np.float32)
        scales = (d[:, None] * sc).astype(np.float32).reshape(n, -1)           # [n, k / 16]
        unit = blocks.copy()
        unit[:, 192:208], unit[:, 208:210] = 1, one                           # every sc = 1, d = 1
        q = np.rint(dequantize(unit, kind)).astype(np.int16).reshape(n, k)    # q - 32: -32..31
        codes = (q + 128).astype(np.uint8).reshape(n, k // 16, 16)
        return BlockQuantized(np.ascontiguousarray(codes), scales, bits=8, block_size=16)
    raise ValueError(f"GGML type {type_name} is not a K-quant")


def quantize(w: np.ndarray, bits: int, block_size: int = GGML_BLOCK) -> BlockQuantized:
    """Round-to-nearest symmetric block quantization of a float [N, K] matrix (for --precision int4/int8).

    The scale maps the block's largest magnitude onto the code range's negative end, as Q4_0 and
    onnxruntime's own quantizer do; zero point is the default 2^(bits - 1).
    """
    n, k = w.shape
    if k % block_size:
        raise ValueError(f"K={k} is not a multiple of {block_size}")
    blocks = w.astype(np.float32).reshape(n, k // block_size, block_size)
    zp = 1 << (bits - 1)
    idx = np.argmax(np.abs(blocks), axis=-1)[..., None]
    peak = np.take_along_axis(blocks, idx, axis=-1)[..., 0]
    scales = (peak / -zp).astype(np.float32)
    inv = np.divide(1.0, scales, out=np.zeros_like(scales), where=scales != 0)
    q = np.clip(np.rint(blocks * inv[..., None]) + zp, 0, (1 << bits) - 1).astype(np.uint8)
    codes = q if bits == 8 else _pack_nibbles(q) if bits == 4 else None
    if codes is None:
        raise ValueError(f"bits={bits} is not supported")
    return BlockQuantized(codes, scales, bits=bits, block_size=block_size)
