// The byte-loaded ONNX Runtime backend: wasi-nn `load` with encoding onnx takes one builder
// holding a serialized ONNX model and runs it with ONNX Runtime's CPU (or, on request, CUDA)
// execution provider.
//
// Threading: a loaded graph owns one Ort::Session, shared by every execution context made from
// it; ONNX Runtime allows concurrent Run calls on one session, and the graph's tensor metadata is
// fixed at load, so many threads may each drive their own contexts on one graph. A context keeps
// its inputs and outputs, so it must be used by one thread at a time. All backends share one
// Ort::Env, created on first load.
#pragma once

#include <memory>
#include <span>

#include "wasinn/nn/backend.h"

namespace wasinn::onnx {

class OnnxBackend : public nn::ByteLoaderBackend {
 public:
  // Error(invalid_argument) unless there is exactly one builder; Error(invalid_encoding) when the
  // bytes are empty or not a model ONNX Runtime can parse; Error(unsupported_operation) for target tpu;
  // Error(runtime_error) when ONNX Runtime cannot create the session (for gpu: no CUDA provider).
  std::shared_ptr<nn::Graph> load(std::span<const std::span<const uint8_t>> builders,
                                  nn::ExecutionTarget target) override;
};

}  // namespace wasinn::onnx
