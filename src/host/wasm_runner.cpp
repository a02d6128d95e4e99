#include "host/wasm_runner.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <wasmtime.hh>
#include <wasmtime/component.hh>

#include "abi/preview1/wasi_ephemeral_nn.h"
#include "abi/preview2/wasi_nn_component.h"
#include "host/watchdog.h"

namespace wasinn::host {
namespace {

std::vector<uint8_t> read_wasm(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw RunError("no such file: " + path);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  if (!in.good() && !in.eof()) throw RunError("cannot read " + path);
  return bytes;
}

template <typename T, typename E>
T unwrap_or_throw(wasmtime::Result<T, E> result, const std::string& what) {
  if (!result) throw RunError(what + ": " + result.err().message());
  return result.ok();
}

wasmtime::WasiConfig wasi_config(const RunOptions& o) {
  wasmtime::WasiConfig wasi;
  std::vector<std::string> argv{std::filesystem::path(o.wasm_path).filename().string()};
  argv.insert(argv.end(), o.args.begin(), o.args.end());
  wasi.argv(argv);
  if (o.inherit_env && o.env.empty()) {
    wasi.inherit_env();
  } else if (o.inherit_env) {
    // Explicit values on top of the host's: WASI takes one list, so merge them into it (calling
    // inherit_env() as well would give the guest both, the host's first).
    std::vector<std::pair<std::string, std::string>> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      auto eq = entry.find('=');
      if (eq != std::string::npos) env.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const auto& [k, v] : o.env) {
      std::erase_if(env, [&](const auto& kv) { return kv.first == k; });
      env.emplace_back(k, v);
    }
    wasi.env(env);
  } else {
    wasi.env(o.env);
  }
  for (const auto& d : o.dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(d.host, ec)) throw RunError("--dir: no such directory: " + d.host);
    if (!wasi.preopen_dir(d.host, d.guest, true)) throw RunError("--dir: cannot open " + d.host);
  }
  if (o.stdin_path) {
    if (!wasi.stdin_file(*o.stdin_path)) throw RunError("cannot open stdin file " + *o.stdin_path);
  } else {
    wasi.inherit_stdin();
  }
  if (o.stdout_path) {
    if (!wasi.stdout_file(*o.stdout_path)) throw RunError("cannot open stdout file " + *o.stdout_path);
  } else {
    wasi.inherit_stdout();
  }
  if (o.stderr_path) {
    if (!wasi.stderr_file(*o.stderr_path)) throw RunError("cannot open stderr file " + *o.stderr_path);
  } else {
    wasi.inherit_stderr();
  }
  return wasi;
}

// wasmtime's own CLI caches compiled code on disk by default; so do we, so that running a
// guest again skips Cranelift (tens of milliseconds that a short generation would notice).
// Epoch interruption is always on, so that a deadline or SIGINT can stop any guest.
wasmtime::Engine make_engine(bool component_model) {
  wasmtime::Config config;
  config.wasm_component_model(component_model);
  config.epoch_interruption(true);
  if (!config.cache_load_default()) std::cerr << "wasinn: warning: wasmtime's compilation cache is unavailable\n";
  return wasmtime::Engine(std::move(config));
}

// What both kinds of guest share around their run: the store's limits, and a watchdog that
// stops the guest at its deadline or when its cancellation is raised.
class GuardedRun {
 public:
  GuardedRun(const RunOptions& o, const wasmtime::Engine& engine, wasmtime::Store& store)
      : cancellation_(o.cancellation ? o.cancellation : std::make_shared<nn::Cancellation>()),
        watchdog_(engine, cancellation_, o.timeout) {
    store.context().set_epoch_deadline(1);  // the watchdog's one tick stops the guest
    if (o.max_memory_size)
      store.limiter(static_cast<int64_t>(std::min<uint64_t>(*o.max_memory_size, INT64_MAX)), -1, -1, -1, -1);
  }

  std::shared_ptr<const nn::Cancellation> cancellation() const { return cancellation_; }

  // The status of a guest that did not return normally: stopped by us, its WASI exit code, or
  // a trap.
  int status_of(const std::string& trap_message, std::optional<int> exit_code) const {
    if (exit_code) return *exit_code;
    if (cancellation_->cancelled()) {
      bool timed_out = watchdog_.timed_out();
      std::cerr << "wasinn: " << (timed_out ? "error: " : "stopped: ") << cancellation_->reason() << "\n";
      return timed_out ? kTimeoutStatus : kInterruptedStatus;
    }
    std::cerr << "wasinn: error: guest trapped: " << trap_message << "\n";
    return kTrapStatus;
  }

 private:
  std::shared_ptr<nn::Cancellation> cancellation_;
  Watchdog watchdog_;
};

int run_core_module(const RunOptions& o, std::vector<uint8_t>& bytes,
                    std::shared_ptr<const nn::Backends> backends) {
  auto engine = make_engine(false);
  auto module = unwrap_or_throw(wasmtime::Module::compile(engine, bytes), "cannot compile " + o.wasm_path);
  wasmtime::Store store(engine);
  unwrap_or_throw(store.context().set_wasi(wasi_config(o)), "cannot configure WASI");
  wasmtime::Linker linker(engine);
  unwrap_or_throw(linker.define_wasi(), "cannot define WASI");
  GuardedRun guard(o, engine, store);
  abi::preview1::WasiEphemeralNn nn_abi(std::move(backends), {}, guard.cancellation());
  nn_abi.define(linker);
  auto instance = unwrap_or_throw(linker.instantiate(store, module), "cannot instantiate " + o.wasm_path);
  auto start = instance.get(store, "_start");
  if (!start || !std::holds_alternative<wasmtime::Func>(*start))
    throw RunError(o.wasm_path + " exports no `_start` function: it is not a WASI command");
  auto result = std::get<wasmtime::Func>(*start).call(store, {});
  if (result) return 0;
  auto failure = result.err();
  const auto* error = std::get_if<wasmtime::Error>(&failure.data);
  return guard.status_of(failure.message(), error ? error->i32_exit() : std::nullopt);
}

int run_component(const RunOptions& o, std::vector<uint8_t>& bytes,
                  std::shared_ptr<const nn::Backends> backends) {
  auto engine = make_engine(true);
  auto component =
      unwrap_or_throw(wasmtime::component::Component::compile(engine, bytes), "cannot compile " + o.wasm_path);
  wasmtime::Store store(engine);
  unwrap_or_throw(store.context().set_wasi(wasi_config(o)), "cannot configure WASI");
  wasmtime::component::Linker linker(engine);
  unwrap_or_throw(linker.add_wasip2(), "cannot define WASI preview 2");
  GuardedRun guard(o, engine, store);
  abi::preview2::WasiNnComponent nn_abi(std::move(backends), {}, guard.cancellation());
  nn_abi.define(linker);
  auto instance = unwrap_or_throw(linker.instantiate(store, component), "cannot instantiate " + o.wasm_path);

  // A command component exports wasi:cli/run@<version>; find it without assuming the version.
  auto type = component.type();
  std::optional<std::string> run_interface;
  for (size_t i = 0; i < type.export_count(engine); ++i) {
    auto item = type.export_nth(engine, i);
    if (item && item->first.starts_with("wasi:cli/run@")) run_interface = std::string(item->first);
  }
  if (!run_interface) throw RunError(o.wasm_path + " exports no wasi:cli/run: it is not a command component");
  auto iface = instance.get_export_index(store, nullptr, *run_interface);
  auto run_index = iface ? instance.get_export_index(store, &*iface, "run") : std::nullopt;
  auto run = run_index ? instance.get_func(store, *run_index) : std::nullopt;
  if (!run) throw RunError(o.wasm_path + ": " + *run_interface + " has no `run` function");

  std::vector<wasmtime::component::Val> results = {wasmtime::component::Val(false)};
  auto called = run->call(store, {}, results);
  if (!called) return guard.status_of(called.err().message(), called.err().i32_exit());
  return results[0].is_result() && results[0].get_result().is_ok() ? 0 : 1;
}

}  // namespace

WasmKind detect_kind(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kMagic[] = {0x00, 'a', 's', 'm'};
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 4) != 0)
    throw RunError("not a WebAssembly binary (no \\0asm header)");
  // Bytes 4-5: version 1 for core modules; bytes 6-7: layer 1 for components.
  if (bytes[6] == 0x01 && bytes[7] == 0x00) return WasmKind::component;
  if (bytes[4] == 0x01 && bytes[5] == 0x00 && bytes[6] == 0x00 && bytes[7] == 0x00) return WasmKind::core_module;
  throw RunError("unsupported WebAssembly binary version or layer");
}

int run(const RunOptions& options, std::shared_ptr<const nn::Backends> backends) {
  auto bytes = read_wasm(options.wasm_path);
  switch (detect_kind(bytes)) {
    case WasmKind::core_module: return run_core_module(options, bytes, std::move(backends));
    case WasmKind::component: return run_component(options, bytes, std::move(backends));
  }
  return 1;
}

}  // namespace wasinn::host
