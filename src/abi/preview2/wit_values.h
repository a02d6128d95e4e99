// Conversions between wasmtime's dynamic component values (`Val`) and the nn core's types, for
// the wasi:nn WIT: enums travel as case names, byte and dimension lists as lists of values.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <wasmtime/component.hh>

#include "wasinn/nn/backend.h"
#include "wasinn/nn/error.h"
#include "wasinn/nn/tensor.h"

namespace wasinn::abi::preview2 {

using wasmtime::component::Val;

// A fault that must end the guest: a host function turns it into a trap. wasmtime type-checks
// every call against the WIT, so a value of the wrong shape is a host bug or a WIT mismatch,
// never something a guest can cause by passing bad data.
class Trap : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

nn::TensorType tensor_type_from_wit(const Val& value);
Val tensor_type_to_wit(nn::TensorType type);
nn::GraphEncoding graph_encoding_from_wit(const Val& value);
nn::ExecutionTarget execution_target_from_wit(const Val& value);

// An nn::Error as the WIT `error` resource reports it. The WIT has no busy, end-of-sequence,
// context-full or prompt-too-long: they become the nearest WIT code, and `data` starts with the
// nn code's name so the guest can still tell them apart. `data` is never empty.
struct WitError {
  std::string_view code;  // a case of wasi:nn/errors.error-code
  std::string data;
};
WitError to_wit_error(const nn::Error& error);

size_t list_size(const Val& list);
std::vector<uint32_t> u32_list(const Val& list);
std::vector<uint8_t> byte_list(const Val& list);
Val u32_list_to_wit(std::span<const uint32_t> values);
Val byte_list_to_wit(std::span<const uint8_t> bytes);

}  // namespace wasinn::abi::preview2
