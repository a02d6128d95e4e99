#include "wasinn/genai/options.h"

#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "wasinn/nn/error.h"

namespace wasinn::genai {
namespace {

using nn::Error;
using nn::ErrorCode;
using nn::check_sampling;

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
