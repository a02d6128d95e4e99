// One GenAI model loaded from one directory: the GenAI model and tokenizer plus what we read
// from genai_config.json. Shared (read-only) by every graph, context and session that uses it.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "genai/oga.h"
#include "wasinn/genai/backend.h"
#include "wasinn/genai/options.h"

namespace wasinn::genai {

class LoadedModel {
 public:
  // Loads with the provider `options` ask for; see attach_provider() in the .cpp for fallback.
  LoadedModel(const std::filesystem::path& dir, const BackendOptions& options);

  const ModelInfo& info() const { return info_; }
  const oga::Model& model() const { return model_; }
  const std::vector<int32_t>& eos_token_ids() const { return eos_; }

  // The tokenizer is shared; GenAI does not promise it is thread-safe, so calls are serialised.
  std::vector<int32_t> encode(const std::string& text) const;
  // encode(), with the BOS token first where the model was converted from a GGUF that asks for
  // one (converted_from_gguf.json's raw_prompt_bos) and the text does not already begin with it:
  // llama.cpp (and so WasmEdge) tokenizes raw prompts this way, GenAI's encode never adds it,
  // and a GenAI model directory of any other origin keeps GenAI's behaviour. llama.cpp would add
  // a second BOS to a text that starts with one (with a warning); that is not copied. An empty
  // text stays empty.
  std::vector<int32_t> encode_with_bos(const std::string& text) const;
  // nn::Error(invalid_argument) when `tokens` (one sequence) has more than one token and all of
  // them are the pad token. GenAI masks pad tokens out as padding, so such a sequence has no
  // position left, and GenAI 0.18 then reads past its logits buffer (found by the fuzzer,
  // fuzz/preview1_fuzzer.cpp; seen with ASan as a 128000-byte heap-buffer-overflow in
  // Generators::Logits::Get). One pad token alone is computed correctly.
  void check_not_only_padding(std::span<const int32_t> tokens, const std::string& what) const;
  std::string decode(std::span<const int32_t> tokens) const;
  // nn::Error(invalid_argument) when the model has no chat template or it fails to render.
  std::string apply_chat_template(const std::string& messages_json) const;
  // `prompt` as one user turn with the generation prompt appended; the raw prompt when the
  // model has no template or it fails to render (still better than no answer).
  std::string as_user_turn(const std::string& prompt) const;
  std::unique_ptr<oga::TokenizerStream> new_stream() const;

 private:
  ModelInfo info_;
  oga::Model model_;
  oga::Tokenizer tokenizer_;
  std::vector<int32_t> eos_;
  std::optional<int32_t> bos_for_raw_text_;  // see encode_with_bos
  mutable std::mutex tokenizer_mutex_;
};

}  // namespace wasinn::genai
