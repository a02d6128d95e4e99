#include "genai/embedding.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <nlohmann/json.hpp>

#include "wasinn/nn/error.h"

namespace wasinn::genai {

using nn::Error;
using nn::ErrorCode;

std::vector<float> mean_pooled_embedding(const LoadedModel& model, const std::vector<int32_t>& tokens) {
  if (tokens.empty()) throw Error(ErrorCode::invalid_argument, "the prompt encodes to no tokens");
  size_t context = model.info().context_length > 0 ? static_cast<size_t>(model.info().context_length) : 0;
  if (context > 0 && tokens.size() > context)
    throw Error(ErrorCode::prompt_too_long, "the prompt has " + std::to_string(tokens.size()) +
                                                " tokens, more than the model's context of " + std::to_string(context));
  oga::GeneratorParams params(model.model());
  params.set_search("max_length", static_cast<double>(context > 0 ? std::min(context, tokens.size() + 1)
                                                                    : tokens.size() + 1));
  oga::Generator generator(model.model(), params);
  generator.append_tokens(tokens);  // the prefill: one forward pass over the whole prompt

  std::optional<oga::Tensor> hidden;
  try {
    hidden.emplace(generator.output(kHiddenStatesOutput));
  } catch (const oga::Error& e) {
    throw Error(ErrorCode::unsupported_operation,
                std::string("embeddings need the graph output '") + kHiddenStatesOutput +
                    "' (the final hidden state), which this model lacks: reconvert it with "
                    "scripts/models/convert_gguf.py, which adds it (GenAI: " + e.what() + ")");
  }
  auto shape = hidden->shape();
  if (hidden->type() != OgaElementType_float32 || shape.size() != 3 || shape[0] != 1 ||
      shape[1] != static_cast<int64_t>(tokens.size()) || shape[2] <= 0)
    throw Error(ErrorCode::unsupported_operation,
                std::string("the graph output '") + kHiddenStatesOutput +
                    "' must be float32 [1, prompt tokens, hidden] for embeddings");
  size_t positions = static_cast<size_t>(shape[1]), width = static_cast<size_t>(shape[2]);
  const float* data = static_cast<const float*>(hidden->data());

  std::vector<double> sum(width, 0.0);
  for (size_t p = 0; p < positions; ++p)
    for (size_t i = 0; i < width; ++i) sum[i] += data[p * width + i];
  double norm = 0.0;
  for (double& v : sum) {
    v /= static_cast<double>(positions);
    norm += v * v;
  }
  norm = std::sqrt(norm);
  std::vector<float> out(width);
  for (size_t i = 0; i < width; ++i) out[i] = static_cast<float>(norm > 0 ? sum[i] / norm : 0.0);
  return out;
}

std::string embedding_json(const std::vector<float>& embedding) {
  return nlohmann::json{{"n_embedding", embedding.size()}, {"embedding", embedding}}.dump();
}

}  // namespace wasinn::genai
