// What both fuzz targets run against, made once per process: the real nn backends (GenAI with
// the tiny model, ONNX Runtime for byte-loaded graphs), a per-input deadline, and the oracles
// that hold whatever the guest did: the host keeps serving, and only the guest's own stop traps.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/host.h"

namespace wasinn::fuzz {

class World {
 public:
  static World& get();

  const std::shared_ptr<nn::Backends>& backends() const { return backends_; }

  // A cancellation for one input, raised by a watchdog thread when the input has run longer
  // than WASINN_FUZZ_INPUT_MS (default 1000): a program that asks for a long generation is cut
  // short the way a deadline cuts a real guest short.
  std::shared_ptr<nn::Cancellation> begin_input();
  // Counts the input's wasi-nn calls and, every 64 inputs, aborts (a finding) unless the host
  // still serves: the tiny model loads by name and generates text.
  void end_input(uint64_t calls);

  // Aborts with `what`: libFuzzer saves the input that led here.
  [[noreturn]] static void finding(std::string_view what);

 private:
  World();
  struct Watchdog;
  std::shared_ptr<nn::Backends> backends_;
  std::shared_ptr<Watchdog> watchdog_;
  uint64_t inputs_ = 0;
};

}  // namespace wasinn::fuzz
