#include "wasinn/genai/options.h"

#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "grammar/gbnf_to_lark.h"
#include "wasinn/nn/error.h"

namespace wasinn::genai {
namespace {

using nn::Error;
using nn::ErrorCode;

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorCode::invalid_argument, message); }

template <typename T>
T parse_number(const std::string& text, const std::string& what) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) invalid(what + ": '" + text + "' is not a valid number");
  return value;
}

bool parse_bool(const std::string& text, const std::string& what) {
  if (text == "1" || text == "true" || text == "TRUE" || text == "True") return true;
  if (text == "0" || text == "false" || text == "FALSE" || text == "False") return false;
  invalid(what + ": '" + text + "' is not a boolean (use 1/0 or true/false)");
}

void check_sampling(double temperature, double top_p, int top_k, const std::string& where) {
  if (!(temperature >= 0.0)) invalid(where + "temperature must be >= 0");
  if (!(top_p > 0.0 && top_p <= 1.0)) invalid(where + "top_p must be in (0, 1]");
  if (top_k < 0) invalid(where + "top_k must be >= 0");
}

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
                "': multimodal input is not served (the GenAI backend runs text-only models)");
  }
  for (const char* key : {"presence-penalty", "presence_penalty", "frequency-penalty", "frequency_penalty"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null() || (it->is_number() && it->get<double>() == 0.0)) continue;
    unsupported("option '" + std::string(key) + "': GenAI's sampler has no such penalty (only 0 is accepted)");
  }
}

}  // namespace

std::string_view to_string(ExecutionProvider provider) {
  switch (provider) {
    case ExecutionProvider::cpu: return "cpu";
    case ExecutionProvider::cuda: return "cuda";
    case ExecutionProvider::dml: return "dml";
    case ExecutionProvider::coreml: return "coreml";
    case ExecutionProvider::rocm: return "rocm";
    case ExecutionProvider::autodetect: return "auto";
  }
  return "?";
}

ExecutionProvider parse_execution_provider(std::string_view name) {
  for (auto p : {ExecutionProvider::cpu, ExecutionProvider::cuda, ExecutionProvider::dml, ExecutionProvider::coreml,
                 ExecutionProvider::rocm, ExecutionProvider::autodetect})
    if (name == to_string(p)) return p;
  invalid("unknown execution provider '" + std::string(name) + "' (expected auto, cpu, coreml, cuda, dml or rocm)");
}

BackendOptions BackendOptions::from_environment(const Getenv& getenv_fn) {
  Getenv get = getenv_fn ? getenv_fn : [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  // Our alias (WASINN_X) first, then the reference's name (WACS_WASINN_GENAI_X).
  auto lookup = [&](const std::string& suffix, std::string& which) -> std::optional<std::string> {
    for (std::string name : {"WASINN_" + suffix, "WACS_WASINN_GENAI_" + suffix}) {
      if (auto v = get(name.c_str()); v && !v->empty()) {
        which = name;
        return v;
      }
    }
    return std::nullopt;
  };
  BackendOptions o;
  std::string which;
  auto int_var = [&](const char* suffix, int& field, int min) {
    if (auto v = lookup(suffix, which)) {
      field = parse_number<int>(*v, which);
      if (field < min) invalid(which + ": must be >= " + std::to_string(min));
    }
  };
  auto double_var = [&](const char* suffix, double& field, double min, double max) {
    if (auto v = lookup(suffix, which)) {
      field = parse_number<double>(*v, which);
      if (!(field >= min && field <= max))
        invalid(which + ": must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
  };
  auto bool_var = [&](const char* suffix, bool& field) {
    if (auto v = lookup(suffix, which)) field = parse_bool(*v, which);
  };
  int_var("MAX_LENGTH", o.max_length, 1);
  bool_var("DO_SAMPLE", o.do_sample);
  double_var("TEMPERATURE", o.temperature, 0.0, 1e6);
  double_var("TOP_P", o.top_p, 1e-9, 1.0);
  int_var("TOP_K", o.top_k, 0);
  bool_var("INCLUDE_PROMPT", o.include_prompt);
  bool_var("CHAT_TEMPLATE", o.chat_template);
  bool_var("STRICT_EP", o.strict_provider);
  int_var("CUDA_DEVICE", o.cuda_device, 0);
  int_var("DML_DEVICE", o.dml_device, 0);
  int_var("ROCM_DEVICE", o.rocm_device, 0);
  if (auto v = lookup("EP", which)) {
    try {
      o.provider = parse_execution_provider(*v);
    } catch (const Error& e) {
      invalid(which + ": " + e.what());
    }
  }
  return o;
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

GenerationSettings resolve(const BackendOptions& backend, const RequestOptions& request) {
  GenerationSettings s;
  s.max_length = request.max_length.value_or(backend.max_length);
  s.max_new_tokens = request.max_new_tokens;
  s.temperature = request.temperature.value_or(backend.temperature);
  // A request that names a temperature asks for sampling at it, as llama.cpp-style guests
  // expect; temperature 0 means greedy.
  s.do_sample = request.do_sample.value_or(request.temperature ? *request.temperature > 0.0 : backend.do_sample);
  if (s.temperature == 0.0) s.do_sample = false;
  s.top_p = request.top_p.value_or(backend.top_p);
  s.top_k = request.top_k.value_or(backend.top_k);
  s.repetition_penalty = request.repetition_penalty.value_or(1.0);
  s.seed = request.seed;
  s.stop = request.stop;
  s.include_prompt = request.include_prompt.value_or(backend.include_prompt);
  s.chat_template = request.chat_template.value_or(backend.chat_template);
  s.incremental_logits = request.incremental_logits.value_or(false);
  s.stream_stdout = request.stream_stdout.value_or(false);
  s.embedding = request.embedding.value_or(false);
  if (!s.embedding) s.guidance = request.guidance;
  return s;
}

}  // namespace wasinn::genai
