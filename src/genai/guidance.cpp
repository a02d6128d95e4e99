#include "genai/guidance.h"

#include "wasinn/nn/error.h"

namespace wasinn::genai {

void check_guidance(const LoadedModel& model, const Guidance& guidance) {
  try {
    oga::GeneratorParams params(model.model());
    params.set_search("max_length", 2.0);  // the smallest search; nothing is generated
    params.set_guidance(guidance.type, guidance.data);
    oga::Generator generator(model.model(), params);
  } catch (const oga::Error& e) {
    throw nn::Error(nn::ErrorCode::invalid_argument,
                    "option '" + guidance.option + "' was rejected by GenAI's guidance: " + e.what());
  }
}

void check_guidance(const LoadedModel& model, const RequestOptions& options) {
  if (options.guidance) check_guidance(model, *options.guidance);
}

}  // namespace wasinn::genai
