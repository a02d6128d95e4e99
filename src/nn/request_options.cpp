#include "wasinn/nn/request_options.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "grammar/gbnf_to_lark.h"
#include "wasinn/nn/error.h"

namespace wasinn::nn {
namespace {

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorCode::invalid_argument, message); }

// The guidance keys; at most one may be given. Empty strings count as absent (WasmEdge guests
// send "grammar": "" and "json-schema": "" for "none").
std::optional<Guidance> parse_guidance(const nlohmann::json& j) {
  std::optional<Guidance> found;
  auto take = [&](const char* key, const char* type, auto&& convert) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) return;
    if (found) invalid("options '" + found->option + "' and '" + key + "' both constrain the output; give one");
    found = Guidance{type, convert(*it), key};
  };
  auto text = [](const char* key) {
    return [key](const nlohmann::json& v) {
      if (!v.is_string()) invalid("option '" + std::string(key) + "' must be a string");
      return v.get<std::string>();
    };
  };
  auto schema = [](const char* key) {
    return [key](const nlohmann::json& v) {
      nlohmann::json parsed = v;
      if (v.is_string()) {
        try {
          parsed = nlohmann::json::parse(v.get<std::string>());
        } catch (const nlohmann::json::parse_error& e) {
          invalid("option '" + std::string(key) + "': the schema is not valid JSON: " + e.what());
        }
      }
      if (!parsed.is_object() && !parsed.is_boolean())
        invalid("option '" + std::string(key) + "': a JSON schema must be an object or a boolean");
      return parsed.dump();
    };
  };
  auto gbnf = [](const char* key) {
    return [key](const nlohmann::json& v) {
      if (!v.is_string()) invalid("option '" + std::string(key) + "' must be a string (a GBNF grammar)");
      try {
        return grammar::gbnf_to_lark(v.get<std::string>());
      } catch (const grammar::GbnfError& e) {
        invalid("option '" + std::string(key) + "': GBNF " + e.what());
      }
    };
  };
  take("json-schema", "json_schema", schema("json-schema"));
  take("json_schema", "json_schema", schema("json_schema"));
  take("grammar", "lark_grammar", gbnf("grammar"));
  take("regex", "regex", text("regex"));
  take("lark", "lark_grammar", text("lark"));
  take("lark_grammar", "lark_grammar", text("lark_grammar"));
  return found;
}

[[noreturn]] void unsupported(const std::string& message) {
  throw Error(ErrorCode::unsupported_operation, message);
}

// Keys that would change the meaning of the answer but that this backend cannot serve: refused
// rather than ignored, so the guest never believes it got what it asked for.
void refuse_unserved(const nlohmann::json& j) {
  for (const char* key : {"mmproj", "image", "images"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty()) ||
        (it->is_array() && it->empty()))
      continue;
    unsupported("option '" + std::string(key) +
                "': multimodal input is not served (wasinn serves text-only models)");
  }
  for (const char* key : {"presence-penalty", "presence_penalty", "frequency-penalty", "frequency_penalty"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null() || (it->is_number() && it->get<double>() == 0.0)) continue;
    unsupported("option '" + std::string(key) + "': no backend here has such a penalty (only 0 is accepted)");
  }
}

}  // namespace

void check_sampling(double temperature, double top_p, int top_k, const std::string& where) {
  if (!(temperature >= 0.0)) invalid(where + "temperature must be >= 0");
  if (!(top_p > 0.0 && top_p <= 1.0)) invalid(where + "top_p must be in (0, 1]");
  if (top_k < 0) invalid(where + "top_k must be >= 0");
}

RequestOptions RequestOptions::parse_json(std::string_view json_text) {
  RequestOptions r;
  if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) return r;
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) invalid("options are not valid JSON");
  if (!j.is_object()) invalid("options must be a JSON object");

  auto find = [&](std::initializer_list<const char*> keys) -> std::pair<const nlohmann::json*, std::string> {
    for (const char* k : keys)
      if (auto it = j.find(k); it != j.end() && !it->is_null()) return {&*it, k};
    return {nullptr, ""};
  };
  auto number = [&](std::initializer_list<const char*> keys) -> std::optional<double> {
    auto [v, key] = find(keys);
    if (!v) return std::nullopt;
    if (!v->is_number()) invalid("option '" + key + "' must be a number");
    return v->get<double>();
  };
  auto integer = [&](std::initializer_list<const char*> keys, long long min, long long max) -> std::optional<long long> {
    auto [v, key] = find(keys);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) invalid("option '" + key + "' must be an integer");
    auto value = v->get<long long>();
    if (value < min || value > max)
      invalid("option '" + key + "' must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return value;
  };
  auto boolean = [&](std::initializer_list<const char*> keys) -> std::optional<bool> {
    auto [v, key] = find(keys);
    if (!v) return std::nullopt;
    if (v->is_boolean()) return v->get<bool>();
    if (v->is_number_integer()) return v->get<long long>() != 0;
    invalid("option '" + key + "' must be a boolean");
  };
  constexpr long long kIntMax = 1 << 30;

  if (auto v = integer({"max_new_tokens", "max_tokens", "n-predict", "n_predict"}, -1, kIntMax); v && *v >= 0)
    r.max_new_tokens = static_cast<int>(*v);  // WasmEdge's n-predict -1 means "no limit"
  if (auto v = integer({"max_length", "ctx-size", "ctx_size"}, 0, kIntMax); v && *v > 0)
    r.max_length = static_cast<int>(*v);
  r.do_sample = boolean({"do_sample", "do-sample"});
  r.temperature = number({"temperature", "temp"});
  r.top_p = number({"top_p", "top-p"});
  if (auto v = integer({"top_k", "top-k"}, 0, kIntMax)) r.top_k = static_cast<int>(*v);
  r.repetition_penalty = number({"repetition_penalty", "repeat-penalty", "repeat_penalty"});
  if (r.repetition_penalty && !(*r.repetition_penalty > 0.0)) invalid("option 'repetition_penalty' must be > 0");
  if (auto v = integer({"seed"}, -1, std::numeric_limits<long long>::max()); v && *v >= 0)
    r.seed = static_cast<uint64_t>(*v);  // -1: WasmEdge's "random seed"
  if (auto [v, key] = find({"stop", "reverse-prompt", "reverse_prompt"}); v) {
    auto add = [&](const nlohmann::json& s) {
      if (!s.is_string()) invalid("option '" + key + "' must be a string or a list of strings");
      if (!s.get<std::string>().empty()) r.stop.push_back(s.get<std::string>());
    };
    if (v->is_array()) {
      for (const auto& s : *v) add(s);
    } else {
      add(*v);
    }
  }
  r.include_prompt = boolean({"include_prompt", "include-prompt"});
  r.chat_template = boolean({"chat_template", "chat-template"});
  r.incremental_logits = boolean({"incremental_logits", "incremental-logits"});
  r.stream_stdout = boolean({"stream-stdout", "stream_stdout"});
  refuse_unserved(j);
  r.guidance = parse_guidance(j);
  r.embedding = boolean({"embedding", "embeddings"});
  if (r.guidance && r.embedding.value_or(false))
    invalid("option '" + r.guidance->option + "' constrains generated text, but 'embedding' generates none");
  check_sampling(r.temperature.value_or(1.0), r.top_p.value_or(1.0), r.top_k.value_or(0), "option: ");
  return r;
}

void RequestOptions::merge(const RequestOptions& over) {
  auto take = [](auto& mine, const auto& theirs) {
    if (theirs) mine = theirs;
  };
  take(max_new_tokens, over.max_new_tokens);
  take(max_length, over.max_length);
  take(do_sample, over.do_sample);
  take(temperature, over.temperature);
  take(top_p, over.top_p);
  take(top_k, over.top_k);
  take(repetition_penalty, over.repetition_penalty);
  take(seed, over.seed);
  if (!over.stop.empty()) stop = over.stop;
  take(include_prompt, over.include_prompt);
  take(chat_template, over.chat_template);
  take(incremental_logits, over.incremental_logits);
  take(stream_stdout, over.stream_stdout);
  take(guidance, over.guidance);
  take(embedding, over.embedding);
}

}  // namespace wasinn::nn
