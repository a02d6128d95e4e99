// Settings of the GenAI backend, in three layers, each overriding the one before:
//   1. BackendOptions: process-wide defaults, from the environment or set by an embedder;
//   2. RequestOptions given at load time (WasmEdge's load_by_name_with_config JSON);
//   3. RequestOptions given with one request (the `options` input, or index 1).
// resolve() folds them into the GenerationSettings one request runs with. This is the one
// place that parses and validates settings.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasinn/nn/request_options.h"

namespace wasinn::genai {

enum class ExecutionProvider { cpu, cuda, dml, coreml, rocm, autodetect };
std::string_view to_string(ExecutionProvider provider);
// Throws nn::Error(invalid_argument) for a name that is not one of the above ("auto" too).
ExecutionProvider parse_execution_provider(std::string_view name);

struct BackendOptions {
  int max_length = 512;  // cap on prompt + response tokens
  bool do_sample = false;
  double temperature = 1.0;
  double top_p = 1.0;
  int top_k = 50;
  bool include_prompt = false;
  // Wrap a named `prompt` in the model's chat template (instruct models answer gibberish to
  // raw text). Index-addressed prompts (core-module guests template their own) never are.
  bool chat_template = true;
  ExecutionProvider provider = ExecutionProvider::cpu;
  int cuda_device = 0;
  int dml_device = 0;
  int rocm_device = 0;
  // Fail loading when the provider cannot attach, instead of falling back to CPU.
  bool strict_provider = false;

  // Reads the reference's variables (WACS_WASINN_GENAI_MAX_LENGTH, ..._EP, ...) and our
  // shorter aliases (WASINN_MAX_LENGTH, WASINN_EP, ...; an alias wins over the long name).
  // An unparsable value is nn::Error(invalid_argument) naming the variable, never a silent
  // default. `getenv` is injectable for tests.
  using Getenv = std::function<std::optional<std::string>(const char* name)>;
  static BackendOptions from_environment(const Getenv& getenv = {});
};

// The per-request options are backend-neutral (nn core); their GenAI names stay for embedders.
using Guidance = nn::Guidance;
using RequestOptions = nn::RequestOptions;

// Everything one request runs with, after every layer is applied.
struct GenerationSettings {
  int max_length = 512;
  std::optional<int> max_new_tokens;
  bool do_sample = false;
  double temperature = 1.0;
  double top_p = 1.0;
  int top_k = 50;
  double repetition_penalty = 1.0;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  bool include_prompt = false;
  bool chat_template = true;
  bool incremental_logits = false;
  bool stream_stdout = false;
  std::optional<Guidance> guidance;
  bool embedding = false;
};

GenerationSettings resolve(const BackendOptions& backend, const RequestOptions& request);

}  // namespace wasinn::genai
