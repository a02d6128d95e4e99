// The one error type of the nn core: a wasi-nn error code plus a human message. ABI layers map
// the code to their own numbering (the WIT `error-code` enum, or the core-module numbers and
// WasmEdge's extra codes); backends only throw.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace wasinn::nn {

enum class ErrorCode {
  invalid_argument,
  invalid_encoding,
  timeout,
  runtime_error,
  unsupported_operation,
  too_large,
  not_found,
  security,
  unknown,
  busy,
  // WasmEdge's LLM extensions (core-module ABI only; the component ABI reports them as
  // runtime-error with the message).
  end_of_sequence,
  context_full,
  prompt_too_long,
};

std::string_view to_string(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace wasinn::nn
