// Sentence embeddings from a generative model, as llama.cpp computes them with mean pooling:
// one forward pass over the prompt, the final hidden state (after the model's final norm)
// averaged over positions, then L2-normalized.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "genai/loaded_model.h"

namespace wasinn::genai {

// The graph output our converter (scripts/models/llama_graph.py) adds for this:
// float32 [batch, sequence, hidden].
inline constexpr const char* kHiddenStatesOutput = "hidden_states";

// nn::Error(unsupported_operation) when the model has no such output; invalid_argument for an
// empty prompt; prompt_too_long past the model's context.
std::vector<float> mean_pooled_embedding(const LoadedModel& model, const std::vector<int32_t>& tokens);

// WasmEdge's JSON shape: {"n_embedding": N, "embedding": [...]}.
std::string embedding_json(const std::vector<float>& embedding);

}  // namespace wasinn::genai
