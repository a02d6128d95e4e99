// The component wasi-nn ABI: `wasi:nn@0.2.0-rc-2024-10-28` (interfaces tensor, graph,
// inference, errors) with host resources through wasmtime's component API. Translates and
// validates only; named tensors go straight to the backends' name dispatch.
#pragma once

#include <cstdint>
#include <memory>
#include <wasmtime.hh>
#include <wasmtime/component.hh>

#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/host.h"

namespace wasinn::abi::preview2 {

struct Limits {
  // Live graphs + contexts + tensors; error resources have a budget of this size of their own.
  uint32_t max_resources = 4096;
  uint32_t max_dims = 16;
  uint64_t max_tensor_bytes = 1ull << 30;
};

class WasiNnComponent {
 public:
  // `cancellation`, when given and raised, stops the guest: the call it is in (or its next
  // fallible one) traps with the reason.
  explicit WasiNnComponent(std::shared_ptr<const nn::Backends> backends, Limits limits = {},
                           std::shared_ptr<const nn::Cancellation> cancellation = nullptr);
  ~WasiNnComponent();
  WasiNnComponent(const WasiNnComponent&) = delete;
  WasiNnComponent& operator=(const WasiNnComponent&) = delete;

  // Defines the four wasi:nn interfaces in `linker`. The functions refer to this object, which
  // holds the resource tables: keep it alive as long as the store.
  void define(wasmtime::component::Linker& linker);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace wasinn::abi::preview2
