#include "wasinn/genai/backend.h"

#include "genai/genai_graph.h"
#include "genai/guidance.h"
#include "genai/loaded_model.h"
#include "wasinn/nn/error.h"

namespace wasinn::genai {

// Per model directory: the live model, and a mutex that racing first loaders wait on, so a
// model loads once while other models load in parallel.
struct GenAIBackend::Slot {
  std::mutex loading;
  std::weak_ptr<const LoadedModel> model;
};

GenAIBackend::GenAIBackend(ModelRegistry registry, BackendOptions options)
    : registry_(std::move(registry)), options_(std::move(options)) {}

GenAIBackend::~GenAIBackend() = default;

std::shared_ptr<const LoadedModel> GenAIBackend::open(std::string_view name) {
  auto dir = registry_.resolve(name);
  std::error_code ec;
  auto key = std::filesystem::weakly_canonical(dir, ec);
  if (ec) key = std::filesystem::absolute(dir);

  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(mutex_);
    auto& s = slots_[key];
    if (!s) s = std::make_shared<Slot>();
    slot = s;
  }
  std::lock_guard loading(slot->loading);
  if (auto live = slot->model.lock()) return live;
  auto model = std::make_shared<const LoadedModel>(key, options_);
  slot->model = model;
  return model;
}

const ModelInfo& GenAIBackend::info(const LoadedModel& model) { return model.info(); }

std::shared_ptr<nn::Graph> GenAIBackend::load_by_name(std::string_view name, std::string_view config_json) {
  auto load_options = RequestOptions::parse_json(config_json);
  auto model = open(name);
  check_guidance(*model, load_options);  // a bad schema or grammar fails the load, not a later compute
  return std::make_shared<GenAIGraph>(std::move(model), options_, std::move(load_options));
}

}  // namespace wasinn::genai
