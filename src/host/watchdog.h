// Stops a guest run from its own thread. When the deadline passes, or when the run's
// cancellation is raised by someone else (an embedder, the CLI on SIGINT), it raises the
// cancellation (host work in progress, such as a generation, stops before its next token) and
// bumps the engine's epoch (wasm code traps at its next epoch check: a loop header or a
// function entry). The store must have epoch interruption on and a deadline of one tick.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <wasmtime.hh>

#include "wasinn/nn/cancellation.h"

namespace wasinn::host {

class Watchdog {
 public:
  Watchdog(const wasmtime::Engine& engine, std::shared_ptr<nn::Cancellation> cancellation,
           std::optional<std::chrono::milliseconds> timeout);
  ~Watchdog();  // stops watching
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  bool timed_out() const;

 private:
  void watch();

  const wasmtime::Engine& engine_;
  std::shared_ptr<nn::Cancellation> cancellation_;
  std::optional<std::chrono::milliseconds> timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  bool timed_out_ = false;
  std::thread thread_;  // last: starts once everything above is set
};

// "2s", "500ms", "1.5s", "2m", "1h"; a bare number is seconds (wasmtime's -W timeout takes
// these). std::invalid_argument naming the text otherwise.
std::chrono::milliseconds parse_duration(const std::string& text);

// How a duration is written back: "2s", or "1500ms" when not whole seconds.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace wasinn::host
