#include "onnx/onnx_graph.h"

#include <cstring>
#include <limits>

#include "onnx/element_types.h"
#include "wasinn/nn/error.h"

namespace wasinn::onnx {
namespace {

using nn::Error;
using nn::ErrorCode;

TensorSpec read_spec(std::string name, const Ort::TypeInfo& type) {
  TensorSpec spec{std::move(name), type.GetONNXType() == ONNX_TYPE_TENSOR, ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED,
                  {}, {}};
  if (spec.is_tensor) {
    auto info = type.GetTensorTypeAndShapeInfo();
    spec.element_type = info.GetElementType();
    spec.shape = info.GetShape();
    for (const char* dim_name : info.GetSymbolicDimensions()) spec.dim_names.emplace_back(dim_name ? dim_name : "");
  }
  return spec;
}

std::string quoted_names(const std::vector<TensorSpec>& specs) {
  std::string names;
  for (const auto& spec : specs) names += (names.empty() ? "'" : ", '") + spec.name + "'";
  return names.empty() ? "none" : names;
}

// The model index `id` names, by name or by position; `role` is "input" or "output".
size_t resolve(const std::vector<TensorSpec>& specs, const nn::TensorId& id, const char* role) {
  if (const auto* name = id.name()) {
    for (size_t i = 0; i < specs.size(); ++i)
      if (specs[i].name == *name) return i;
    throw Error(ErrorCode::invalid_argument,
                std::string("the model has no ") + role + " named '" + *name + "'; its " + role + "s are " +
                    quoted_names(specs));
  }
  uint32_t index = *id.index();
  if (index >= specs.size())
    throw Error(ErrorCode::invalid_argument, std::string(role) + " index " + std::to_string(index) +
                                                 " is out of range [0, " + std::to_string(specs.size()) + "); the " +
                                                 role + "s are " + quoted_names(specs));
  return index;
}

std::string describe(const nn::Tensor& tensor) {
  std::string dims;
  for (uint32_t d : tensor.dims) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  return std::string(nn::to_string(tensor.type)) + " [" + dims + "]";
}

bool shape_fits(const TensorSpec& spec, const nn::Tensor& tensor) {
  if (spec.shape.size() != tensor.dims.size()) return false;
  for (size_t i = 0; i < spec.shape.size(); ++i)
    if (spec.shape[i] >= 0 && spec.shape[i] != tensor.dims[i]) return false;
  return true;
}

nn::Tensor copy_output(const TensorSpec& spec, const Ort::Value& value) {
  if (!value.IsTensor())
    throw Error(ErrorCode::unsupported_operation,
                "output '" + spec.name + "' is " + spec.describe() + ", which wasi-nn has no tensor type for");
  auto info = value.GetTensorTypeAndShapeInfo();
  auto type = to_tensor_type(info.GetElementType());
  if (!type)
    throw Error(ErrorCode::unsupported_operation, "output '" + spec.name + "' has element type " +
                                                      onnx_type_name(info.GetElementType()) +
                                                      ", which wasi-nn has no tensor type for");
  nn::Tensor tensor{{}, *type, {}};
  for (int64_t d : info.GetShape()) {
    if (d < 0 || d > std::numeric_limits<uint32_t>::max())
      throw Error(ErrorCode::too_large, "output '" + spec.name + "' has a dimension of " + std::to_string(d) +
                                            ", more than wasi-nn's 32-bit dimensions hold");
    tensor.dims.push_back(static_cast<uint32_t>(d));
  }
  tensor.data.resize(value.GetTensorSizeInBytes());
  if (!tensor.data.empty()) std::memcpy(tensor.data.data(), value.GetTensorRawData(), tensor.data.size());
  return tensor;
}

}  // namespace

std::string TensorSpec::describe() const {
  if (!is_tensor) return "not a tensor (a sequence, map or optional)";
  auto type = to_tensor_type(element_type);
  std::string text = type ? std::string(nn::to_string(*type)) : onnx_type_name(element_type);
  text += " [";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ", ";
    if (shape[i] >= 0) text += std::to_string(shape[i]);
    else text += i < dim_names.size() && !dim_names[i].empty() ? dim_names[i] : "?";
  }
  return text + "]";
}

OnnxGraph::OnnxGraph(Ort::Session session)
    : session_(std::move(session)), cpu_memory_(Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault)) {
  auto input_names = session_.GetInputNames();
  for (size_t i = 0; i < input_names.size(); ++i)
    inputs_.push_back(read_spec(std::move(input_names[i]), session_.GetInputTypeInfo(i)));
  auto output_names = session_.GetOutputNames();
  for (size_t i = 0; i < output_names.size(); ++i)
    outputs_.push_back(read_spec(std::move(output_names[i]), session_.GetOutputTypeInfo(i)));
  for (const auto& spec : inputs_) input_names_.push_back(spec.name.c_str());
  for (const auto& spec : outputs_) output_names_.push_back(spec.name.c_str());
}

std::unique_ptr<nn::ExecutionContext> OnnxGraph::init_execution_context() {
  return std::make_unique<OnnxContext>(shared_from_this());
}

std::vector<Ort::Value> OnnxGraph::run(const std::vector<Ort::Value>& input_values) {
  return session_.Run(Ort::RunOptions{nullptr}, input_names_.data(), input_values.data(), input_values.size(),
                      output_names_.data(), output_names_.size());
}

OnnxContext::OnnxContext(std::shared_ptr<OnnxGraph> graph)
    : graph_(std::move(graph)), inputs_(graph_->inputs().size()) {}

void OnnxContext::set_input(const nn::TensorId& id, nn::Tensor tensor) {
  size_t index = resolve(graph_->inputs(), id, "input");
  const TensorSpec& spec = graph_->inputs()[index];
  auto expected_type = spec.is_tensor ? to_tensor_type(spec.element_type) : std::nullopt;
  if (!expected_type)
    throw Error(ErrorCode::unsupported_operation,
                "input '" + spec.name + "' is " + spec.describe() + ", which wasi-nn has no tensor type for");
  if (tensor.type != *expected_type || !shape_fits(spec, tensor))
    throw Error(ErrorCode::invalid_argument,
                "input '" + spec.name + "' expects " + spec.describe() + ", got " + describe(tensor));
  tensor.validate("input '" + spec.name + "'");
  inputs_[index] = std::move(tensor);
}

std::vector<Ort::Value> OnnxContext::input_values() {
  std::vector<Ort::Value> values;
  values.reserve(inputs_.size());
  for (auto& tensor : inputs_) {
    std::vector<int64_t> shape(tensor->dims.begin(), tensor->dims.end());
    // ONNX Runtime reads the context's own buffer: no copy, and it outlives the run.
    values.push_back(Ort::Value::CreateTensor(graph_->cpu_memory(), tensor->data.data(), tensor->data.size(),
                                              shape.data(), shape.size(), to_onnx_type(tensor->type)));
  }
  return values;
}

void OnnxContext::compute() {
  outputs_.reset();  // a failed run must not leave the previous run's outputs looking current
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (!inputs_[i])
      throw Error(ErrorCode::invalid_argument, "input '" + graph_->inputs()[i].name + "' (index " +
                                                   std::to_string(i) + ") is not set; call set_input first");
  std::vector<Ort::Value> results;
  try {
    results = graph_->run(input_values());
  } catch (const Ort::Exception& e) {
    throw Error(ErrorCode::runtime_error, std::string("onnxruntime failed to run the model: ") + e.what());
  }
  std::vector<Output> outputs;
  outputs.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    try {
      outputs.emplace_back(copy_output(graph_->outputs()[i], results[i]));
    } catch (const Error& e) {
      outputs.emplace_back(e);
    } catch (const Ort::Exception& e) {
      outputs.emplace_back(Error(ErrorCode::runtime_error, "output '" + graph_->outputs()[i].name +
                                                               "': onnxruntime: " + e.what()));
    }
  }
  outputs_ = std::move(outputs);
}

nn::Tensor OnnxContext::get_output(const nn::TensorId& id) {
  if (!outputs_)
    throw Error(ErrorCode::invalid_argument, "no outputs yet for " + id.to_string() + "; call compute first");
  const Output& output = (*outputs_)[resolve(graph_->outputs(), id, "output")];
  if (const auto* error = std::get_if<nn::Error>(&output)) throw *error;
  return std::get<nn::Tensor>(output);
}

}  // namespace wasinn::onnx
