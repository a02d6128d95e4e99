// Tensors as the nn core sees them: plain values, copied out of (and into) guest memory by the
// ABI layers, so backends never touch guest memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace wasinn::nn {

// The WIT order (wasi:nn/tensor.tensor-type); the core-module ABI maps its own numbering.
enum class TensorType { f16, f32, f64, bf16, u8, i32, i64 };

std::string_view to_string(TensorType type);
size_t element_size(TensorType type);

struct Tensor {
  std::vector<uint32_t> dims;
  TensorType type = TensorType::u8;
  std::vector<uint8_t> data;

  // Product of dims; throws Error(invalid_argument) on overflow.
  size_t element_count() const;
  // Throws Error(invalid_argument) unless data holds exactly element_count() elements.
  void validate(std::string_view what) const;

  static Tensor from_bytes(std::string_view bytes);  // u8, dims [len]
  template <typename T>
  static Tensor from_values(TensorType type, std::vector<uint32_t> dims, std::span<const T> values) {
    Tensor t{std::move(dims), type, {}};
    auto bytes = std::as_bytes(values);
    t.data.assign(reinterpret_cast<const uint8_t*>(bytes.data()),
                  reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
    return t;
  }
  std::string_view as_string() const { return {reinterpret_cast<const char*>(data.data()), data.size()}; }
};

// Tensors are addressed by index (core-module ABI) or by name (component ABI); backends accept
// both through this one type.
class TensorId {
 public:
  TensorId(uint32_t index) : id_(index) {}  // NOLINT: implicit on purpose
  TensorId(std::string name) : id_(std::move(name)) {}  // NOLINT
  TensorId(const char* name) : id_(std::string(name)) {}  // NOLINT

  const std::string* name() const { return std::get_if<std::string>(&id_); }
  const uint32_t* index() const { return std::get_if<uint32_t>(&id_); }
  std::string to_string() const;
  bool operator==(const TensorId&) const = default;

 private:
  std::variant<uint32_t, std::string> id_;
};

}  // namespace wasinn::nn
