#include "genai/loaded_model.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "wasinn/nn/error.h"

namespace wasinn::genai {
namespace {

namespace fs = std::filesystem;
using nn::Error;
using nn::ErrorCode;

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

bool has_chat_template(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir / "chat_template.jinja", ec)) return true;
  auto config = read_json(dir / "tokenizer_config.json");
  return config.is_object() && config.contains("chat_template") && !config["chat_template"].is_null();
}

// The providers to try, in order, for what the options ask. `auto` is the platform's best
// GPU provider list (Linux: CUDA then ROCm, as in the reference).
std::vector<ExecutionProvider> candidates(ExecutionProvider wanted) {
  if (wanted != ExecutionProvider::autodetect) return {wanted};
#if defined(__APPLE__)
  return {ExecutionProvider::coreml};
#elif defined(_WIN32)
  return {ExecutionProvider::dml};
#else
  return {ExecutionProvider::cuda, ExecutionProvider::rocm};
#endif
}

int device_index(ExecutionProvider p, const BackendOptions& o) {
  switch (p) {
    case ExecutionProvider::cuda: return o.cuda_device;
    case ExecutionProvider::dml: return o.dml_device;
    case ExecutionProvider::rocm: return o.rocm_device;
    default: return 0;
  }
}

oga::Model create_model(const fs::path& dir, ExecutionProvider provider, const BackendOptions& options) {
  oga::Config config(dir.string());
  config.clear_providers();
  if (provider != ExecutionProvider::cpu) {
    std::string name(to_string(provider));
    config.append_provider(name);
    if (provider != ExecutionProvider::coreml)
      config.set_provider_option(name, "device_id", std::to_string(device_index(provider, options)));
  }
  return oga::Model(config);
}

// Loads on the requested provider; when it cannot attach, falls back to CPU with one warning,
// unless strict mode makes that a runtime-error naming the provider and GenAI's reason.
oga::Model attach_provider(const fs::path& dir, const BackendOptions& options, std::string& used) {
  std::string reasons;
  if (options.provider != ExecutionProvider::cpu) {
    for (auto p : candidates(options.provider)) {
      try {
        auto model = create_model(dir, p, options);
        used = to_string(p);
        return model;
      } catch (const oga::Error& e) {
        reasons += (reasons.empty() ? "" : "; ") + std::string(to_string(p)) + ": " + e.what();
      }
    }
    if (options.strict_provider)
      throw Error(ErrorCode::runtime_error, "execution provider '" + std::string(to_string(options.provider)) +
                                                "' failed to attach for " + dir.string() + " (" + reasons + ")");
    std::cerr << "wasinn: warning: execution provider '" << to_string(options.provider)
              << "' failed to attach (" << reasons << "); falling back to CPU\n";
  }
  try {
    auto model = create_model(dir, ExecutionProvider::cpu, options);
    used = "cpu";
    return model;
  } catch (const oga::Error& e) {
    throw Error(ErrorCode::runtime_error, "failed to load the model in " + dir.string() + ": " + e.what());
  }
}

// GenAI reads tokenizer.json only here, after the graph loaded: a broken one must still name
// the model, not surface as the JSON parser's bare message.
oga::Tokenizer load_tokenizer(const oga::Model& model, const fs::path& dir) {
  try {
    return oga::Tokenizer(model);
  } catch (const oga::Error& e) {
    throw Error(ErrorCode::runtime_error, "failed to load the tokenizer of the model in " + dir.string() + ": " + e.what());
  }
}

// Validates `messages_json` as the chat input wasi-nn guests send.
void check_messages(const std::string& messages_json) {
  auto j = nlohmann::json::parse(messages_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw Error(ErrorCode::invalid_argument, "messages are not valid JSON");
  if (!j.is_array() || j.empty())
    throw Error(ErrorCode::invalid_argument, "messages must be a non-empty JSON array of {role, content}");
  for (const auto& m : j) {
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
        !m["content"].is_string())
      throw Error(ErrorCode::invalid_argument, "every message needs string fields 'role' and 'content'");
  }
}

}  // namespace

LoadedModel::LoadedModel(const fs::path& dir, const BackendOptions& options)
    : model_(attach_provider(dir, options, info_.provider)), tokenizer_(load_tokenizer(model_, dir)) {
  auto config = read_json(dir / "genai_config.json");
  const auto& m = config.is_object() && config.contains("model") ? config["model"] : nlohmann::json::object();
  info_.dir = dir;
  info_.type = m.value("type", model_.type());
  info_.context_length = m.value("context_length", 0);
  info_.vocab_size = m.value("vocab_size", 0);
  info_.has_chat_template = has_chat_template(dir);
  if (m.contains("pad_token_id") && m["pad_token_id"].is_number_integer())
    info_.pad_token_id = m["pad_token_id"].get<int32_t>();
  if (info_.vocab_size <= 0)
    throw Error(ErrorCode::runtime_error, dir.string() + "/genai_config.json does not give model.vocab_size");
  eos_ = tokenizer_.eos_token_ids();
  // Written by the GGUF converter (scripts/models/convert_gguf.py, write_provenance).
  auto provenance = read_json(dir / "converted_from_gguf.json");
  if (provenance.is_object() && provenance.contains("raw_prompt_bos") && provenance["raw_prompt_bos"].is_number_integer())
    bos_for_raw_text_ = provenance["raw_prompt_bos"].get<int32_t>();
}

void LoadedModel::check_not_only_padding(std::span<const int32_t> tokens, const std::string& what) const {
  if (!info_.pad_token_id || tokens.size() < 2) return;
  int32_t pad = *info_.pad_token_id;
  if (std::all_of(tokens.begin(), tokens.end(), [pad](int32_t t) { return t == pad; }))
    throw Error(ErrorCode::invalid_argument, what + " holds only the pad token (id " + std::to_string(pad) +
                                                 "), which the model masks out as padding: nothing is left to compute");
}

std::vector<int32_t> LoadedModel::encode(const std::string& text) const {
  std::lock_guard lock(tokenizer_mutex_);
  return tokenizer_.encode(text);
}

std::vector<int32_t> LoadedModel::encode_with_bos(const std::string& text) const {
  auto tokens = encode(text);
  // An empty text stays empty: it is an invalid prompt whatever the model.
  if (bos_for_raw_text_ && !tokens.empty() && tokens.front() != *bos_for_raw_text_)
    tokens.insert(tokens.begin(), *bos_for_raw_text_);
  return tokens;
}

std::string LoadedModel::decode(std::span<const int32_t> tokens) const {
  std::lock_guard lock(tokenizer_mutex_);
  return tokenizer_.decode(tokens);
}

std::string LoadedModel::apply_chat_template(const std::string& messages_json) const {
  check_messages(messages_json);
  if (!info_.has_chat_template)
    throw Error(ErrorCode::invalid_argument, "model in " + info_.dir.string() + " has no chat template");
  std::lock_guard lock(tokenizer_mutex_);
  try {
    return tokenizer_.apply_chat_template(messages_json, true);
  } catch (const oga::Error& e) {
    throw Error(ErrorCode::invalid_argument, std::string("the chat template failed to render: ") + e.what());
  }
}

std::string LoadedModel::as_user_turn(const std::string& prompt) const {
  if (!info_.has_chat_template) return prompt;
  try {
    return apply_chat_template(nlohmann::json::array({{{"role", "user"}, {"content", prompt}}}).dump());
  } catch (const Error&) {
    return prompt;
  }
}

std::unique_ptr<oga::TokenizerStream> LoadedModel::new_stream() const {
  std::lock_guard lock(tokenizer_mutex_);
  return std::make_unique<oga::TokenizerStream>(tokenizer_);
}

}  // namespace wasinn::genai
