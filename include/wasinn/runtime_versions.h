// Versions of the inference runtimes this process actually loaded.
#pragma once

#include <string>

namespace wasinn {

struct RuntimeVersions {
  std::string wasinn;
  std::string onnxruntime;        // from ONNX Runtime's own GetVersionString()
  std::string genai;              // from the note beside the loaded GenAI library
  std::string genai_library;      // path of the loaded GenAI library
};

RuntimeVersions runtime_versions();

// Checks, once at start-up, that the loaded GenAI library exports every function wasinn
// declares; throws std::runtime_error naming the missing ones (a version drift).
void verify_runtime();

}  // namespace wasinn
