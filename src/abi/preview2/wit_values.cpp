#include "abi/preview2/wit_values.h"

#include <array>

namespace wasinn::abi::preview2 {
namespace {

// The WIT enums' cases in declaration order, which is also the order of the nn core's enums.
constexpr std::array<std::string_view, 7> kTensorTypes = {"FP16", "FP32", "FP64", "BF16", "U8", "I32", "I64"};
constexpr std::array<std::string_view, 7> kGraphEncodings = {"openvino", "onnx", "tensorflow", "pytorch",
                                                             "tensorflowlite", "ggml", "autodetect"};
constexpr std::array<std::string_view, 3> kExecutionTargets = {"cpu", "gpu", "tpu"};

template <typename Enum, size_t N>
Enum enum_from_wit(const Val& value, const std::array<std::string_view, N>& cases, const char* what) {
  if (!value.is_enum()) throw Trap(std::string("expected a ") + what + " enum value");
  for (size_t i = 0; i < N; ++i)
    if (cases[i] == value.get_enum()) return static_cast<Enum>(i);
  throw Trap(std::string("unknown ") + what + " '" + std::string(value.get_enum()) + "'");
}

const wasmtime::component::List& list_of(const Val& value) {
  if (!value.is_list()) throw Trap("expected a list value");
  return value.get_list();
}

}  // namespace

nn::TensorType tensor_type_from_wit(const Val& value) {
  return enum_from_wit<nn::TensorType>(value, kTensorTypes, "tensor-type");
}

Val tensor_type_to_wit(nn::TensorType type) { return Val::enum_(kTensorTypes.at(static_cast<size_t>(type))); }

nn::GraphEncoding graph_encoding_from_wit(const Val& value) {
  return enum_from_wit<nn::GraphEncoding>(value, kGraphEncodings, "graph-encoding");
}

nn::ExecutionTarget execution_target_from_wit(const Val& value) {
  return enum_from_wit<nn::ExecutionTarget>(value, kExecutionTargets, "execution-target");
}

WitError to_wit_error(const nn::Error& error) {
  std::string message = error.what();
  if (message.empty()) message = std::string(nn::to_string(error.code()));
  auto renamed = [&](std::string_view code) {
    return WitError{code, std::string(nn::to_string(error.code())) + ": " + message};
  };
  switch (error.code()) {
    case nn::ErrorCode::busy:
    case nn::ErrorCode::end_of_sequence: return renamed("runtime-error");
    case nn::ErrorCode::context_full:
    case nn::ErrorCode::prompt_too_long: return renamed("too-large");
    default: return WitError{nn::to_string(error.code()), std::move(message)};  // same names as the WIT
  }
}

size_t list_size(const Val& list) { return list_of(list).size(); }

std::vector<uint32_t> u32_list(const Val& list) {
  std::vector<uint32_t> values;
  values.reserve(list_size(list));
  for (const Val& v : list_of(list)) {
    if (!v.is_u32()) throw Trap("expected a list<u32>");
    values.push_back(v.get_u32());
  }
  return values;
}

std::vector<uint8_t> byte_list(const Val& list) {
  std::vector<uint8_t> bytes;
  bytes.reserve(list_size(list));
  for (const Val& v : list_of(list)) {
    if (!v.is_u8()) throw Trap("expected a list<u8>");
    bytes.push_back(v.get_u8());
  }
  return bytes;
}

Val u32_list_to_wit(std::span<const uint32_t> values) {
  std::vector<Val> vals(values.begin(), values.end());
  return Val(wasmtime::component::List(std::move(vals)));
}

Val byte_list_to_wit(std::span<const uint8_t> bytes) {
  std::vector<Val> vals(bytes.begin(), bytes.end());
  return Val(wasmtime::component::List(std::move(vals)));
}

}  // namespace wasinn::abi::preview2
