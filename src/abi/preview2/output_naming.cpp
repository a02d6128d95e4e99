#include "abi/preview2/output_naming.h"

#include <optional>

namespace wasinn::abi::preview2 {
namespace {

// The GenAI backend's documented outputs for what it was given: the last of its dispatch inputs
// decides, as it does in the backend (a later set_input replaces an earlier one).
std::optional<std::vector<std::string>> genai_output_names(std::span<const std::string> input_names) {
  for (auto it = input_names.rbegin(); it != input_names.rend(); ++it) {
    if (*it == "prompt" || *it == "messages") return std::vector<std::string>{"response", "metadata"};
    if (*it == "input_ids") return std::vector<std::string>{"logits"};
  }
  return std::nullopt;
}

bool is_invalid_argument(const nn::Error& e) { return e.code() == nn::ErrorCode::invalid_argument; }

}  // namespace

// The component ABI must name every output, but nn::ExecutionContext only answers for an output
// it is asked for; it cannot list them. So: inputs that name the GenAI backend's dispatch
// (prompt / messages / input_ids) get its documented output names; any other graph (ONNX) is
// asked by index until it says there is no such output, and its outputs are named `output<i>`.
// A context that does not know the GenAI names (an ONNX model with an input called input_ids)
// falls back to the index walk.
std::vector<NamedOutput> collect_outputs(nn::ExecutionContext& context, std::span<const std::string> input_names,
                                         size_t max_outputs) {
  std::vector<NamedOutput> outputs;
  if (auto names = genai_output_names(input_names)) {
    try {
      for (const auto& name : *names) outputs.push_back({name, context.get_output(name)});
    } catch (const nn::Error& e) {
      if (!is_invalid_argument(e) || !outputs.empty()) throw;
    }
    if (!outputs.empty()) {
      // Outputs some contexts have: `embedding` (f32 [1, N]) after a prompt with the embedding option.
      for (const char* name : {"embedding"}) {
        try {
          outputs.push_back({name, context.get_output(name)});
        } catch (const nn::Error& e) {
          if (!is_invalid_argument(e)) throw;
        }
      }
      return outputs;
    }
  }
  for (uint32_t index = 0;; ++index) {
    try {
      nn::Tensor tensor = context.get_output(index);
      if (outputs.size() == max_outputs)
        throw nn::Error(nn::ErrorCode::too_large, "the graph has more than " + std::to_string(max_outputs) +
                                                      " outputs, more than this host hands back at once");
      outputs.push_back({"output" + std::to_string(index), std::move(tensor)});
    } catch (const nn::Error& e) {
      if (!is_invalid_argument(e)) throw;
      return outputs;
    }
  }
}

}  // namespace wasinn::abi::preview2
