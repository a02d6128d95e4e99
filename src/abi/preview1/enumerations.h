// The numbers this ABI gives tensor types, graph encodings and execution targets (WasmEdge's
// numbering, which differs from the WIT order the nn core uses).
#pragma once

#include <cstdint>

#include "wasinn/nn/backend.h"
#include "wasinn/nn/tensor.h"

namespace wasinn::abi::preview1 {

// f16 = 0, f32 = 1, f64 = 2, u8 = 3, i32 = 4, i64 = 5 (this ABI has no bf16);
// anything else is AbiError(invalid_argument).
nn::TensorType tensor_type_from_number(uint32_t number);
// openvino = 0, onnx = 1, tensorflow = 2, pytorch = 3, tensorflowlite = 4, autodetect = 5,
// ggml = 6; anything else is AbiError(invalid_encoding).
nn::GraphEncoding encoding_from_number(uint32_t number);
// cpu = 0, gpu = 1, tpu = 2, auto = 3; anything else is AbiError(invalid_argument).
nn::ExecutionTarget target_from_number(uint32_t number);

}  // namespace wasinn::abi::preview1
