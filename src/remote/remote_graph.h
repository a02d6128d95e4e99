// The remote backend as wasi-nn sees it: a graph per load-by-name (the model, its checked engine
// model id, the API key headers and the load options), and contexts that each hold their own
// HTTP connection, so contexts run requests in parallel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "wasinn/nn/request_options.h"
#include "wasinn/nn/backend.h"
#include "wasinn/remote/backend.h"

namespace wasinn::remote {

struct RemoteTarget {
  RemoteModel model;
  std::string model_id;              // the engine's id for it
  std::vector<std::string> headers;  // for every request (may carry the API key)
};

class RemoteGraph : public nn::Graph {
 public:
  RemoteGraph(std::shared_ptr<const RemoteTarget> target, nn::RequestOptions load_options)
      : target_(std::move(target)), load_options_(std::move(load_options)) {}
  std::unique_ptr<nn::ExecutionContext> init_execution_context() override;

 private:
  std::shared_ptr<const RemoteTarget> target_;
  nn::RequestOptions load_options_;
};

}  // namespace wasinn::remote
