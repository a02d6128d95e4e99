#include "genai/logits_runner.h"

#include <algorithm>
#include <cstring>

#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/error.h"

namespace wasinn::genai {
namespace {

using nn::Error;
using nn::ErrorCode;

}  // namespace

std::vector<int32_t> LogitsRunner::checked_ids(const nn::Tensor& input_ids) const {
  if (input_ids.type != nn::TensorType::i64)
    throw Error(ErrorCode::invalid_argument,
                "input_ids must be i64, got " + std::string(nn::to_string(input_ids.type)));
  if (input_ids.dims.size() != 2 || input_ids.dims[0] == 0 || input_ids.dims[1] == 0)
    throw Error(ErrorCode::invalid_argument, "input_ids must have shape [batch, seq] with batch, seq >= 1");
  input_ids.validate("input_ids");
  size_t seq = input_ids.dims[1];
  int context = model_->info().context_length;
  if (context > 0 && seq > static_cast<size_t>(context))
    throw Error(ErrorCode::too_large, "input_ids has " + std::to_string(seq) +
                                          " positions; the model's context length is " + std::to_string(context));
  const int64_t vocab = model_->info().vocab_size;
  std::vector<int32_t> ids(input_ids.element_count());
  for (size_t i = 0; i < ids.size(); ++i) {
    int64_t id;
    std::memcpy(&id, input_ids.data.data() + i * sizeof(int64_t), sizeof id);
    if (id < 0 || id >= vocab)
      throw Error(ErrorCode::invalid_argument, "input_ids[" + std::to_string(i) + "] = " + std::to_string(id) +
                                                   " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
    ids[i] = static_cast<int32_t>(id);
  }
  for (size_t row = 0; row < input_ids.dims[0]; ++row)
    model_->check_not_only_padding(std::span<const int32_t>(ids).subspan(row * seq, seq),
                                   "input_ids row " + std::to_string(row));
  return ids;
}

nn::Tensor LogitsRunner::logits_of(const oga::Generator& generator) const {
  oga::Tensor logits = generator.output("logits");
  if (logits.type() != OgaElementType_float32)
    throw Error(ErrorCode::unsupported_operation, "the model's logits are not float32");
  auto shape = logits.shape();
  nn::Tensor out{{}, nn::TensorType::f32, {}};
  size_t count = 1;
  for (int64_t d : shape) {
    out.dims.push_back(static_cast<uint32_t>(d));
    count *= static_cast<size_t>(d);
  }
  const auto* bytes = static_cast<const uint8_t*>(logits.data());
  out.data.assign(bytes, bytes + count * sizeof(float));
  return out;
}

nn::Tensor LogitsRunner::run(const nn::Tensor& input_ids, bool incremental, int capacity_hint) {
  nn::check_current_cancellation();  // a guest past its deadline starts no forward pass
  auto ids = checked_ids(input_ids);
  const size_t batch = input_ids.dims[0];
  const size_t seq = input_ids.dims[1];
  const size_t context = model_->info().context_length > 0 ? static_cast<size_t>(model_->info().context_length) : SIZE_MAX;

  if (incremental && batch == 1) {
    bool extends = kept_ && ids.size() > kept_ids_.size() && ids.size() <= kept_capacity_ &&
                   std::equal(kept_ids_.begin(), kept_ids_.end(), ids.begin());
    if (!extends) {
      // Room for the sequence and what a decode loop is likely to add (the request's cap).
      kept_capacity_ = std::min(context, std::max({static_cast<size_t>(std::max(capacity_hint, 1)), 2 * seq, seq + 1}));
      oga::GeneratorParams params(model_->model());
      params.set_search("max_length", static_cast<double>(kept_capacity_));
      kept_ = std::make_unique<oga::Generator>(model_->model(), params);
      kept_ids_.clear();
    }
    std::span<const int32_t> fresh(ids.data() + kept_ids_.size(), ids.size() - kept_ids_.size());
    try {
      kept_->append_tokens(fresh);
    } catch (...) {
      kept_.reset();  // a half-applied append leaves the KV cache unknown: start over next time
      throw;
    }
    kept_ids_ = std::move(ids);
    return logits_of(*kept_);
  }

  kept_.reset();
  kept_ids_.clear();
  oga::GeneratorParams params(model_->model());
  params.set_search("max_length", static_cast<double>(std::min(context, seq + 1)));
  params.set_search("batch_size", static_cast<double>(batch));
  oga::Generator generator(model_->model(), params);
  generator.append_tokens(ids);
  return logits_of(generator);
}

}  // namespace wasinn::genai
