#include "remote/http_client.h"

#include <curl/curl.h>

#include <mutex>

#include "wasinn/nn/cancellation.h"

namespace wasinn::remote {
namespace {

using nn::Error;
using nn::ErrorCode;

// How often a waiting read wakes to check the cancellation and the idle timeout.
constexpr std::chrono::milliseconds kPollInterval{50};

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw Error(ErrorCode::runtime_error, "libcurl failed to initialise");
  });
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string describe_failure(CURLcode code, const char* detail, const std::string& url) {
  std::string why = detail && *detail ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "cannot reach the engine at " + url + ": " + why;
    case CURLE_OPERATION_TIMEDOUT:
      return "the engine at " + url + " did not accept the connection in time: " + why;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return "the connection to the engine at " + url + " broke before its answer was complete: " + why;
    default:
      return "request to the engine at " + url + " failed: " + why;
  }
}

}  // namespace

struct HttpClient::Handles {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
};

HttpClient::HttpClient() : h_(new Handles) {
  global_init();
  h_->easy = curl_easy_init();
  h_->multi = curl_multi_init();
  if (!h_->easy || !h_->multi) {
    if (h_->easy) curl_easy_cleanup(h_->easy);
    if (h_->multi) curl_multi_cleanup(h_->multi);
    delete h_;
    throw Error(ErrorCode::runtime_error, "libcurl could not create a transfer handle");
  }
}

HttpClient::~HttpClient() {
  abort();
  curl_multi_cleanup(h_->multi);
  curl_easy_cleanup(h_->easy);
  curl_slist_free_all(h_->headers);
  delete h_;
}

void HttpClient::start(const HttpRequest& request) {
  abort();
  url_ = request.url;
  idle_timeout_ = request.idle_timeout;
  received_.clear();
  CURL* e = h_->easy;
  // Reset the options, not the handle's connection: the multi handle keeps it for reuse.
  curl_easy_reset(e);
  curl_slist_free_all(h_->headers);
  h_->headers = nullptr;
  for (const auto& header : request.headers) h_->headers = curl_slist_append(h_->headers, header.c_str());
  h_->error[0] = '\0';
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h_->headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &received_);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h_->error);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // identity or what curl decodes itself
  if (!request.body.empty()) {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, request.body.c_str());  // copied: the request may go first
  }
  if (curl_multi_add_handle(h_->multi, e) != CURLM_OK)
    throw Error(ErrorCode::runtime_error, "libcurl could not start the request to " + url_);
  running_ = true;
  last_activity_ = std::chrono::steady_clock::now();
}

std::optional<std::string> HttpClient::read_some() {
  while (received_.empty() && running_) {
    try {
      nn::check_current_cancellation();
    } catch (...) {
      abort();
      throw;
    }
    int still_running = 0;
    size_t before = received_.size();
    curl_multi_perform(h_->multi, &still_running);
    if (received_.size() != before) last_activity_ = std::chrono::steady_clock::now();
    if (still_running == 0) {
      finish_transfer();  // throws on a transport failure
      break;
    }
    if (!received_.empty()) break;
    auto silent = std::chrono::steady_clock::now() - last_activity_;
    if (silent > idle_timeout_) {
      abort();
      throw Error(ErrorCode::runtime_error,
                  "the engine at " + url_ + " sent nothing for " +
                      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(silent).count()) +
                      " ms (idle timeout " + std::to_string(idle_timeout_.count()) + " ms)");
    }
    curl_multi_poll(h_->multi, nullptr, 0, static_cast<int>(kPollInterval.count()), nullptr);
  }
  if (received_.empty()) return std::nullopt;
  std::string out;
  out.swap(received_);
  return out;
}

std::string HttpClient::read_all() {
  std::string all;
  while (auto chunk = read_some()) all += *chunk;
  return all;
}

void HttpClient::finish_transfer() {
  CURLcode result = CURLE_OK;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(h_->multi, &queued))
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == h_->easy) result = msg->data.result;
  curl_multi_remove_handle(h_->multi, h_->easy);
  running_ = false;
  if (result != CURLE_OK) {
    received_.clear();
    throw Error(ErrorCode::runtime_error, describe_failure(result, h_->error, url_));
  }
}

long HttpClient::status() const {
  long code = 0;
  curl_easy_getinfo(h_->easy, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

long HttpClient::new_connections() const {
  long count = 0;
  curl_easy_getinfo(h_->easy, CURLINFO_NUM_CONNECTS, &count);
  return count;
}

std::string HttpClient::content_type() const {
  const char* type = nullptr;
  curl_easy_getinfo(h_->easy, CURLINFO_CONTENT_TYPE, &type);
  return type ? type : "";
}

void HttpClient::abort() {
  if (!running_) return;
  curl_multi_remove_handle(h_->multi, h_->easy);
  running_ = false;
  received_.clear();
}

}  // namespace wasinn::remote
