// The nn core's object model: backends load graphs, graphs make execution contexts, contexts
// take input tensors, compute, and give output tensors.
//
// Threading: a Graph may be used from many threads at once (each thread with its own
// contexts); one ExecutionContext must be used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasinn/nn/error.h"
#include "wasinn/nn/tensor.h"

namespace wasinn::nn {

// WIT order (wasi:nn/graph.graph-encoding); the core-module ABI maps WasmEdge's numbering.
enum class GraphEncoding { openvino, onnx, tensorflow, pytorch, tensorflowlite, ggml, autodetect };
enum class ExecutionTarget { cpu, gpu, tpu, autodetect };

std::string_view to_string(GraphEncoding encoding);
std::string_view to_string(ExecutionTarget target);

class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;
  virtual void set_input(const TensorId& id, Tensor tensor) = 0;
  virtual void compute() = 0;
  virtual Tensor get_output(const TensorId& id) = 0;

  // Streaming (WasmEdge's compute_single / get_output_single / fini_single). compute_single
  // produces the next piece and throws Error(end_of_sequence) once generation has finished.
  virtual void compute_single();
  virtual Tensor get_output_single(const TensorId& id);
  virtual void fini_single();
};

class Graph {
 public:
  virtual ~Graph() = default;
  virtual std::unique_ptr<ExecutionContext> init_execution_context() = 0;
};

// Loads graphs from bytes, for one encoding.
class ByteLoaderBackend {
 public:
  virtual ~ByteLoaderBackend() = default;
  virtual std::shared_ptr<Graph> load(std::span<const std::span<const uint8_t>> builders, ExecutionTarget target) = 0;
};

// Loads graphs by name (a model registry behind it). `config_json` carries per-load options
// (WasmEdge's load_by_name_with_config); empty means none.
class NameLoaderBackend {
 public:
  virtual ~NameLoaderBackend() = default;
  virtual std::shared_ptr<Graph> load_by_name(std::string_view name, std::string_view config_json) = 0;
};

}  // namespace wasinn::nn
