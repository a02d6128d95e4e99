#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "wasinn/nn/error.h"
#include "wasinn/remote/backend.h"

namespace wasinn::remote {
namespace {

using nn::Error;
using nn::ErrorCode;

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorCode::invalid_argument, message); }

std::chrono::milliseconds seconds_field(const nlohmann::json& j, const char* key, std::chrono::milliseconds fallback,
                                        const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number() || !(it->get<double>() > 0.0) || it->get<double>() > 86400.0)
    invalid(source + ": '" + key + "' must be a number of seconds in (0, 86400]");
  return std::chrono::milliseconds(static_cast<long long>(it->get<double>() * 1000.0 + 0.5));
}

std::string string_field(const nlohmann::json& j, const char* key, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) invalid(source + ": '" + key + "' must be a string");
  return it->get<std::string>();
}

}  // namespace

RemoteModel RemoteModel::from_location(std::string_view location) {
  RemoteModel m;
  auto hash = location.find('#');
  m.url = std::string(location.substr(0, hash));
  if (hash != std::string_view::npos) {
    m.model = std::string(location.substr(hash + 1));
    if (m.model.empty()) invalid("'" + std::string(location) + "': nothing after '#' (expected URL#MODEL)");
  }
  m.validate();
  return m;
}

RemoteModel RemoteModel::from_json(std::string_view json, const std::string& source) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) invalid(source + " is not valid JSON");
  if (!j.is_object()) invalid(source + " must hold a JSON object");
  RemoteModel m;
  m.url = string_field(j, "url", source);
  if (m.url.empty()) invalid(source + ": 'url' (the engine's /v1 base) is required");
  m.model = string_field(j, "model", source);
  m.api_key_env = string_field(j, "api_key_env", source);
  m.connect_timeout = seconds_field(j, "connect_timeout", m.connect_timeout, source);
  m.idle_timeout = seconds_field(j, "idle_timeout", m.idle_timeout, source);
  try {
    m.validate();
  } catch (const Error& e) {
    invalid(source + ": " + e.what());
  }
  return m;
}

RemoteModel RemoteModel::from_json_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) invalid("cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return from_json(text.str(), file.string());
}

void RemoteModel::validate() const {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    invalid("engine URL '" + url + "' must start with http:// or https://");
  if (url.size() <= std::string_view("https://").size() - (url[4] == 's' ? 0 : 1))
    invalid("engine URL '" + url + "' names no host");
  if (connect_timeout.count() <= 0 || idle_timeout.count() <= 0) invalid("timeouts must be positive");
  for (char c : api_key_env)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      invalid("api_key_env '" + api_key_env + "' is not an environment variable name");
}

}  // namespace wasinn::remote
