// Execution contexts of the GenAI backend. Inputs are dispatched by name (prompt, messages,
// input_ids, options) or, for index-addressed guests, by index and type: index 0 is the prompt
// (u8) or input_ids (i64), index 1 is JSON options (u8). Outputs: response / index 0 (text),
// metadata / index 1 (JSON), logits / index 0 after input_ids. With the `embedding` option, a
// prompt gives its embedding: WasmEdge's JSON at index 0 (or `response`) and an f32 tensor
// `embedding` [1, N] by name.
#include <cstdio>
#include <optional>

#include "genai/embedding.h"
#include "genai/genai_graph.h"
#include "genai/guidance.h"
#include "genai/logits_runner.h"
#include "wasinn/genai/generation_session.h"
#include "wasinn/nn/text_input.h"

namespace wasinn::genai {
namespace {

using nn::Error;
using nn::ErrorCode;
using nn::Tensor;
using nn::TensorId;
using nn::TensorType;

// GenAI failures inside a context are runtime errors carrying GenAI's message.
template <typename F>
auto translating_genai_errors(F&& body) {
  try {
    return body();
  } catch (const oga::Error& e) {
    throw Error(ErrorCode::runtime_error, e.what());
  }
}

void print_to_stdout(const std::string& piece) {
  std::fwrite(piece.data(), 1, piece.size(), stdout);
  std::fflush(stdout);
}

class GenAIContext : public nn::ExecutionContext {
 public:
  GenAIContext(std::shared_ptr<const LoadedModel> model, const BackendOptions& options, const RequestOptions& load)
      : model_(model), options_(options), request_(load), load_options_(load), logits_(std::move(model)) {}

  void set_input(const TensorId& id, Tensor tensor) override {
    translating_genai_errors([&] { set_input_checked(id, std::move(tensor)); });
  }

  void compute() override {
    translating_genai_errors([&] {
      stream_.reset();
      response_.reset();
      logits_out_.reset();
      embedding_.reset();
      if (current_settings().embedding) {
        if (kind_ == Kind::none) throw Error(ErrorCode::invalid_argument, "no input set: expected 'prompt'");
        if (kind_ != Kind::prompt)
          throw Error(ErrorCode::invalid_argument, "embedding needs a text prompt, not messages or input_ids");
        embedding_ = mean_pooled_embedding(*model_, tokens_);
        metadata_.output_tokens = 0;
        return;
      }
      if (kind_ == Kind::input_ids) {
        auto settings = current_settings();
        if (settings.guidance)  // logits are the model's own; a constraint on them would be ignored
          throw Error(ErrorCode::unsupported_operation, "option '" + settings.guidance->option +
                                                            "' constrains generated text; input_ids returns logits");
        logits_out_ = logits_.run(ids_, settings.incremental_logits, settings.max_length);
        return;
      }
      auto session = start_session();
      std::string response = current_settings().include_prompt ? session.prompt_text() : std::string();
      bool echo = current_settings().stream_stdout;
      while (auto piece = session.next_piece()) {
        if (echo) print_to_stdout(*piece);
        response += *piece;
      }
      metadata_ = session.metadata();
      response_ = std::move(response);
    });
  }

  Tensor get_output(const TensorId& id) override {
    if (is_output(id, "metadata", 1)) return Tensor::from_bytes(metadata_json());
    if (embedding_) {
      if (id == TensorId("embedding"))
        return Tensor::from_values<float>(TensorType::f32, {1, static_cast<uint32_t>(embedding_->size())}, *embedding_);
      if (is_output(id, "response", 0)) return Tensor::from_bytes(embedding_json(*embedding_));
      throw Error(ErrorCode::invalid_argument, "no output " + id.to_string() +
                                                   "; an embedding context has 'embedding' (f32 [1, N]), 'response' (0, "
                                                   "JSON) and 'metadata' (1)");
    }
    if (logits_out_ && is_output(id, "logits", 0)) return *logits_out_;
    if (response_ && is_output(id, "response", 0)) return Tensor::from_bytes(*response_);
    if (!response_ && !logits_out_ && !embedding_)
      throw Error(ErrorCode::invalid_argument, "no output " + id.to_string() + " yet: call compute first");
    throw Error(ErrorCode::invalid_argument, "no output " + id.to_string() + "; this context has " +
                                                 (logits_out_ ? "'logits' (0)" : "'response' (0)") +
                                                 " and 'metadata' (1)");
  }

  void compute_single() override {
    translating_genai_errors([&] {
      if (kind_ == Kind::input_ids)
        throw Error(ErrorCode::unsupported_operation, "streaming needs a prompt or messages, not input_ids");
      if (current_settings().embedding)
        throw Error(ErrorCode::unsupported_operation, "an embedding is computed whole: use compute, not compute_single");
      if (!stream_) stream_ = start_session();
      auto piece = stream_->next_piece();
      metadata_ = stream_->metadata();
      if (!piece) {
        last_piece_.clear();
        throw Error(ErrorCode::end_of_sequence, "generation has finished");
      }
      if (current_settings().stream_stdout) print_to_stdout(*piece);
      last_piece_ = std::move(*piece);
    });
  }

  Tensor get_output_single(const TensorId& id) override {
    if (is_output(id, "metadata", 1)) return Tensor::from_bytes(metadata_json());
    if (!is_output(id, "response", 0))
      throw Error(ErrorCode::invalid_argument, "no streamed output " + id.to_string() + "; use 'response' (0)");
    if (!stream_) throw Error(ErrorCode::invalid_argument, "no streamed piece yet: call compute_single first");
    return Tensor::from_bytes(last_piece_);
  }

  void fini_single() override {
    stream_.reset();
    last_piece_.clear();
  }

 private:
  enum class Kind { none, prompt, messages, input_ids };

  void set_input_checked(const TensorId& id, Tensor tensor) {
    if (id == TensorId("options") || id == TensorId(1u)) {
      auto options = RequestOptions::parse_json(nn::text_input(tensor, "options"));
      check_guidance(*model_, options);  // here, not at compute; the context keeps its old options
      RequestOptions merged = load_options_;
      merged.merge(options);
      if (merged.embedding.value_or(false) && merged.guidance)
        throw Error(ErrorCode::invalid_argument, "option '" + merged.guidance->option +
                                                     "' constrains generated text, but 'embedding' generates none");
      request_ = std::move(merged);
      refresh_input_metadata();
      return;
    }
    if (id == TensorId("prompt") || id == TensorId("messages")) {
      text_ = nn::text_input(tensor, id.name()->c_str());
      kind_ = id == TensorId("prompt") ? Kind::prompt : Kind::messages;
      named_ = true;
    } else if (id == TensorId("input_ids")) {
      kind_ = Kind::input_ids;
      ids_ = std::move(tensor);
    } else if (id == TensorId(0u)) {
      named_ = false;
      if (tensor.type == TensorType::u8) {
        text_ = nn::text_input(tensor, "input 0 (prompt)");
        kind_ = Kind::prompt;
      } else if (tensor.type == TensorType::i64) {
        kind_ = Kind::input_ids;
        ids_ = std::move(tensor);
      } else {
        throw Error(ErrorCode::invalid_argument, "input 0 must be u8 (a UTF-8 prompt) or i64 (input_ids), got " +
                                                     std::string(nn::to_string(tensor.type)));
      }
    } else {
      throw Error(ErrorCode::invalid_argument, "unknown input " + id.to_string() +
                                                   "; expected 'prompt', 'messages', 'input_ids' or 'options' "
                                                   "(or index 0 = prompt / input_ids, 1 = options)");
    }
    response_.reset();
    logits_out_.reset();
    embedding_.reset();
    refresh_input_metadata();
  }

  // Guests read metadata (input_tokens) right after set_input, before compute; the prompt is
  // rendered and encoded here once, and compute generates from that.
  void refresh_input_metadata() {
    metadata_ = GenerationMetadata{};
    metadata_.provider = model_->info().provider;
    rendered_.clear();
    tokens_.clear();
    if (kind_ == Kind::input_ids) {
      metadata_.input_tokens = ids_.dims.size() == 2 ? ids_.dims[1] : 0;
    } else if (kind_ != Kind::none) {
      rendered_ = rendered_prompt();
      tokens_ = wasmedge_raw_text() ? model_->encode_with_bos(rendered_) : model_->encode(rendered_);
      metadata_.input_tokens = tokens_.size();
    }
  }

  std::string rendered_prompt() const {
    if (kind_ == Kind::messages) return model_->apply_chat_template(text_);
    if (current_settings().embedding) return text_;  // embeddings are of the text itself, as llama.cpp's
    return current_settings().chat_template ? model_->as_user_turn(text_) : text_;
  }

  // An index-addressed (WasmEdge-style) guest's own text, untemplated: WasmEdge's llama.cpp
  // backend tokenizes it with the model's BOS added, so it is tokenized that way here too.
  bool wasmedge_raw_text() const {
    if (named_ || kind_ != Kind::prompt) return false;
    auto settings = current_settings();
    return settings.embedding || !settings.chat_template;
  }

  GenerationSettings current_settings() const {
    GenerationSettings s = resolve(options_, request_);
    // Index-addressed guests (WasmEdge style) template their prompts themselves.
    if (!named_) s.chat_template = request_.chat_template.value_or(false);
    return s;
  }

  GenerationSession start_session() const {
    if (kind_ == Kind::none)
      throw Error(ErrorCode::invalid_argument, "no input set: expected 'prompt', 'messages' or 'input_ids'");
    return GenerationSession::from_encoded(model_, rendered_, tokens_, current_settings());
  }

  std::string metadata_json() const { return metadata_.to_json(); }

  static bool is_output(const TensorId& id, const char* name, uint32_t index) {
    return id == TensorId(name) || id == TensorId(index);
  }

  std::shared_ptr<const LoadedModel> model_;
  BackendOptions options_;  // copies: a context may outlive its graph
  RequestOptions request_;
  RequestOptions load_options_;
  LogitsRunner logits_;

  Kind kind_ = Kind::none;
  bool named_ = false;
  std::string text_;                // the prompt, or the messages JSON
  std::string rendered_;            // text_ as the model will read it (templated or not)
  std::vector<int32_t> tokens_;     // rendered_, encoded
  Tensor ids_;
  std::optional<std::string> response_;
  std::optional<Tensor> logits_out_;
  std::optional<std::vector<float>> embedding_;
  GenerationMetadata metadata_;
  std::optional<GenerationSession> stream_;
  std::string last_piece_;
};

}  // namespace

std::unique_ptr<nn::ExecutionContext> GenAIGraph::init_execution_context() {
  return std::make_unique<GenAIContext>(model_, options_, load_options_);
}

}  // namespace wasinn::genai
