// `wasinn generate`: streams a model's answer to one prompt, then a one-line summary.
#pragma once

#include <ostream>
#include <string>

namespace wasinn::cli {

struct GenerateOptions {
  std::string model_dir;
  std::string prompt;
  int max_length = 512;
  bool raw = false;  // skip the chat template
};

int native_generate(const GenerateOptions& options, std::ostream& out, std::ostream& summary);

}  // namespace wasinn::cli
