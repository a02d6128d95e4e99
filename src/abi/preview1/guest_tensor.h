// Tensors crossing the core-module ABI: the 20-byte tensor struct a guest passes to set_input,
// and the caller-sized buffer get_output fills.
#pragma once

#include <cstdint>
#include <span>

#include "abi/preview1/guest_memory.h"
#include "abi/preview1/wasi_ephemeral_nn.h"
#include "wasinn/nn/tensor.h"

namespace wasinn::abi::preview1 {

// Copies the tensor at `tensor_ptr` (dims_ptr, dims_len, type, data_ptr, data_len: five u32)
// out of guest memory. dims_len over limits.max_dims and an unknown type are invalid_argument;
// data_len over limits.max_tensor_bytes is too_large (checked before the bounds, so an absurd
// length reports its real problem).
//
// WasmEdge's LLM guests send every byte string (prompt, options) as a u8 tensor with dims [1]
// whatever its length; such a tensor becomes dims [data_len], so backends see a consistent
// tensor and those guests run unchanged.
nn::Tensor read_tensor(const GuestMemory& memory, uint32_t tensor_ptr, const Limits& limits);

// Writes `bytes` to the guest's buffer [buf_ptr, buf_ptr + buf_max_len) and their length to
// `written_ptr`. When they do not fit, writes nothing into the buffer, writes the length needed
// to `written_ptr` (so the guest can retry with a buffer that size) and throws too_large.
void write_output(const GuestMemory& memory, uint32_t buf_ptr, uint32_t buf_max_len, uint32_t written_ptr,
                  std::span<const uint8_t> bytes);

}  // namespace wasinn::abi::preview1
