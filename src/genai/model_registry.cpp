#include "wasinn/genai/model_registry.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "wasinn/nn/error.h"
#include "wasinn/nn/model_name.h"

namespace wasinn::genai {
namespace {

namespace fs = std::filesystem;
using nn::Error;
using nn::ErrorCode;

constexpr const char* kConfigFile = "genai_config.json";

bool has_config(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / kConfigFile, ec);
}

fs::path checked_model_dir(const fs::path& dir, std::string_view name) {
  if (!has_config(dir))
    throw Error(ErrorCode::invalid_argument, "model '" + std::string(name) + "' resolves to " + dir.string() +
                                                 ", which holds no " + kConfigFile);
  return dir;
}

bool is_gguf_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::error_code ec;
  return ext == ".gguf" && !fs::is_directory(path, ec);
}

}  // namespace

ModelRegistry ModelRegistry::from_environment() {
  ModelRegistry registry;
  for (const char* var : {"WASINN_MODELS", "WACS_WASINN_GENAI_DIR"}) {
    const char* value = std::getenv(var);
    if (value == nullptr) continue;
    std::stringstream paths(value);
    for (std::string root; std::getline(paths, root, ':');)
      if (!root.empty()) registry.add_root(root);
  }
  return registry;
}

void ModelRegistry::add_root(fs::path root) { roots_.push_back(std::move(root)); }

void ModelRegistry::add(std::string name, fs::path dir) {
  validate_name(name);
  std::erase_if(entries_, [&](const ModelEntry& e) { return e.name == name; });
  if (is_gguf_file(dir))
    entries_.push_back({std::move(name), {}, std::move(dir)});
  else
    entries_.push_back({std::move(name), std::move(dir), {}});
}

void ModelRegistry::set_resolver(Resolver resolver) { resolver_ = std::move(resolver); }

void ModelRegistry::set_gguf_converter(GgufConverter converter) { gguf_converter_ = std::move(converter); }

fs::path ModelRegistry::converted(const fs::path& gguf, std::string_view name) const {
  if (!gguf_converter_)
    throw Error(ErrorCode::invalid_argument, "model '" + std::string(name) + "' is the GGUF file " + gguf.string() +
                                                 ", and this host converts no GGUF files");
  return checked_model_dir(gguf_converter_(gguf), name);
}

void ModelRegistry::validate_name(std::string_view name) { nn::validate_model_name(name); }

fs::path ModelRegistry::resolve(std::string_view name) const {
  validate_name(name);
  for (const auto& e : entries_)
    if (e.name == name) return e.gguf.empty() ? checked_model_dir(e.dir, name) : converted(e.gguf, name);
  if (resolver_) {
    if (auto dir = resolver_(name)) return checked_model_dir(*dir, name);
  }
  for (const auto& root : roots_) {
    std::error_code ec;
    fs::path dir = root / std::string(name);
    if (fs::is_directory(dir, ec)) return checked_model_dir(dir, name);
    fs::path gguf = root / (std::string(name) + ".gguf");
    if (fs::is_regular_file(gguf, ec)) return converted(gguf, name);
  }
  std::string where;
  for (const auto& root : roots_) where += (where.empty() ? "" : ", ") + root.string();
  throw Error(ErrorCode::not_found, "no model named '" + std::string(name) + "'" +
                                        (where.empty() ? " (no model directories configured)" : " in " + where));
}

std::vector<ModelEntry> ModelRegistry::list() const {
  std::vector<ModelEntry> out = entries_;
  for (const auto& root : roots_) {
    std::vector<ModelEntry> found;
    std::error_code ec;
    for (const auto& child : fs::directory_iterator(root, ec)) {
      if (child.is_directory(ec) && has_config(child.path())) found.push_back({child.path().filename().string(), child.path(), {}});
      // A root's NAME.gguf is the model NAME, when NAME is a valid name no directory takes.
      if (child.is_regular_file(ec) && is_gguf_file(child.path())) {
        std::string stem = child.path().stem().string();
        try {
          validate_name(stem);
        } catch (const Error&) {
          continue;
        }
        if (!fs::is_directory(root / stem, ec)) found.push_back({stem, {}, child.path()});
      }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (auto& f : found)
      if (std::none_of(out.begin(), out.end(), [&](const auto& e) { return e.name == f.name; })) out.push_back(f);
  }
  return out;
}

}  // namespace wasinn::genai
