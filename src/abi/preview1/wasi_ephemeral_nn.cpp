// The core-module wasi-nn ABI, `wasi_ephemeral_nn`, with WasmEdge's LLM extensions.
//
// What a guest can rely on:
// - Every function returns 0 or an error number (error_numbers.h) and none traps, whatever the
//   guest passes or the backend throws: nn::Error keeps its code, any other exception is
//   runtime-error (5).
// - A pointer + length that does not lie wholly inside the guest's exported `memory` is
//   invalid-argument (1), and then nothing is written. A guest that exports no `memory` gets
//   missing-memory (3) from every function that takes a pointer.
// - Model names and configs must be valid UTF-8 (else 1). An unknown model name given to
//   load_by_name or load_by_name_with_config is model-not-found (103), as in WasmEdge.
// - Handles are per instance, count from 0 and are never reused; an unknown, unloaded or
//   finalized handle is invalid-argument (1). A context keeps its graph alive after unload.
// - get_output / get_output_single with a buffer too small for the output: too-large (7),
//   nothing is written into the buffer, and the length needed is written to
//   out_bytes_written_ptr so the guest can retry with a buffer that size. (WasmEdge instead
//   writes a truncated prefix, which can split a UTF-8 character and is silently wrong.)
// - Limits (wasi_ephemeral_nn.h): more builders or tensor dimensions than allowed is
//   invalid-argument (1); a tensor or the builders together over max_tensor_bytes is
//   too-large (7); a load or init_execution_context over the live graph / context cap is
//   busy (4), reported before any loading is done.
// - A guest whose run was stopped (its deadline passed, SIGINT, an embedder: the Cancellation
//   the host gave this ABI) traps in the call it is in, or in its next one: a generation in
//   progress stops before its next token. This is the one trap the ABI makes.
// - WASINN_TRACE=1 in the host's environment prints each failing call to stderr as
//   `wasinn: wasi_ephemeral_nn.<function>: <error number> <message>`.
//
// The functions hold a pointer to the State; wasmtime calls them on the thread that runs the
// store, one at a time, so the State needs no lock.
#include "abi/preview1/wasi_ephemeral_nn.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "abi/preview1/enumerations.h"
#include "abi/preview1/error_numbers.h"
#include "abi/preview1/guest_memory.h"
#include "abi/preview1/guest_tensor.h"
#include "abi/preview1/handle_table.h"
#include "wasinn/nn/cancellation.h"

namespace wasinn::abi::preview1 {
namespace {

using wasmtime::Caller;

constexpr const char* kModule = "wasi_ephemeral_nn";
constexpr uint32_t kBuilderSize = 8;  // {u32 ptr, u32 len}

bool tracing() {
  static const bool enabled = [] {
    const char* value = std::getenv("WASINN_TRACE");
    return value != nullptr && std::string_view(value) == "1";
  }();
  return enabled;
}

// Every wasm parameter of this ABI is an i32; the functions take them as u32.
template <typename>
using I32 = int32_t;

struct LiveContext {
  std::shared_ptr<nn::Graph> graph;  // declared first so it outlives the context
  std::unique_ptr<nn::ExecutionContext> context;
};

}  // namespace

struct WasiEphemeralNn::State {
  State(std::shared_ptr<const nn::Backends> backends_in, Limits limits_in,
        std::shared_ptr<const nn::Cancellation> cancellation_in)
      : backends(std::move(backends_in)),
        limits(limits_in),
        cancellation(std::move(cancellation_in)),
        graphs("graph", limits.max_graphs),
        contexts("execution context", limits.max_contexts) {}

  std::shared_ptr<const nn::Backends> backends;
  Limits limits;
  std::shared_ptr<const nn::Cancellation> cancellation;  // may be null: never stopped
  HandleTable<std::shared_ptr<nn::Graph>> graphs;
  HandleTable<LiveContext> contexts;

  void define(wasmtime::Linker& linker) {
    define_function(linker, "load", &State::load);
    define_function(linker, "load_by_name", &State::load_by_name);
    define_function(linker, "load_by_name_with_config", &State::load_by_name_with_config);
    define_function(linker, "init_execution_context", &State::init_execution_context);
    define_function(linker, "set_input", &State::set_input);
    define_function(linker, "compute", &State::compute);
    define_function(linker, "get_output", &State::get_output);
    define_function(linker, "compute_single", &State::compute_single);
    define_function(linker, "get_output_single", &State::get_output_single);
    define_function(linker, "fini_single", &State::fini_single);
    define_function(linker, "unload", &State::unload);
    define_function(linker, "finalize_execution_context", &State::finalize_execution_context);
  }

  // --- the ABI's functions ---

  void load(Caller& caller, uint32_t builders_ptr, uint32_t builders_len, uint32_t encoding, uint32_t target,
            uint32_t out_graph_ptr) {
    auto memory = GuestMemory::of(caller);
    auto nn_encoding = encoding_from_number(encoding);
    auto nn_target = target_from_number(target);
    auto builders = read_builders(memory, builders_ptr, builders_len);
    memory.range(out_graph_ptr, sizeof(uint32_t), "out_graph_ptr");
    graphs.require_room();
    add_graph(memory, backends->load(builders, nn_encoding, nn_target), out_graph_ptr);
  }

  void load_by_name(Caller& caller, uint32_t name_ptr, uint32_t name_len, uint32_t out_graph_ptr) {
    auto memory = GuestMemory::of(caller);
    load_named(memory, memory.read_utf8(name_ptr, name_len, "model name"), "", out_graph_ptr);
  }

  void load_by_name_with_config(Caller& caller, uint32_t name_ptr, uint32_t name_len, uint32_t config_ptr,
                                uint32_t config_len, uint32_t out_graph_ptr) {
    auto memory = GuestMemory::of(caller);
    auto name = memory.read_utf8(name_ptr, name_len, "model name");
    load_named(memory, name, memory.read_utf8(config_ptr, config_len, "config"), out_graph_ptr);
  }

  void init_execution_context(Caller& caller, uint32_t graph, uint32_t out_ctx_ptr) {
    auto memory = GuestMemory::of(caller);
    memory.range(out_ctx_ptr, sizeof(uint32_t), "out_ctx_ptr");
    auto loaded = graphs.get(graph);
    contexts.require_room();
    auto context = loaded->init_execution_context();
    uint32_t handle = contexts.insert(LiveContext{std::move(loaded), std::move(context)});
    memory.write_u32(out_ctx_ptr, handle, "out_ctx_ptr");
  }

  void set_input(Caller& caller, uint32_t ctx, uint32_t index, uint32_t tensor_ptr) {
    auto memory = GuestMemory::of(caller);
    auto& context = context_of(ctx);
    context.set_input(index, read_tensor(memory, tensor_ptr, limits));
  }

  void compute(Caller&, uint32_t ctx) { context_of(ctx).compute(); }

  void get_output(Caller& caller, uint32_t ctx, uint32_t index, uint32_t buf_ptr, uint32_t buf_max_len,
                  uint32_t written_ptr) {
    auto memory = GuestMemory::of(caller);
    write_output(memory, buf_ptr, buf_max_len, written_ptr, context_of(ctx).get_output(index).data);
  }

  void compute_single(Caller&, uint32_t ctx) { context_of(ctx).compute_single(); }

  void get_output_single(Caller& caller, uint32_t ctx, uint32_t index, uint32_t buf_ptr, uint32_t buf_max_len,
                         uint32_t written_ptr) {
    auto memory = GuestMemory::of(caller);
    write_output(memory, buf_ptr, buf_max_len, written_ptr, context_of(ctx).get_output_single(index).data);
  }

  void fini_single(Caller&, uint32_t ctx) { context_of(ctx).fini_single(); }

  void unload(Caller&, uint32_t graph) { graphs.erase(graph); }

  void finalize_execution_context(Caller&, uint32_t ctx) { contexts.erase(ctx); }

  // --- helpers ---

  nn::ExecutionContext& context_of(uint32_t ctx) { return *contexts.get(ctx).context; }

  // The builders' bytes stay in guest memory, not copied: backends read them only during the
  // load, and guest memory cannot change while a host function runs.
  std::vector<std::span<const uint8_t>> read_builders(const GuestMemory& memory, uint32_t ptr, uint32_t count) const {
    if (count > limits.max_builders)
      throw AbiError(ErrorNumber::invalid_argument, std::to_string(count) + " graph builders; the limit is " +
                                                        std::to_string(limits.max_builders));
    auto array = memory.range(ptr, uint64_t{count} * kBuilderSize, "builders");
    std::vector<std::span<const uint8_t>> builders;
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t entry[2];  // ptr, len
      std::memcpy(entry, array.data() + uint64_t{i} * kBuilderSize, sizeof entry);
      total += entry[1];
      if (total > limits.max_tensor_bytes)
        throw AbiError(ErrorNumber::too_large, "graph builders of " + std::to_string(total) +
                                                   "+ bytes are over the limit of " +
                                                   std::to_string(limits.max_tensor_bytes));
      builders.push_back(memory.range(entry[0], entry[1], "graph builder"));
    }
    return builders;
  }

  void load_named(const GuestMemory& memory, const std::string& name, const std::string& config,
                  uint32_t out_graph_ptr) {
    memory.range(out_graph_ptr, sizeof(uint32_t), "out_graph_ptr");
    graphs.require_room();
    std::shared_ptr<nn::Graph> graph;
    try {
      graph = backends->load_by_name(name, config);
    } catch (const nn::Error& e) {
      if (e.code() == nn::ErrorCode::not_found) throw AbiError(ErrorNumber::model_not_found, e.what());
      throw;
    }
    add_graph(memory, std::move(graph), out_graph_ptr);
  }

  void add_graph(const GuestMemory& memory, std::shared_ptr<nn::Graph> graph, uint32_t out_graph_ptr) {
    memory.write_u32(out_graph_ptr, graphs.insert(std::move(graph)), "out_graph_ptr");
  }

  // --- the boundary: wasm values in, an error number out, no exception escapes ---

  template <typename... Params>
  void define_function(wasmtime::Linker& linker, const char* name, void (State::*method)(Caller&, Params...)) {
    auto function = [this, name, method](Caller caller, I32<Params>... args) -> wasmtime::Result<int32_t, wasmtime::Trap> {
      nn::CancellationScope scope(cancellation.get());
      try {
        return guarded(name, [&] {
          if (cancellation) cancellation->check();  // a stopped guest starts no new work
          (this->*method)(caller, static_cast<uint32_t>(args)...);
        });
      } catch (const nn::Cancelled& e) {
        return wasmtime::Trap(e.what());
      }
    };
    auto defined = linker.func_wrap(kModule, name, std::move(function));
    if (!defined)
      throw std::runtime_error(std::string("cannot define ") + kModule + "." + name + ": " + defined.err().message());
  }

  // The call's error number; lets only the guest's own stop (nn::Cancelled while its
  // cancellation is raised) through, to become a trap.
  template <typename Body>
  int32_t guarded(const char* function, Body&& body) const {
    try {
      body();
      return 0;
    } catch (const nn::Cancelled& e) {
      if (cancellation && cancellation->cancelled()) throw;
      return failed(function, error_number(e.code()), e.what());
    } catch (const AbiError& e) {
      return failed(function, e.number(), e.what());
    } catch (const nn::Error& e) {
      return failed(function, error_number(e.code()), e.what());
    } catch (const std::exception& e) {
      return failed(function, ErrorNumber::runtime_error, e.what());
    } catch (...) {
      return failed(function, ErrorNumber::runtime_error, "unknown exception");
    }
  }

  static int32_t failed(const char* function, ErrorNumber number, const char* message) noexcept {
    auto value = static_cast<int32_t>(number);
    if (tracing()) std::fprintf(stderr, "wasinn: %s.%s: %d %s\n", kModule, function, value, message);
    return value;
  }
};

WasiEphemeralNn::WasiEphemeralNn(std::shared_ptr<const nn::Backends> backends, Limits limits,
                                 std::shared_ptr<const nn::Cancellation> cancellation)
    : state_(std::make_unique<State>(std::move(backends), limits, std::move(cancellation))) {}

WasiEphemeralNn::~WasiEphemeralNn() = default;

void WasiEphemeralNn::define(wasmtime::Linker& linker) { state_->define(linker); }

}  // namespace wasinn::abi::preview1
