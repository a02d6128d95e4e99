#include "remote/engine_http.h"

#include <cstdlib>

#include "remote/openai_protocol.h"

namespace wasinn::remote {

using nn::Error;
using nn::ErrorCode;

std::vector<std::string> request_headers(const RemoteModel& model) {
  std::vector<std::string> headers{"Content-Type: application/json", "Accept: application/json, text/event-stream"};
  if (!model.api_key_env.empty()) {
    const char* key = std::getenv(model.api_key_env.c_str());
    if (key == nullptr || *key == '\0')
      throw Error(ErrorCode::invalid_argument, "the engine's API key variable " + model.api_key_env + " is not set");
    headers.push_back(std::string("Authorization: Bearer ") + key);
  }
  return headers;
}

HttpRequest make_request(const RemoteModel& model, const std::vector<std::string>& headers, const char* path,
                         std::string body) {
  HttpRequest r;
  std::string base = model.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  r.url = base + path;
  r.body = std::move(body);
  r.headers = headers;
  r.connect_timeout = model.connect_timeout;
  r.idle_timeout = model.idle_timeout;
  return r;
}

void check_status(HttpClient& client, const std::optional<std::string>& first) {
  long status = client.status();
  if (status >= 200 && status < 300) return;
  std::string body = first.value_or("") + client.read_all();
  std::string message = "the engine at " + client.url() + " answered HTTP " + std::to_string(status) + ": " +
                        engine_error_message(body);
  throw Error(status >= 400 && status < 500 ? ErrorCode::invalid_argument : ErrorCode::runtime_error, message);
}

std::string get(HttpClient& client, const HttpRequest& request) {
  client.start(request);
  auto first = client.read_some();
  check_status(client, first);
  return first.value_or("") + client.read_all();
}

}  // namespace wasinn::remote
