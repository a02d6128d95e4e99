// One streamed completion: the request goes out on construction, and next_piece() reads the
// engine's server-sent events as they arrive, so each piece reaches the guest as soon as the
// engine has sent it (not when the whole answer is done).
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "remote/http_client.h"
#include "remote/sse_parser.h"
#include "wasinn/nn/generation_metadata.h"

namespace wasinn::remote {

class CompletionStream {
 public:
  // Starts `request` on `client` (which must outlive this stream).
  CompletionStream(HttpClient& client, const HttpRequest& request);
  ~CompletionStream();
  CompletionStream(const CompletionStream&) = delete;
  CompletionStream& operator=(const CompletionStream&) = delete;

  // The next piece of text, or nullopt once the engine has finished. nn::Error as
  // HttpClient::read_some, check_status and parse_chunk say; also runtime_error when the answer
  // is not an event stream, or ends before the engine said it had finished.
  std::optional<std::string> next_piece();
  // Tokens and stop reason, from `usage` and `finish_reason` (output_tokens counts the pieces
  // until a `usage` arrives, for engines that send none); timings from this side's clock.
  const nn::GenerationMetadata& metadata() const { return metadata_; }

 private:
  void read_more();
  void take(const SseEvent& event);

  HttpClient& client_;
  SseParser parser_;
  std::deque<std::string> pieces_;
  bool status_checked_ = false;
  bool finished_ = false;  // the engine said so ("[DONE]", or the end of the body after a finish_reason)
  bool ended_ = false;     // the body has ended
  std::optional<std::string> finish_reason_;
  bool has_usage_ = false;
  size_t pieces_seen_ = 0;
  nn::GenerationMetadata metadata_;
  std::chrono::steady_clock::time_point started_, first_piece_, last_piece_;
};

}  // namespace wasinn::remote
