// Execution contexts of the remote backend, with the GenAI backend's guest contract: inputs by
// name (prompt, messages, options) or by index (0: the prompt, u8; 1: JSON options); outputs
// response / index 0 (text) and metadata / index 1 (JSON); compute for a whole answer,
// compute_single for the next piece of a streamed one. input_ids are refused: an
// OpenAI-compatible engine returns text, not logits.
#include <cstdio>
#include <optional>

#include "remote/completion_stream.h"
#include "remote/engine_http.h"
#include "remote/openai_protocol.h"
#include "remote/remote_graph.h"
#include "wasinn/nn/text_input.h"

namespace wasinn::remote {
namespace {

using nn::Error;
using nn::ErrorCode;
using nn::Tensor;
using nn::TensorId;
using nn::TensorType;

[[noreturn]] void no_logits() {
  throw Error(ErrorCode::unsupported_operation,
              "input_ids (token ids to logits) is not available for a remote model: its weights stay on the "
              "engine, and the OpenAI-compatible API returns text, not logits");
}

void print_to_stdout(const std::string& piece) {
  std::fwrite(piece.data(), 1, piece.size(), stdout);
  std::fflush(stdout);
}

bool is_output(const TensorId& id, const char* name, uint32_t index) {
  return id == TensorId(name) || id == TensorId(index);
}

class RemoteContext : public nn::ExecutionContext {
 public:
  RemoteContext(std::shared_ptr<const RemoteTarget> target, const nn::RequestOptions& load)
      : target_(std::move(target)), request_(load), load_options_(load) {
    metadata_.provider = "remote";
  }

  void set_input(const TensorId& id, Tensor tensor) override {
    if (id == TensorId("options") || id == TensorId(1u)) {
      request_ = load_options_;
      auto options = nn::RequestOptions::parse_json(nn::text_input(tensor, "options"));
      refuse_unserved_options(options);
      request_.merge(options);
      return;
    }
    if (id == TensorId("prompt") || id == TensorId("messages")) {
      text_ = nn::text_input(tensor, id.name()->c_str());
      kind_ = id == TensorId("prompt") ? Kind::prompt : Kind::messages;
      named_ = true;
    } else if (id == TensorId("input_ids")) {
      no_logits();
    } else if (id == TensorId(0u)) {
      if (tensor.type == TensorType::i64) no_logits();
      text_ = nn::text_input(tensor, "input 0 (prompt)");
      kind_ = Kind::prompt;
      named_ = false;
    } else {
      throw Error(ErrorCode::invalid_argument, "unknown input " + id.to_string() +
                                                   "; expected 'prompt', 'messages' or 'options' "
                                                   "(or index 0 = prompt, 1 = options)");
    }
    response_.reset();
  }

  void compute() override {
    stream_.reset();
    response_.reset();
    CompletionStream stream(client_, next_request());
    std::string response = request_.include_prompt.value_or(false) ? text_ : std::string();
    bool echo = request_.stream_stdout.value_or(false);
    while (auto piece = stream.next_piece()) {
      if (echo) print_to_stdout(*piece);
      response += *piece;
    }
    metadata_ = stream.metadata();
    response_ = std::move(response);
  }

  Tensor get_output(const TensorId& id) override {
    if (is_output(id, "metadata", 1)) return Tensor::from_bytes(metadata_.to_json());
    if (response_ && is_output(id, "response", 0)) return Tensor::from_bytes(*response_);
    if (!response_) throw Error(ErrorCode::invalid_argument, "no output " + id.to_string() + " yet: call compute first");
    throw Error(ErrorCode::invalid_argument,
                "no output " + id.to_string() + "; this context has 'response' (0) and 'metadata' (1)");
  }

  void compute_single() override {
    if (!stream_) {
      // Starting replaces any earlier stream first: its connection is closed before a new one opens.
      stream_.emplace(client_, next_request());
      last_piece_.clear();
    }
    std::optional<std::string> piece;
    try {
      piece = stream_->next_piece();
    } catch (...) {
      metadata_ = stream_->metadata();
      stream_.reset();
      throw;
    }
    metadata_ = stream_->metadata();
    if (!piece) {
      last_piece_.clear();
      throw Error(ErrorCode::end_of_sequence, "generation has finished");
    }
    if (request_.stream_stdout.value_or(false)) print_to_stdout(*piece);
    last_piece_ = std::move(*piece);
    streamed_ = true;
  }

  Tensor get_output_single(const TensorId& id) override {
    if (is_output(id, "metadata", 1)) return Tensor::from_bytes(metadata_.to_json());
    if (!is_output(id, "response", 0))
      throw Error(ErrorCode::invalid_argument, "no streamed output " + id.to_string() + "; use 'response' (0)");
    if (!streamed_) throw Error(ErrorCode::invalid_argument, "no streamed piece yet: call compute_single first");
    return Tensor::from_bytes(last_piece_);
  }

  void fini_single() override {
    stream_.reset();
    last_piece_.clear();
    streamed_ = false;
  }

 private:
  enum class Kind { none, prompt, messages };

  HttpRequest next_request() const {
    if (kind_ == Kind::none)
      throw Error(ErrorCode::invalid_argument, "no input set: expected 'prompt' or 'messages'");
    // As in the GenAI backend: a named prompt is the user's turn unless chat_template is false;
    // an index-addressed prompt (WasmEdge-style guests template their own) is raw unless true.
    InputKind kind = InputKind::messages;
    if (kind_ == Kind::prompt) {
      bool templated = request_.chat_template.value_or(named_);
      kind = templated ? InputKind::user_prompt : InputKind::raw_prompt;
    }
    auto body = request_body(target_->model_id, kind, text_, request_);
    return make_request(target_->model, target_->headers, path_of(endpoint_for(kind)), std::move(body));
  }

  std::shared_ptr<const RemoteTarget> target_;
  nn::RequestOptions request_;
  nn::RequestOptions load_options_;
  HttpClient client_;  // before stream_: a stream refers to it

  Kind kind_ = Kind::none;
  bool named_ = false;
  std::string text_;
  std::optional<std::string> response_;
  nn::GenerationMetadata metadata_;
  std::optional<CompletionStream> stream_;
  std::string last_piece_;
  bool streamed_ = false;
};

}  // namespace

std::unique_ptr<nn::ExecutionContext> RemoteGraph::init_execution_context() {
  return std::make_unique<RemoteContext>(target_, load_options_);
}

}  // namespace wasinn::remote
