#include "remote/completion_stream.h"

#include "remote/engine_http.h"
#include "remote/openai_protocol.h"
#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/error.h"

namespace wasinn::remote {
namespace {

using nn::Error;
using nn::ErrorCode;

nn::StopReason stop_reason_of(const std::string& finish_reason) {
  // OpenAI's "stop" covers both the end-of-sequence token and a stop string; engines do not say
  // which in the standard fields.
  if (finish_reason == "length") return nn::StopReason::max_length;
  return nn::StopReason::eos;
}

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

CompletionStream::CompletionStream(HttpClient& client, const HttpRequest& request) : client_(client) {
  metadata_.provider = "remote";
  started_ = std::chrono::steady_clock::now();
  client_.start(request);
}

CompletionStream::~CompletionStream() {
  // An answer not read to its end (the guest stopped early, an error) closes its connection.
  if (!ended_) client_.abort();
}

std::optional<std::string> CompletionStream::next_piece() {
  // Before every piece, as a GenAI generation checks before every token: pieces already
  // received do not outlive a deadline (read_some checks while it waits).
  try {
    nn::check_current_cancellation();
  } catch (...) {
    client_.abort();
    ended_ = true;
    throw;
  }
  while (pieces_.empty() && !finished_) read_more();
  if (pieces_.empty()) return std::nullopt;
  std::string piece = std::move(pieces_.front());
  pieces_.pop_front();
  return piece;
}

void CompletionStream::read_more() {
  auto bytes = client_.read_some();
  if (!status_checked_) {
    check_status(client_, bytes);
    status_checked_ = true;
    auto type = client_.content_type();
    if (type.rfind("text/event-stream", 0) != 0) {
      std::string body = bytes.value_or("") + client_.read_all();
      ended_ = true;
      throw Error(ErrorCode::runtime_error, "the engine at " + client_.url() + " answered with " +
                                                (type.empty() ? std::string("no content type") : "'" + type + "'") +
                                                " instead of an event stream: " +
                                                engine_error_message(body));
    }
  }
  if (!bytes) {
    ended_ = true;
    if (finish_reason_ && !parser_.mid_event()) {  // some engines close without "[DONE]"
      finished_ = true;
      return;
    }
    throw Error(ErrorCode::runtime_error,
                "the engine at " + client_.url() + " ended its answer " +
                    (parser_.mid_event() ? "in the middle of an event" : "before saying it had finished") +
                    " (after " + std::to_string(parser_.bytes_seen()) + " bytes)");
  }
  for (const auto& event : parser_.feed(*bytes)) take(event);
  if (finished_ && !ended_) {
    // The rest (normally nothing), so the connection can serve the next request; the answer is
    // complete either way.
    try {
      client_.read_all();
    } catch (const nn::Error&) {
      client_.abort();
    }
    ended_ = true;
  }
}

void CompletionStream::take(const SseEvent& event) {
  if (finished_) return;
  auto chunk = parse_chunk(event, client_.url());
  if (chunk.done) {
    finished_ = true;
    return;
  }
  if (!chunk.text.empty()) {
    auto now = std::chrono::steady_clock::now();
    if (pieces_seen_ == 0) {
      first_piece_ = now;
      metadata_.time_to_first_token_ms = ms_between(started_, now);
    }
    last_piece_ = now;
    ++pieces_seen_;
    if (pieces_seen_ > 1) {
      double seconds = ms_between(first_piece_, last_piece_) / 1000.0;
      if (seconds > 0) metadata_.decode_tokens_per_second = static_cast<double>(pieces_seen_ - 1) / seconds;
    }
    if (!has_usage_) metadata_.output_tokens = pieces_seen_;
    pieces_.push_back(std::move(chunk.text));
  }
  if (chunk.finish_reason) {
    finish_reason_ = chunk.finish_reason;
    metadata_.stop_reason = stop_reason_of(*chunk.finish_reason);
  }
  if (chunk.prompt_tokens) metadata_.input_tokens = *chunk.prompt_tokens;
  if (chunk.completion_tokens) {
    has_usage_ = true;
    metadata_.output_tokens = *chunk.completion_tokens;
  }
}

}  // namespace wasinn::remote
