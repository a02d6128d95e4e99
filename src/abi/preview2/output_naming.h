// Which outputs a component-ABI `compute` returns, and under what names.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "wasinn/nn/backend.h"

namespace wasinn::abi::preview2 {

struct NamedOutput {
  std::string name;
  nn::Tensor tensor;
};

// After `context.compute()`: the outputs to hand back for inputs named `input_names`.
// Error(too_large) when a context offers more than `max_outputs`; other nn::Errors from
// get_output pass through.
std::vector<NamedOutput> collect_outputs(nn::ExecutionContext& context, std::span<const std::string> input_names,
                                         size_t max_outputs);

}  // namespace wasinn::abi::preview2
