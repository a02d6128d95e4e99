// wasi-nn tensor types <-> ONNX tensor element types.
#pragma once

#include <onnxruntime_c_api.h>

#include <optional>
#include <string>

#include "wasinn/nn/tensor.h"

namespace wasinn::onnx {

// nullopt for ONNX element types wasi-nn has no tensor type for (bool, int8, string, ...).
std::optional<nn::TensorType> to_tensor_type(ONNXTensorElementDataType type);
ONNXTensorElementDataType to_onnx_type(nn::TensorType type);
// The ONNX spelling ("float", "bool", ...), for messages.
std::string onnx_type_name(ONNXTensorElementDataType type);

}  // namespace wasinn::onnx
