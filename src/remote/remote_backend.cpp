#include <algorithm>

#include "remote/engine_http.h"
#include "remote/openai_protocol.h"
#include "remote/remote_graph.h"
#include "wasinn/nn/model_name.h"
#include "wasinn/nn/error.h"
#include "wasinn/remote/backend.h"

namespace wasinn::remote {
namespace {

namespace fs = std::filesystem;
using nn::Error;
using nn::ErrorCode;

bool has_config(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / RemoteBackend::kConfigFile, ec);
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "'" : ", '") + id + "'";
  return out;
}

// The engine's id for `model`: the configured one, checked against /v1/models, or the single
// model listed there.
std::string resolve_model_id(const RemoteModel& model, const std::vector<std::string>& headers) {
  HttpClient client;
  auto request = make_request(model, headers, "/models", "");
  auto ids = model_ids(get(client, request), request.url);
  if (model.model.empty()) {
    if (ids.size() == 1) return ids[0];
    if (ids.empty()) throw Error(ErrorCode::runtime_error, "the engine at " + request.url + " lists no models");
    throw Error(ErrorCode::invalid_argument, "the engine at " + model.url + " serves several models (" + joined(ids) +
                                                 "): name one as URL#MODEL (or \"model\" in remote.json)");
  }
  if (std::find(ids.begin(), ids.end(), model.model) == ids.end())
    throw Error(ErrorCode::invalid_argument, "the engine at " + model.url + " serves no model '" + model.model +
                                                 "' (it lists " + joined(ids) + ")");
  return model.model;
}

}  // namespace

void RemoteBackend::add(std::string name, RemoteModel model) {
  nn::validate_model_name(name);
  model.validate();
  models_.insert_or_assign(std::move(name), std::move(model));
}

void RemoteBackend::add_root(fs::path root) { roots_.push_back(std::move(root)); }

std::optional<RemoteModel> RemoteBackend::find(std::string_view name) const {
  if (auto it = models_.find(name); it != models_.end()) return it->second;
  try {
    nn::validate_model_name(name);  // before the name touches the file system
  } catch (const Error&) {
    return std::nullopt;
  }
  for (const auto& root : roots_) {
    fs::path dir = root / std::string(name);
    if (has_config(dir)) return RemoteModel::from_json_file(dir / kConfigFile);
  }
  return std::nullopt;
}

bool RemoteBackend::serves(std::string_view name) const {
  if (models_.contains(name)) return true;
  try {
    nn::validate_model_name(name);
  } catch (const Error&) {
    return false;
  }
  return std::any_of(roots_.begin(), roots_.end(), [&](const fs::path& root) { return has_config(root / std::string(name)); });
}

std::vector<RemoteBackend::Entry> RemoteBackend::list() const {
  std::vector<Entry> out;
  for (const auto& [name, model] : models_) out.push_back({name, model});
  for (const auto& root : roots_) {
    std::vector<Entry> found;
    std::error_code ec;
    for (const auto& child : fs::directory_iterator(root, ec)) {
      if (!child.is_directory(ec) || !has_config(child.path())) continue;
      auto name = child.path().filename().string();
      if (std::any_of(out.begin(), out.end(), [&](const Entry& e) { return e.name == name; })) continue;
      try {
        found.push_back({name, RemoteModel::from_json_file(child.path() / kConfigFile)});
      } catch (const Error&) {
        // listed by the caller's other means (loading it reports the error)
      }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (auto& f : found) out.push_back(std::move(f));
  }
  return out;
}

std::shared_ptr<nn::Graph> RemoteBackend::load_by_name(std::string_view name, std::string_view config_json) {
  auto model = find(name);
  if (!model) throw Error(ErrorCode::not_found, "no remote model named '" + std::string(name) + "'");
  auto load_options = nn::RequestOptions::parse_json(config_json);
  refuse_unserved_options(load_options);
  auto target = std::make_shared<RemoteTarget>();
  target->headers = request_headers(*model);
  std::string key = model->url + '\n' + model->model + '\n' + model->api_key_env;
  {
    std::lock_guard lock(mutex_);
    if (auto it = resolved_ids_.find(key); it != resolved_ids_.end()) target->model_id = it->second;
  }
  if (target->model_id.empty()) {
    target->model_id = resolve_model_id(*model, target->headers);
    std::lock_guard lock(mutex_);
    resolved_ids_[key] = target->model_id;
  }
  target->model = std::move(*model);
  return std::make_shared<RemoteGraph>(std::move(target), std::move(load_options));
}

}  // namespace wasinn::remote
