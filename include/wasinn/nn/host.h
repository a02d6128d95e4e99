// The set of backends one process serves: byte loaders keyed by encoding and at most one
// load-by-name backend, so a byte-loading ONNX backend and the GenAI backend live side by side.
#pragma once

#include <map>
#include <memory>

#include "wasinn/nn/backend.h"

namespace wasinn::nn {

class Backends {
 public:
  void add_byte_loader(GraphEncoding encoding, std::shared_ptr<ByteLoaderBackend> backend);
  void set_name_loader(std::shared_ptr<NameLoaderBackend> backend);

  // Error(invalid_encoding) when no backend serves `encoding`.
  std::shared_ptr<Graph> load(std::span<const std::span<const uint8_t>> builders, GraphEncoding encoding,
                              ExecutionTarget target) const;
  // Error(not_found) when no load-by-name backend is registered.
  std::shared_ptr<Graph> load_by_name(std::string_view name, std::string_view config_json = {}) const;

 private:
  std::map<GraphEncoding, std::shared_ptr<ByteLoaderBackend>> byte_loaders_;
  std::shared_ptr<NameLoaderBackend> name_loader_;
};

}  // namespace wasinn::nn
