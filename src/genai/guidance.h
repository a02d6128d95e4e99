// GenAI's own check of constrained-decoding guidance, at the call that supplies it.
#pragma once

#include "genai/loaded_model.h"
#include "wasinn/genai/options.h"

namespace wasinn::genai {

// GenAI (llguidance) compiles guidance only when a generator is created, so a bad schema,
// regex or grammar would otherwise surface at compute. This creates a generator with the
// guidance once, without running the model (no tokens are appended): nn::Error
// (invalid_argument) naming the option, with llguidance's message, when it is rejected.
// Cost (measured): llguidance builds its token table once per model (0.25 s for the tiny model's
// 32k vocabulary, 0.5 s for SmolLM2's 49k; generation would pay it anyway); after that a check
// takes about a millisecond.
void check_guidance(const LoadedModel& model, const Guidance& guidance);

// check_guidance for the guidance `options` carry, if any.
void check_guidance(const LoadedModel& model, const RequestOptions& options);

}  // namespace wasinn::genai
