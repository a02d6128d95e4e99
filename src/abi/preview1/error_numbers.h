// The error numbers of the core-module ABI: wasi-nn's witx numbering (1-8) plus WasmEdge's LLM
// extensions (100-103), and the one exception type for failures the ABI layer detects itself
// (bad pointers, unknown handles, a guest without memory), which have no nn::ErrorCode.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "wasinn/nn/error.h"

namespace wasinn::abi::preview1 {

enum class ErrorNumber : int32_t {
  success = 0,
  invalid_argument = 1,
  invalid_encoding = 2,
  missing_memory = 3,
  busy = 4,
  runtime_error = 5,
  unsupported_operation = 6,
  too_large = 7,
  not_found = 8,
  end_of_sequence = 100,
  context_full = 101,
  prompt_too_long = 102,
  model_not_found = 103,
};

// The number a guest sees for an nn core error. timeout, security and unknown have no number on
// this ABI and become runtime-error; not_found stays not-found here (load_by_name and
// load_by_name_with_config report it as model-not-found, since there it means a missing model).
ErrorNumber error_number(nn::ErrorCode code);

class AbiError : public std::runtime_error {
 public:
  AbiError(ErrorNumber number, const std::string& message) : std::runtime_error(message), number_(number) {}
  ErrorNumber number() const noexcept { return number_; }

 private:
  ErrorNumber number_;
};

}  // namespace wasinn::abi::preview1
