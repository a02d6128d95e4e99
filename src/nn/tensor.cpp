#include "wasinn/nn/tensor.h"

#include "wasinn/nn/error.h"

namespace wasinn::nn {

std::string_view to_string(TensorType type) {
  switch (type) {
    case TensorType::f16: return "f16";
    case TensorType::f32: return "f32";
    case TensorType::f64: return "f64";
    case TensorType::bf16: return "bf16";
    case TensorType::u8: return "u8";
    case TensorType::i32: return "i32";
    case TensorType::i64: return "i64";
  }
  return "?";
}

size_t element_size(TensorType type) {
  switch (type) {
    case TensorType::f16:
    case TensorType::bf16: return 2;
    case TensorType::f32:
    case TensorType::i32: return 4;
    case TensorType::f64:
    case TensorType::i64: return 8;
    case TensorType::u8: return 1;
  }
  return 1;
}

size_t Tensor::element_count() const {
  size_t count = 1;
  for (uint32_t d : dims) {
    if (d != 0 && count > SIZE_MAX / d) throw Error(ErrorCode::invalid_argument, "tensor dimensions overflow");
    count *= d;
  }
  return count;
}

void Tensor::validate(std::string_view what) const {
  size_t count = element_count();
  size_t size = element_size(type);
  if (count > SIZE_MAX / size || count * size != data.size())
    throw Error(ErrorCode::invalid_argument,
                std::string(what) + ": " + std::to_string(data.size()) + " bytes do not match " +
                    std::string(to_string(type)) + " dims of " + std::to_string(count) + " elements");
}

Tensor Tensor::from_bytes(std::string_view bytes) {
  return Tensor{{static_cast<uint32_t>(bytes.size())}, TensorType::u8, {bytes.begin(), bytes.end()}};
}

std::string TensorId::to_string() const {
  if (const auto* n = name()) return "'" + *n + "'";
  return "#" + std::to_string(*index());
}

}  // namespace wasinn::nn
