// Runs one guest, a core module (WASI preview 1) or a component (WASI preview 2), with the two
// wasi-nn ABIs linked to a set of nn backends. The CLI's `wasinn run` is a thin layer over it,
// and so are the end-to-end tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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
};

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
// error, 134 for a trap (printed to stderr, like wasmtime does).
int run(const RunOptions& options, std::shared_ptr<const nn::Backends> backends);

}  // namespace wasinn::host
