#include "wasinn/nn/name_dispatch.h"

#include <string>

namespace wasinn::nn {

void NameDispatch::route(Serves serves, std::shared_ptr<NameLoaderBackend> backend) {
  routes_.push_back({std::move(serves), std::move(backend)});
}

std::shared_ptr<Graph> NameDispatch::load_by_name(std::string_view name, std::string_view config_json) {
  for (const auto& route : routes_)
    if (route.serves(name)) return route.backend->load_by_name(name, config_json);
  if (!fallback_) throw Error(ErrorCode::not_found, "no model named '" + std::string(name) + "'");
  return fallback_->load_by_name(name, config_json);
}

}  // namespace wasinn::nn
