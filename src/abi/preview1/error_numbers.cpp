#include "abi/preview1/error_numbers.h"

namespace wasinn::abi::preview1 {

ErrorNumber error_number(nn::ErrorCode code) {
  using nn::ErrorCode;
  switch (code) {
    case ErrorCode::invalid_argument: return ErrorNumber::invalid_argument;
    case ErrorCode::invalid_encoding: return ErrorNumber::invalid_encoding;
    case ErrorCode::busy: return ErrorNumber::busy;
    case ErrorCode::unsupported_operation: return ErrorNumber::unsupported_operation;
    case ErrorCode::too_large: return ErrorNumber::too_large;
    case ErrorCode::not_found: return ErrorNumber::not_found;
    case ErrorCode::end_of_sequence: return ErrorNumber::end_of_sequence;
    case ErrorCode::context_full: return ErrorNumber::context_full;
    case ErrorCode::prompt_too_long: return ErrorNumber::prompt_too_long;
    case ErrorCode::runtime_error:
    case ErrorCode::timeout:
    case ErrorCode::security:
    case ErrorCode::unknown: return ErrorNumber::runtime_error;
  }
  return ErrorNumber::runtime_error;
}

}  // namespace wasinn::abi::preview1
