#include "abi/preview1/guest_tensor.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "abi/preview1/enumerations.h"
#include "abi/preview1/error_numbers.h"

namespace wasinn::abi::preview1 {
namespace {

constexpr uint32_t kTensorStructSize = 20;

struct TensorStruct {
  uint32_t dims_ptr, dims_len, type, data_ptr, data_len;
};

TensorStruct read_tensor_struct(const GuestMemory& memory, uint32_t tensor_ptr) {
  auto fields = memory.range(tensor_ptr, kTensorStructSize, "tensor_ptr");
  TensorStruct t;
  static_assert(sizeof t == kTensorStructSize);
  std::memcpy(&t, fields.data(), sizeof t);
  return t;
}

}  // namespace

nn::Tensor read_tensor(const GuestMemory& memory, uint32_t tensor_ptr, const Limits& limits) {
  TensorStruct t = read_tensor_struct(memory, tensor_ptr);
  if (t.dims_len > limits.max_dims)
    throw AbiError(ErrorNumber::invalid_argument, "tensor has " + std::to_string(t.dims_len) +
                                                      " dimensions; the limit is " + std::to_string(limits.max_dims));
  if (t.data_len > limits.max_tensor_bytes)
    throw AbiError(ErrorNumber::too_large, "tensor data of " + std::to_string(t.data_len) +
                                               " bytes is over the limit of " + std::to_string(limits.max_tensor_bytes));
  nn::Tensor tensor;
  tensor.type = tensor_type_from_number(t.type);
  tensor.dims.resize(t.dims_len);
  auto dims = memory.range(t.dims_ptr, uint64_t{t.dims_len} * sizeof(uint32_t), "tensor dims");
  if (!dims.empty()) std::memcpy(tensor.dims.data(), dims.data(), dims.size());  // memcpy with null is UB
  auto data = memory.range(t.data_ptr, t.data_len, "tensor data");
  tensor.data.assign(data.begin(), data.end());
  if (tensor.type == nn::TensorType::u8 && tensor.dims == std::vector<uint32_t>{1}) tensor.dims[0] = t.data_len;
  return tensor;
}

void write_output(const GuestMemory& memory, uint32_t buf_ptr, uint32_t buf_max_len, uint32_t written_ptr,
                  std::span<const uint8_t> bytes) {
  auto buffer = memory.range(buf_ptr, buf_max_len, "output buffer");
  memory.range(written_ptr, sizeof(uint32_t), "out_bytes_written_ptr");
  // An output over 4 GiB cannot be described to a wasm32 guest; the saturated length still
  // tells it no buffer will do.
  auto needed = static_cast<uint32_t>(std::min<uint64_t>(bytes.size(), UINT32_MAX));
  memory.write_u32(written_ptr, needed, "out_bytes_written_ptr");
  if (bytes.size() > buffer.size())
    throw AbiError(ErrorNumber::too_large, "the output needs " + std::to_string(bytes.size()) +
                                               " bytes; the guest's buffer holds " + std::to_string(buffer.size()));
  std::copy(bytes.begin(), bytes.end(), buffer.begin());
}

}  // namespace wasinn::abi::preview1
