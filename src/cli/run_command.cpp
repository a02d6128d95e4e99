// `wasinn run [OPTIONS] WASM [ARGS...]`: flags in wasmtime's style; everything after WASM goes
// to the guest, and the guest's exit status becomes ours.
#include <atomic>
#include <csignal>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "cli/commands.h"
#include "cli/nn_options.h"
#include "host/wasm_runner.h"
#include "host/watchdog.h"

namespace wasinn::cli {
namespace {

struct RunFlags {
  std::string wasm;
  std::vector<std::string> dirs;
  std::vector<std::string> envs;
  bool inherit_env = false;
  std::vector<std::string> wasm_options;  // -W KEY=VALUE[,KEY=VALUE...]
  std::string timeout;                    // --timeout, the same as -W timeout=
  NnOptions nn;
};

// wasmtime's -W options that wasinn honours; any other is an error, never silently ignored.
void apply_wasm_option(const std::string& item, host::RunOptions& options) {
  auto eq = item.find('=');
  std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
  try {
    if (key == "timeout") {
      options.timeout = host::parse_duration(value);
    } else if (key == "max-memory-size") {
      size_t end = 0;
      options.max_memory_size = std::stoull(value, &end);
      if (end != value.size() || value.empty() || value[0] == '-') throw std::invalid_argument(value);
    } else {
      throw std::runtime_error("-W " + item + ": unknown option '" + key +
                               "' (wasinn honours -W timeout=DURATION and -W max-memory-size=BYTES)");
    }
  } catch (const std::logic_error&) {  // stoull/parse_duration: invalid_argument, out_of_range
    throw std::runtime_error("-W " + item + ": '" + value + "' is not a valid " +
                             (key == "timeout" ? "duration (e.g. 2s, 500ms)" : "number of bytes"));
  }
}

// SIGINT during a run stops the guest cleanly (status 130) instead of killing the process: the
// handler only raises a flag, and a thread turns it into the run's cancellation.
std::atomic<bool> sigint_received{false};
extern "C" void on_sigint(int) { sigint_received.store(true); }

class SigintStopsRun {
 public:
  explicit SigintStopsRun(std::shared_ptr<nn::Cancellation> cancellation)
      : previous_(std::signal(SIGINT, on_sigint)),
        poller_([cancellation](std::stop_token stop) {
          while (!stop.stop_requested()) {
            if (sigint_received.load()) {
              cancellation->cancel("interrupted (SIGINT)");
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~SigintStopsRun() {
    poller_.request_stop();
    poller_.join();
    std::signal(SIGINT, previous_);
  }

 private:
  void (*previous_)(int);
  std::jthread poller_;
};

host::DirMapping parse_dir(const std::string& spec) {
  auto sep = spec.find("::");
  if (sep == std::string::npos) return {spec, spec};
  return {spec.substr(0, sep), spec.substr(sep + 2)};
}

int run(const RunFlags& flags, const std::vector<std::string>& guest_args) {
  host::RunOptions options;
  options.wasm_path = flags.wasm;
  options.args = guest_args;
  options.inherit_env = flags.inherit_env;
  for (const auto& d : flags.dirs) options.dirs.push_back(parse_dir(d));
  for (const auto& e : flags.envs) {
    auto eq = e.find('=');
    if (eq != std::string::npos) {
      options.env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
    } else if (const char* value = std::getenv(e.c_str())) {  // --env NAME: the host's value
      options.env.emplace_back(e, value);
    }
  }
  for (const auto& option : flags.wasm_options) {
    for (size_t start = 0; start <= option.size();) {  // a comma-separated list, as wasmtime takes
      size_t comma = option.find(',', start);
      apply_wasm_option(option.substr(start, comma - start), options);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (!flags.timeout.empty()) apply_wasm_option("timeout=" + flags.timeout, options);
  auto configured = flags.nn.configure();
  options.cancellation = std::make_shared<nn::Cancellation>();
  SigintStopsRun sigint(options.cancellation);
  return host::run(options, configured.backends);
}

}  // namespace

Action add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand("run", "Run a WebAssembly module or component with wasi-nn");
  // Repeatable flags take one value each, so they never swallow the module path after them.
  cmd->add_option("--dir", flags->dirs, "Give the guest a host directory: HOST[::GUEST] (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--env", flags->envs, "Set a guest environment variable: NAME=VALUE, or NAME to pass the host's")
      ->allow_extra_args(false);
  cmd->add_flag("--inherit-env", flags->inherit_env, "Pass the whole host environment to the guest");
  cmd->add_option("-W", flags->wasm_options,
                  "Limits, as wasmtime spells them: timeout=DURATION (e.g. 2s, 500ms; exit 124 when reached), "
                  "max-memory-size=BYTES (each linear memory); comma-separated or repeated")
      ->allow_extra_args(false);
  cmd->add_option("--timeout", flags->timeout, "The same as -W timeout=DURATION");
  flags->nn.add_flags(*cmd);
  cmd->add_option("wasm", flags->wasm, "The .wasm module or component")->required();
  // Everything after the module belongs to the guest, flags included.
  cmd->prefix_command();
  return [cmd, flags] {
    if (!cmd->parsed()) return -1;
    return run(*flags, cmd->remaining());
  };
}

}  // namespace wasinn::cli
