#include "wasinn/genai/generation_session.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "genai/loaded_model.h"
#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/error.h"

namespace wasinn::genai {
namespace {

using clock = std::chrono::steady_clock;
using nn::Error;
using nn::ErrorCode;

// Length of the longest suffix of `text` that is a proper prefix of a stop string: text that
// must not be shown yet because the next token may complete the stop string.
size_t stop_prefix_holdback(std::string_view text, const std::vector<std::string>& stops) {
  size_t hold = 0;
  for (const auto& stop : stops) {
    for (size_t k = std::min(stop.size() - 1, text.size()); k > hold; --k) {
      if (text.substr(text.size() - k) == std::string_view(stop).substr(0, k)) {
        hold = k;
        break;
      }
    }
  }
  return hold;
}

}  // namespace

struct GenerationSession::State {
  std::shared_ptr<const LoadedModel> model;
  GenerationSettings settings;
  std::string prompt_text;
  std::unique_ptr<oga::Generator> generator;
  std::unique_ptr<oga::TokenizerStream> stream;
  std::string text;    // generated text so far, cut at a stop string
  size_t emitted = 0;  // bytes of `text` already returned
  bool finished = false;
  GenerationMetadata metadata;
  clock::time_point started, first_token, last_token;
  std::shared_ptr<nn::Cancellation> cancellation = std::make_shared<nn::Cancellation>();

  // Before each step of work: the session's own cancellation, and the caller's (a guest's
  // deadline, set by its ABI layer).
  void check_cancelled() const {
    cancellation->check();
    nn::check_current_cancellation();
  }

  void finish(StopReason reason) {
    finished = true;
    // Under guidance llguidance forces EOS once the structure is complete; a limit before that
    // cut the structure short.
    if (reason == StopReason::max_length && settings.guidance) reason = StopReason::max_length_in_constraint;
    metadata.stop_reason = reason;
    if (metadata.output_tokens > 1) {
      double seconds = std::chrono::duration<double>(last_token - first_token).count();
      metadata.decode_tokens_per_second = seconds > 0 ? static_cast<double>(metadata.output_tokens - 1) / seconds : 0;
    }
  }

  std::optional<std::string> take(size_t end) {
    if (end <= emitted) return std::nullopt;
    std::string piece = text.substr(emitted, end - emitted);
    emitted = end;
    return piece;
  }
};

GenerationSession::GenerationSession(std::unique_ptr<State> state) : s_(std::move(state)) {}
GenerationSession::GenerationSession(GenerationSession&&) noexcept = default;
GenerationSession& GenerationSession::operator=(GenerationSession&&) noexcept = default;
GenerationSession::~GenerationSession() = default;

GenerationSession GenerationSession::from_prompt(std::shared_ptr<const LoadedModel> model, const std::string& prompt,
                                                 const GenerationSettings& settings) {
  std::string text = settings.chat_template ? model->as_user_turn(prompt) : prompt;
  auto tokens = model->encode(text);
  return from_encoded(std::move(model), std::move(text), tokens, settings);
}

GenerationSession GenerationSession::from_messages(std::shared_ptr<const LoadedModel> model,
                                                   const std::string& messages_json,
                                                   const GenerationSettings& settings) {
  std::string text = model->apply_chat_template(messages_json);
  auto tokens = model->encode(text);
  return from_encoded(std::move(model), std::move(text), tokens, settings);
}

GenerationSession GenerationSession::from_tokens(std::shared_ptr<const LoadedModel> model,
                                                 std::vector<int32_t> tokens, const GenerationSettings& settings) {
  std::string text = tokens.empty() ? std::string() : model->decode(tokens);
  return from_encoded(std::move(model), std::move(text), tokens, settings);
}

GenerationSession GenerationSession::from_encoded(std::shared_ptr<const LoadedModel> model, std::string prompt_text,
                                                  const std::vector<int32_t>& tokens,
                                                  const GenerationSettings& settings) {
  if (tokens.empty()) throw Error(ErrorCode::invalid_argument, "the prompt encodes to no tokens");
  model->check_not_only_padding(tokens, "the prompt");
  auto s = std::make_unique<State>();
  s->started = clock::now();
  s->settings = settings;
  s->metadata.input_tokens = tokens.size();
  s->metadata.provider = model->info().provider;

  size_t max_length = static_cast<size_t>(settings.max_length);
  if (model->info().context_length > 0) max_length = std::min(max_length, static_cast<size_t>(model->info().context_length));
  if (tokens.size() >= max_length)
    throw Error(ErrorCode::prompt_too_long, "the prompt has " + std::to_string(tokens.size()) +
                                                " tokens, which leaves no room under max_length " +
                                                std::to_string(max_length));
  if (settings.max_new_tokens) max_length = std::min(max_length, tokens.size() + static_cast<size_t>(*settings.max_new_tokens));

  oga::GeneratorParams params(model->model());
  params.set_search("max_length", static_cast<double>(max_length));
  params.set_search("do_sample", settings.do_sample);
  params.set_search("temperature", settings.temperature > 0 ? settings.temperature : 1.0);
  params.set_search("top_p", settings.top_p);
  params.set_search("top_k", static_cast<double>(settings.top_k));
  params.set_search("repetition_penalty", settings.repetition_penalty);
  if (settings.seed) params.set_search("random_seed", static_cast<double>(*settings.seed));
  // Guidance constrains only generated tokens: the prompt (templated or not) is appended as is.
  if (settings.guidance) params.set_guidance(settings.guidance->type, settings.guidance->data);

  s->check_cancelled();  // before the prefill, the longest single step
  s->generator = std::make_unique<oga::Generator>(model->model(), params);
  s->stream = model->new_stream();
  s->model = std::move(model);
  if (tokens.size() == max_length) {  // max_new_tokens == 0: nothing to generate
    s->finish(StopReason::max_length);
  } else {
    s->generator->append_tokens(tokens);
  }
  s->prompt_text = std::move(prompt_text);
  return GenerationSession(std::move(s));
}

std::optional<std::string> GenerationSession::next_piece() {
  State& s = *s_;
  while (!s.finished) {
    if (s.generator->is_done()) {
      s.finish(StopReason::max_length);
      break;
    }
    s.check_cancelled();
    s.generator->generate_next_token();
    int32_t token = s.generator->next_token();
    const auto& eos = s.model->eos_token_ids();
    if (std::find(eos.begin(), eos.end(), token) != eos.end()) {  // EOS ends the text, is not part of it
      s.finish(StopReason::eos);
      break;
    }
    s.last_token = clock::now();
    if (s.metadata.output_tokens++ == 0) {
      s.first_token = s.last_token;
      s.metadata.time_to_first_token_ms = std::chrono::duration<double, std::milli>(s.first_token - s.started).count();
    }
    size_t before = s.text.size();
    s.text += s.stream->decode(token);

    // A stop string may end inside this piece and start in an earlier one.
    size_t longest = 0;
    for (const auto& stop : s.settings.stop) longest = std::max(longest, stop.size());
    size_t from = before >= longest ? before - longest + 1 : 0;
    size_t cut = std::string::npos;
    for (const auto& stop : s.settings.stop) cut = std::min(cut, s.text.find(stop, from));
    if (cut != std::string::npos) {
      s.text.resize(cut);
      s.finish(StopReason::stop_string);
      break;
    }
    if (auto piece = s.take(s.text.size() - stop_prefix_holdback(s.text, s.settings.stop))) return piece;
  }
  return s.take(s.text.size());
}

std::string GenerationSession::rest() {
  std::string all;
  while (auto piece = next_piece()) all += *piece;
  return all;
}

bool GenerationSession::finished() const { return s_->finished && s_->emitted == s_->text.size(); }
const std::string& GenerationSession::prompt_text() const { return s_->prompt_text; }
const GenerationMetadata& GenerationSession::metadata() const { return s_->metadata; }
std::shared_ptr<nn::Cancellation> GenerationSession::cancellation() const { return s_->cancellation; }

}  // namespace wasinn::genai
