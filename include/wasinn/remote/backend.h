// The remote backend: models served by an existing OpenAI-compatible engine (vLLM, SGLang, TGI,
// llama.cpp's server, Ollama) over HTTP, so the same guests run against a cluster and this host
// keeps no model memory. A load-by-name backend beside GenAI's (nn::NameDispatch routes the
// names registered here to it).
//
// Guest contract, as the GenAI backend's: a named `prompt` becomes one user message on
// /v1/chat/completions (the engine applies its template), `messages` go as they are, an
// index-addressed prompt (already templated by its guest) goes raw to /v1/completions; the
// options map onto the API; metadata comes from `usage` and `finish_reason`.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasinn/nn/backend.h"

namespace wasinn::remote {

// One model on an engine, as an operator or embedder configures it.
struct RemoteModel {
  std::string url;          // the engine's OpenAI-compatible base, e.g. http://10.0.0.5:8000/v1 (http or https)
  std::string model;        // the engine's model id; empty: the one model its /v1/models lists
  std::string api_key_env;  // the environment variable holding the API key (sent as a bearer token); empty: none
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{60000};  // the longest the engine may stay silent within an answer

  // --nn-preload's location: "URL" or "URL#MODEL".
  static RemoteModel from_location(std::string_view location);
  // remote.json: {"url": ..., "model": ..., "api_key_env": ..., "connect_timeout": seconds,
  // "idle_timeout": seconds}; only url is required.
  static RemoteModel from_json(std::string_view json, const std::string& source);
  static RemoteModel from_json_file(const std::filesystem::path& file);
  // nn::Error(invalid_argument) for a URL that is not http(s) or a timeout that is not positive.
  void validate() const;
};

class RemoteBackend : public nn::NameLoaderBackend {
 public:
  static constexpr const char* kConfigFile = "remote.json";

  // Registers `name` (replacing an earlier one); validates the model.
  void add(std::string name, RemoteModel model);
  // A root whose first-level directories holding remote.json are remote models named after them.
  void add_root(std::filesystem::path root);

  // Whether `name` is a remote model (registered, or a root's directory with remote.json).
  bool serves(std::string_view name) const;
  struct Entry {
    std::string name;
    RemoteModel model;
  };
  // Registered models, then each root's, sorted; a root's unreadable remote.json is skipped.
  std::vector<Entry> list() const;

  // The first load of a model asks the engine's /v1/models: for the model id when none was
  // configured (several is invalid_argument asking for one), and to check a configured id
  // (invalid_argument when the engine does not serve it). Unreachable engine: runtime_error
  // naming the URL. `config_json` holds load options, as the GenAI backend's.
  std::shared_ptr<nn::Graph> load_by_name(std::string_view name, std::string_view config_json) override;

 private:
  std::optional<RemoteModel> find(std::string_view name) const;

  std::map<std::string, RemoteModel, std::less<>> models_;
  std::vector<std::filesystem::path> roots_;
  std::mutex mutex_;
  std::map<std::string, std::string> resolved_ids_;  // "url\nmodel" -> the engine's model id, once checked
};

}  // namespace wasinn::remote
