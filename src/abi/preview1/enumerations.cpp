#include "abi/preview1/enumerations.h"

#include <array>
#include <string>

#include "abi/preview1/error_numbers.h"

namespace wasinn::abi::preview1 {
namespace {

using nn::ExecutionTarget;
using nn::GraphEncoding;
using nn::TensorType;

// Indexed by the ABI's number.
constexpr std::array kTensorTypes = {TensorType::f16, TensorType::f32, TensorType::f64,
                                     TensorType::u8,  TensorType::i32, TensorType::i64};
constexpr std::array kEncodings = {GraphEncoding::openvino,       GraphEncoding::onnx,       GraphEncoding::tensorflow,
                                   GraphEncoding::pytorch,        GraphEncoding::tensorflowlite,
                                   GraphEncoding::autodetect,     GraphEncoding::ggml};
constexpr std::array kTargets = {ExecutionTarget::cpu, ExecutionTarget::gpu, ExecutionTarget::tpu,
                                 ExecutionTarget::autodetect};

template <typename T, size_t N>
T lookup(const std::array<T, N>& table, uint32_t number, ErrorNumber error, const char* what) {
  if (number >= N) throw AbiError(error, "unknown " + std::string(what) + " number " + std::to_string(number));
  return table[number];
}

}  // namespace

TensorType tensor_type_from_number(uint32_t number) {
  return lookup(kTensorTypes, number, ErrorNumber::invalid_argument, "tensor type");
}

GraphEncoding encoding_from_number(uint32_t number) {
  return lookup(kEncodings, number, ErrorNumber::invalid_encoding, "graph encoding");
}

ExecutionTarget target_from_number(uint32_t number) {
  return lookup(kTargets, number, ErrorNumber::invalid_argument, "execution target");
}

}  // namespace wasinn::abi::preview1
