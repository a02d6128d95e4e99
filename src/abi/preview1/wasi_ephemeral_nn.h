// The core-module wasi-nn ABI: module `wasi_ephemeral_nn`, with WasmEdge's LLM extensions.
// Translates and validates only: every pointer and length is checked against the guest's
// memory, handles against per-instance tables with limits, and each call becomes a call on the
// nn core; errors become the ABI's numbers (WasmEdge's, see error_numbers.h).
#pragma once

#include <cstdint>
#include <memory>
#include <wasmtime.hh>

#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/host.h"

namespace wasinn::abi::preview1 {

struct Limits {
  uint32_t max_graphs = 64;          // live graphs per instance
  uint32_t max_contexts = 256;       // live execution contexts per instance
  uint32_t max_dims = 16;            // tensor rank
  uint64_t max_tensor_bytes = 1ull << 30;
  uint32_t max_builders = 16;        // graph builders in one load
};

class WasiEphemeralNn {
 public:
  // `cancellation`, when given and raised, stops the guest: the call it is in (or its next one)
  // traps with the reason.
  explicit WasiEphemeralNn(std::shared_ptr<const nn::Backends> backends, Limits limits = {},
                           std::shared_ptr<const nn::Cancellation> cancellation = nullptr);
  ~WasiEphemeralNn();
  WasiEphemeralNn(const WasiEphemeralNn&) = delete;
  WasiEphemeralNn& operator=(const WasiEphemeralNn&) = delete;

  // Defines every function of `wasi_ephemeral_nn` in `linker`. The functions refer to this
  // object, which holds the instance's handle tables: keep it alive as long as the store.
  void define(wasmtime::Linker& linker);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace wasinn::abi::preview1
