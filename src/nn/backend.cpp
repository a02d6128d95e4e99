#include "wasinn/nn/backend.h"

#include "wasinn/nn/host.h"

namespace wasinn::nn {

std::string_view to_string(GraphEncoding encoding) {
  switch (encoding) {
    case GraphEncoding::openvino: return "openvino";
    case GraphEncoding::onnx: return "onnx";
    case GraphEncoding::tensorflow: return "tensorflow";
    case GraphEncoding::pytorch: return "pytorch";
    case GraphEncoding::tensorflowlite: return "tensorflowlite";
    case GraphEncoding::ggml: return "ggml";
    case GraphEncoding::autodetect: return "autodetect";
  }
  return "?";
}

std::string_view to_string(ExecutionTarget target) {
  switch (target) {
    case ExecutionTarget::cpu: return "cpu";
    case ExecutionTarget::gpu: return "gpu";
    case ExecutionTarget::tpu: return "tpu";
    case ExecutionTarget::autodetect: return "auto";
  }
  return "?";
}

void ExecutionContext::compute_single() {
  throw Error(ErrorCode::unsupported_operation, "this graph does not stream (compute_single)");
}

Tensor ExecutionContext::get_output_single(const TensorId&) {
  throw Error(ErrorCode::unsupported_operation, "this graph does not stream (get_output_single)");
}

void ExecutionContext::fini_single() {
  throw Error(ErrorCode::unsupported_operation, "this graph does not stream (fini_single)");
}

void Backends::add_byte_loader(GraphEncoding encoding, std::shared_ptr<ByteLoaderBackend> backend) {
  byte_loaders_[encoding] = std::move(backend);
}

void Backends::set_name_loader(std::shared_ptr<NameLoaderBackend> backend) { name_loader_ = std::move(backend); }

std::shared_ptr<Graph> Backends::load(std::span<const std::span<const uint8_t>> builders, GraphEncoding encoding,
                                      ExecutionTarget target) const {
  auto it = byte_loaders_.find(encoding);
  if (it == byte_loaders_.end())
    throw Error(ErrorCode::invalid_encoding,
                "no backend loads graphs of encoding '" + std::string(to_string(encoding)) + "'");
  return it->second->load(builders, target);
}

std::shared_ptr<Graph> Backends::load_by_name(std::string_view name, std::string_view config_json) const {
  if (!name_loader_) throw Error(ErrorCode::not_found, "no load-by-name backend is configured");
  return name_loader_->load_by_name(name, config_json);
}

}  // namespace wasinn::nn
