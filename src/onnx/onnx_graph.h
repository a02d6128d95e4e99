// A loaded ONNX model (one Ort::Session plus what it says about its inputs and outputs, read
// once at load) and the execution contexts that run it. See wasinn/onnx/onnx_backend.h for the
// threading contract.
#pragma once

#include <onnxruntime_cxx_api.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wasinn/nn/backend.h"

namespace wasinn::onnx {

// One model input or output as the model declares it.
struct TensorSpec {
  std::string name;
  bool is_tensor = false;  // false for sequences, maps, optionals
  ONNXTensorElementDataType element_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> shape;          // -1 where the dimension is dynamic
  std::vector<std::string> dim_names;  // per dimension: its symbolic name ("N") or ""

  // For messages, in wasi-nn's words where it has them: "f32 [N, 4]", "bool [2]", "a sequence".
  std::string describe() const;
};

class OnnxGraph : public nn::Graph, public std::enable_shared_from_this<OnnxGraph> {
 public:
  explicit OnnxGraph(Ort::Session session);
  OnnxGraph(const OnnxGraph&) = delete;  // input_names_/output_names_ point into the specs
  OnnxGraph& operator=(const OnnxGraph&) = delete;

  std::unique_ptr<nn::ExecutionContext> init_execution_context() override;

  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }
  const Ort::MemoryInfo& cpu_memory() const { return cpu_memory_; }

  // Runs the model on one value per input (in model order), giving one value per output.
  // Safe to call from many threads at once; throws Ort::Exception.
  std::vector<Ort::Value> run(const std::vector<Ort::Value>& input_values);

 private:
  Ort::Session session_;
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
  std::vector<const char*> input_names_;
  std::vector<const char*> output_names_;
  Ort::MemoryInfo cpu_memory_;
};

class OnnxContext : public nn::ExecutionContext {
 public:
  explicit OnnxContext(std::shared_ptr<OnnxGraph> graph);

  void set_input(const nn::TensorId& id, nn::Tensor tensor) override;
  void compute() override;
  nn::Tensor get_output(const nn::TensorId& id) override;

 private:
  // An output that wasi-nn cannot express (a bool tensor, a too-large dimension) fails only
  // when asked for, so the other outputs of the same run stay usable.
  using Output = std::variant<nn::Tensor, nn::Error>;

  // One Ort::Value per model input over the set tensors' buffers; all inputs must be set.
  std::vector<Ort::Value> input_values();

  std::shared_ptr<OnnxGraph> graph_;
  std::vector<std::optional<nn::Tensor>> inputs_;  // by model input index
  std::optional<std::vector<Output>> outputs_;     // by model output index; set by compute
};

}  // namespace wasinn::onnx
