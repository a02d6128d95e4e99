// Several load-by-name backends behind the one name loader of nn::Backends: each route says
// which names it serves (the remote backend: the names an operator pointed at an engine), and
// every other name goes to the fallback (the GenAI backend, whose model roots are open-ended).
// It lives in the nn core because it knows nothing of any backend but their interface.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "wasinn/nn/backend.h"

namespace wasinn::nn {

class NameDispatch : public NameLoaderBackend {
 public:
  using Serves = std::function<bool(std::string_view name)>;

  // `fallback` may be null: unrouted names are then not_found.
  explicit NameDispatch(std::shared_ptr<NameLoaderBackend> fallback) : fallback_(std::move(fallback)) {}
  // Routes are asked in the order added; the first that serves a name loads it.
  void route(Serves serves, std::shared_ptr<NameLoaderBackend> backend);

  std::shared_ptr<Graph> load_by_name(std::string_view name, std::string_view config_json) override;

 private:
  struct Route {
    Serves serves;
    std::shared_ptr<NameLoaderBackend> backend;
  };
  std::vector<Route> routes_;
  std::shared_ptr<NameLoaderBackend> fallback_;
};

}  // namespace wasinn::nn
