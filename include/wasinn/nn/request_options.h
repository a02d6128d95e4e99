// Per-request options, as guests send them (a JSON object: WasmEdge's keys and OpenAI-style
// ones), parsed once for every backend. What each backend does with them is its own: GenAI
// resolves them against its BackendOptions (genai::resolve), the remote backend maps them onto
// an OpenAI-compatible request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasinn::nn {

// Constrained decoding (GenAI's OgaGeneratorParamsSetGuidance reads it as it is; the remote
// backend sends JSON schemas as OpenAI's response_format).
struct Guidance {
  std::string type;    // "json_schema", "regex" or "lark_grammar"
  std::string data;    // the schema, the regex, or the Lark grammar (GBNF already translated)
  std::string option;  // the option key it came from ("json-schema", "grammar", ...), for messages
  bool operator==(const Guidance&) const = default;
};

struct RequestOptions {
  std::optional<int> max_new_tokens;  // "n-predict", "max_tokens", "max_new_tokens"
  std::optional<int> max_length;      // "max_length", "ctx-size": cap on prompt + response
  std::optional<bool> do_sample;
  std::optional<double> temperature;  // "temp", "temperature"; > 0 without do_sample samples
  std::optional<double> top_p;        // "top-p", "top_p"
  std::optional<int> top_k;           // "top-k", "top_k"
  std::optional<double> repetition_penalty;  // "repeat-penalty", "repetition_penalty"
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;      // "stop", "reverse-prompt" (string or list)
  std::optional<bool> include_prompt;
  std::optional<bool> chat_template;
  std::optional<bool> incremental_logits;  // "incremental-logits", "incremental_logits"
  std::optional<bool> stream_stdout;       // "stream-stdout": the host prints tokens itself
  // "json-schema"/"json_schema" (a JSON string or object), "grammar" (llama.cpp GBNF), "regex",
  // "lark"/"lark_grammar". Checked here as far as text alone allows (JSON, GBNF syntax);
  // The GenAI backend's own check against the model is check_guidance() in src/genai/guidance.h.
  std::optional<Guidance> guidance;
  std::optional<bool> embedding;           // "embedding": compute returns the prompt's embedding

  // Parses a JSON object; unknown keys are ignored (WasmEdge guests send many), a known key of
  // the wrong type or range is nn::Error(invalid_argument) naming it, and a key asking for
  // something not served (multimodal "mmproj"/"image", nonzero presence/frequency penalties)
  // is nn::Error(unsupported_operation). Empty text = no options.
  static RequestOptions parse_json(std::string_view json);
  // Fields set in `over` replace ours.
  void merge(const RequestOptions& over);
};

// nn::Error(invalid_argument), prefixed by `where`, unless temperature >= 0, top_p in (0, 1] and
// top_k >= 0.
void check_sampling(double temperature, double top_p, int top_k, const std::string& where);

}  // namespace wasinn::nn
