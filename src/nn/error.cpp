#include "wasinn/nn/error.h"

namespace wasinn::nn {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid-argument";
    case ErrorCode::invalid_encoding: return "invalid-encoding";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::runtime_error: return "runtime-error";
    case ErrorCode::unsupported_operation: return "unsupported-operation";
    case ErrorCode::too_large: return "too-large";
    case ErrorCode::not_found: return "not-found";
    case ErrorCode::security: return "security";
    case ErrorCode::unknown: return "unknown";
    case ErrorCode::busy: return "busy";
    case ErrorCode::end_of_sequence: return "end-of-sequence";
    case ErrorCode::context_full: return "context-full";
    case ErrorCode::prompt_too_long: return "prompt-too-long";
  }
  return "unknown";
}

}  // namespace wasinn::nn
