// One generation, step by step: start from a prompt, chat messages or token ids, pull decoded
// text pieces, finish with metadata. Whole responses, streaming (compute_single) and printing
// to stdout are all built on it. Used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasinn/genai/options.h"
#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/generation_metadata.h"

namespace wasinn::genai {

class LoadedModel;

// Backend-neutral (nn core); the GenAI names stay for embedders.
using StopReason = nn::StopReason;
using GenerationMetadata = nn::GenerationMetadata;
using nn::to_string;

class GenerationSession {
 public:
  // The prompt, wrapped in the model's chat template as one user turn when
  // settings.chat_template is set and the model has a template that renders; raw otherwise.
  static GenerationSession from_prompt(std::shared_ptr<const LoadedModel> model, const std::string& prompt,
                                       const GenerationSettings& settings);
  // `messages_json`: [{"role": ..., "content": ...}, ...], rendered with the chat template
  // (nn::Error(invalid_argument) when malformed or the model has none).
  static GenerationSession from_messages(std::shared_ptr<const LoadedModel> model, const std::string& messages_json,
                                         const GenerationSettings& settings);
  static GenerationSession from_tokens(std::shared_ptr<const LoadedModel> model, std::vector<int32_t> tokens,
                                       const GenerationSettings& settings);
  // A prompt the caller has already rendered (`prompt_text`) and encoded (`tokens`), e.g. to
  // count its tokens before generating, so it is not done twice.
  static GenerationSession from_encoded(std::shared_ptr<const LoadedModel> model, std::string prompt_text,
                                        const std::vector<int32_t>& tokens, const GenerationSettings& settings);

  GenerationSession(GenerationSession&&) noexcept;
  GenerationSession& operator=(GenerationSession&&) noexcept;
  ~GenerationSession();

  // The next piece of generated text, or nullopt once generation has ended. Text that may be
  // the start of a stop string is held back until it is known not to be.
  std::optional<std::string> next_piece();
  // Everything not yet returned, to the end of the generation.
  std::string rest();
  bool finished() const;
  // The text the tokens were encoded from (after templating).
  const std::string& prompt_text() const;
  const GenerationMetadata& metadata() const;
  // Raising it from any thread stops the generation before its next token: next_piece() then
  // throws nn::Cancelled with the reason given, and the session is spent.
  std::shared_ptr<nn::Cancellation> cancellation() const;

 private:
  struct State;
  explicit GenerationSession(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace wasinn::genai
