// The GenAI backend as wasi-nn sees it: a graph per load-by-name, contexts that dispatch on
// their input (prompt / messages / input_ids) and hold per-caller state.
#pragma once

#include <memory>

#include "genai/loaded_model.h"
#include "wasinn/genai/options.h"
#include "wasinn/nn/backend.h"

namespace wasinn::genai {

class GenAIGraph : public nn::Graph {
 public:
  GenAIGraph(std::shared_ptr<const LoadedModel> model, BackendOptions options, RequestOptions load_options)
      : model_(std::move(model)), options_(std::move(options)), load_options_(std::move(load_options)) {}
  std::unique_ptr<nn::ExecutionContext> init_execution_context() override;

 private:
  std::shared_ptr<const LoadedModel> model_;
  BackendOptions options_;
  RequestOptions load_options_;
};

}  // namespace wasinn::genai
