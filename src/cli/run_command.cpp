// `wasinn run [OPTIONS] WASM [ARGS...]`: flags in wasmtime's style; everything after WASM goes
// to the guest, and the guest's exit status becomes ours.
#include <iostream>

#include "cli/commands.h"
#include "cli/nn_options.h"
#include "host/wasm_runner.h"

namespace wasinn::cli {
namespace {

struct RunFlags {
  std::string wasm;
  std::vector<std::string> dirs;
  std::vector<std::string> envs;
  bool inherit_env = false;
  NnOptions nn;
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
  auto configured = flags.nn.configure();
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
