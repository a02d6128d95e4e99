// A small HTTP client over libcurl for talking to one engine: one request at a time, its body
// read incrementally as it arrives (so a streamed answer reaches the guest piece by piece), and
// the connection kept for the next request.
//
// The transfer runs on the caller's thread through curl's multi interface, driven by read_some()
// in short polls; between polls it checks the caller's cancellation (a guest's -W timeout
// deadline, SIGINT) and the idle timeout, and aborts the transfer when either fires. Used by one
// thread at a time (one client per execution context, so contexts make requests in parallel).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "wasinn/nn/error.h"

namespace wasinn::remote {

struct HttpRequest {
  std::string url;
  std::string body;  // empty: GET; otherwise a POST of this JSON
  std::vector<std::string> headers;  // "Name: value"; not logged (one may carry the API key)
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{60000};  // the longest silence: before the first byte and between bytes
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts `request`, abandoning one still in flight.
  void start(const HttpRequest& request);
  // Waits for more of the response body and returns it (never empty); nullopt once the response
  // has ended. Throws nn::Error(runtime_error) naming the URL when the engine cannot be reached,
  // the connection breaks or the engine stays silent past the idle timeout, and nn::Cancelled
  // when the caller's cancellation is raised; the transfer is aborted then.
  std::optional<std::string> read_some();
  // Reads the rest of the body (for an error answer).
  std::string read_all();
  // The HTTP status and Content-Type, once the response headers have arrived (0 / "" before).
  long status() const;
  std::string content_type() const;
  const std::string& url() const { return url_; }
  // Connections the last request had to open (0: it reused a kept one).
  long new_connections() const;
  // Ends the request in flight, if any (closing its connection).
  void abort();

 private:
  struct Handles;
  void finish_transfer();

  Handles* h_;
  std::string url_;
  std::chrono::milliseconds idle_timeout_{0};
  std::string received_;   // body bytes not yet returned
  bool running_ = false;
  std::chrono::steady_clock::time_point last_activity_;
};

}  // namespace wasinn::remote
