// The ONNX Runtime GenAI backend: a wasi-nn load-by-name backend over a ModelRegistry, and the
// native entry point for hosts and embedders (open() + GenerationSession).
//
// One loaded model per directory, shared by every graph, context and session that names it,
// and freed when the last of them goes; concurrent first loads of one model load it once.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "wasinn/genai/model_registry.h"
#include "wasinn/genai/options.h"
#include "wasinn/nn/backend.h"

namespace wasinn::genai {

class LoadedModel;

struct ModelInfo {
  std::filesystem::path dir;
  std::string type;            // genai_config.json model.type, e.g. "llama"
  std::string provider;        // the execution provider actually in use, e.g. "cpu"
  int context_length = 0;
  int vocab_size = 0;
  bool has_chat_template = false;
  // genai_config.json model.pad_token_id: GenAI masks this token out of its input as padding.
  std::optional<int32_t> pad_token_id;
};

class GenAIBackend : public nn::NameLoaderBackend, public std::enable_shared_from_this<GenAIBackend> {
 public:
  explicit GenAIBackend(ModelRegistry registry, BackendOptions options = BackendOptions::from_environment());
  ~GenAIBackend() override;

  // wasi-nn load-by-name; `config_json` (RequestOptions JSON) becomes the graph's defaults.
  std::shared_ptr<nn::Graph> load_by_name(std::string_view name, std::string_view config_json) override;

  // Loads (or shares) the model `name` resolves to, for native use.
  std::shared_ptr<const LoadedModel> open(std::string_view name);
  static const ModelInfo& info(const LoadedModel& model);

  const ModelRegistry& registry() const { return registry_; }
  const BackendOptions& options() const { return options_; }

 private:
  ModelRegistry registry_;
  BackendOptions options_;
  std::mutex mutex_;
  // Per directory: the live model, or the load in progress (so racing loaders wait for it).
  struct Slot;
  std::map<std::filesystem::path, std::shared_ptr<Slot>> slots_;
};

}  // namespace wasinn::genai
