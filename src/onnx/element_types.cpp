#include "onnx/element_types.h"

namespace wasinn::onnx {

std::optional<nn::TensorType> to_tensor_type(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return nn::TensorType::f16;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16: return nn::TensorType::bf16;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return nn::TensorType::f32;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: return nn::TensorType::f64;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: return nn::TensorType::u8;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return nn::TensorType::i32;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return nn::TensorType::i64;
    default: return std::nullopt;
  }
}

ONNXTensorElementDataType to_onnx_type(nn::TensorType type) {
  switch (type) {
    case nn::TensorType::f16: return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
    case nn::TensorType::bf16: return ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16;
    case nn::TensorType::f32: return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    case nn::TensorType::f64: return ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE;
    case nn::TensorType::u8: return ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8;
    case nn::TensorType::i32: return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32;
    case nn::TensorType::i64: return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
  }
  return ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
}

std::string onnx_type_name(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return "float";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8: return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: return "uint16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16: return "int16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING: return "string";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: return "bool";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: return "double";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: return "uint32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: return "uint64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64: return "complex64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128: return "complex128";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16: return "bfloat16";
    default: return "ONNX element type " + std::to_string(static_cast<int>(type));
  }
}

}  // namespace wasinn::onnx
