#include "wasinn/nn/generation_metadata.h"

#include <nlohmann/json.hpp>

namespace wasinn::nn {

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::none: return "none";
    case StopReason::eos: return "eos";
    case StopReason::max_length: return "max_length";
    case StopReason::stop_string: return "stop_string";
    case StopReason::max_length_in_constraint: return "max_length_in_constraint";
  }
  return "?";
}

std::string GenerationMetadata::to_json() const {
  return nlohmann::json{{"input_tokens", input_tokens},
                        {"output_tokens", output_tokens},
                        {"stop_reason", to_string(stop_reason)},
                        {"provider", provider},
                        {"time_to_first_token_ms", time_to_first_token_ms},
                        {"decode_tokens_per_second", decode_tokens_per_second}}
      .dump();
}

}  // namespace wasinn::nn
