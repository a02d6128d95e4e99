// Runs one guest, a core module (WASI preview 1) or a component (WASI preview 2), with the two
// wasi-nn ABIs linked to a set of nn backends. The CLI's `wasinn run` is a thin layer over it,
// and so are the end-to-end tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/host.h"

namespace wasinn::host {

struct DirMapping {
  std::string host;
  std::string guest;
};

struct RunOptions {
  std::string wasm_path;
  std::vector<std::string> args;  // after the program name, which is the file name
  std::vector<std::pair<std::string, std::string>> env;
  bool inherit_env = false;
  std::vector<DirMapping> dirs;
  // Unset: the guest shares the host's stdio.
  std::optional<std::string> stdin_path;
  std::optional<std::string> stdout_path;
  std::optional<std::string> stderr_path;

  // Limits for an untrusted guest, as wasmtime's CLI spells them.
  // -W timeout: the whole run's deadline. Wasm code stops at its next epoch check and host work
  // (a generation) before its next token; the guest sees a trap and run() returns
  // kTimeoutStatus.
  std::optional<std::chrono::milliseconds> timeout;
  // -W max-memory-size: bytes each linear memory may grow to; memory.grow past it returns -1
  // (so the guest's malloc returns NULL), as wasm specifies.
  std::optional<uint64_t> max_memory_size;
  // Raised from another thread (an embedder; the CLI on SIGINT), it stops the run the same way
  // as the deadline, and run() returns kInterruptedStatus. Null: nobody but the deadline stops it.
  std::shared_ptr<nn::Cancellation> cancellation;
};

constexpr int kTrapStatus = 134;        // a trap, as wasmtime's CLI exits
constexpr int kTimeoutStatus = 124;     // past -W timeout, as timeout(1) exits
constexpr int kInterruptedStatus = 130; // cancelled (SIGINT): 128 + SIGINT, as shells report

// A problem the user can act on before the guest runs (missing file, unknown import, bad
// module): the CLI prints the message and exits 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class WasmKind { core_module, component };
// From the 8-byte header; RunError when the bytes are not WebAssembly.
WasmKind detect_kind(std::span<const uint8_t> bytes);

// Runs the guest's entry point (`_start`, or `wasi:cli/run.run`) and returns its exit status:
// the status it exits with, 0 when it returns normally, 1 when a component's run returns an
// error, kTrapStatus for a trap (printed to stderr, like wasmtime does), kTimeoutStatus or
// kInterruptedStatus when it was stopped (one line on stderr says why).
int run(const RunOptions& options, std::shared_ptr<const nn::Backends> backends);

}  // namespace wasinn::host
