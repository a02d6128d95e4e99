// What a generation reports to the guest (the `metadata` output, WasmEdge's JSON shape), the same
// for every backend that generates text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wasinn::nn {

// max_length_in_constraint: the token limit ended a constrained (guidance) generation before
// its schema or grammar was complete, so the text is a prefix of a valid answer, not one.
enum class StopReason { none, eos, max_length, stop_string, max_length_in_constraint };
std::string_view to_string(StopReason reason);

struct GenerationMetadata {
  size_t input_tokens = 0;
  size_t output_tokens = 0;
  StopReason stop_reason = StopReason::none;
  std::string provider;
  double time_to_first_token_ms = 0.0;   // from start (prefill included) to the first new token
  double decode_tokens_per_second = 0.0; // tokens after the first, over the time they took
  std::string to_json() const;
};

}  // namespace wasinn::nn
