// What every request to an engine shares: its headers (the API key as a bearer token), and
// turning an HTTP error answer into the nn::Error an operator can act on.
#pragma once

#include <string>
#include <vector>

#include "remote/http_client.h"
#include "wasinn/remote/backend.h"

namespace wasinn::remote {

// Content-Type, Accept and, when the model names api_key_env, "Authorization: Bearer <key>"
// (nn::Error(invalid_argument) naming the variable, never its value, when it is unset).
std::vector<std::string> request_headers(const RemoteModel& model);

HttpRequest make_request(const RemoteModel& model, const std::vector<std::string>& headers, const char* path,
                         std::string body);

// After the first read of an answer (`first`: what it returned): 4xx is invalid_argument and 5xx
// (any other non-2xx) runtime_error, each with the engine's message and the URL; reads the rest
// of the error body to say so.
void check_status(HttpClient& client, const std::optional<std::string>& first);

// A GET of a JSON answer, whole.
std::string get(HttpClient& client, const HttpRequest& request);

}  // namespace wasinn::remote
