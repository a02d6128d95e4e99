// input_ids -> logits for guests that drive their own decode loop.
//
// Stateless (the reference's behaviour): a fresh generator per call, logits for every
// position. Incremental (opt-in): when a call's sequence extends the previous one, only the
// new tokens go through the model on the kept KV cache and logits come back for the new
// positions, so decoding n tokens costs O(n) instead of O(n^2); any other sequence resets.
#pragma once

#include <memory>
#include <vector>

#include "genai/loaded_model.h"
#include "wasinn/nn/tensor.h"

namespace wasinn::genai {

class LogitsRunner {
 public:
  explicit LogitsRunner(std::shared_ptr<const LoadedModel> model) : model_(std::move(model)) {}

  // `input_ids`: i64 [batch, seq]. Returns f32 [batch, positions, vocab]. `capacity_hint`
  // sizes the kept KV cache in incremental mode (the request's max_length).
  nn::Tensor run(const nn::Tensor& input_ids, bool incremental, int capacity_hint);

 private:
  std::vector<int32_t> checked_ids(const nn::Tensor& input_ids) const;
  nn::Tensor logits_of(const oga::Generator& generator) const;

  std::shared_ptr<const LoadedModel> model_;
  std::unique_ptr<oga::Generator> kept_;  // incremental mode: the generator and its KV cache
  std::vector<int32_t> kept_ids_;         // the tokens already in it
  size_t kept_capacity_ = 0;
};

}  // namespace wasinn::genai
