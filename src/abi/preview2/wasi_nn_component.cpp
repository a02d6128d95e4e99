// Host functions of the four wasi:nn interfaces over wasmtime's dynamic component API. Each one
// lifts its arguments (handles become reps in our tables), calls the nn core, and lowers the
// answer; every nn::Error becomes an `error` resource, and only a Trap ends the guest (or the
// guest's own stop: its Cancellation raised by a deadline, SIGINT or an embedder).
//
// Limits: graphs, execution contexts and tensors share Limits::max_resources; past it, the
// functions that can fail return error too-large, and the tensor constructor, which cannot
// fail, traps. Error resources have a budget of their own of the same size, so an error can
// still be reported when the others are exhausted; a guest that keeps that many errors alive
// traps.
//
// Sizes: wasmtime lifts every element of a list into a value of its own (48 bytes; about 81
// bytes of host memory per byte of a list<u8> by the time it reaches us, as measured by
// bench/tensor_memory.py) before a host function runs, so our own size limit comes too late to
// bound that. wasmtime does bound it: each call may lift at most 128 MiB of values ("hostcall
// fuel", not settable through the C API), so a list<u8> over about 2.6 MiB traps in the guest
// before the host allocates it.
#include "abi/preview2/wasi_nn_component.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "abi/preview2/output_naming.h"
#include "abi/preview2/resource_table.h"
#include "abi/preview2/wit_values.h"
#include "wasinn/nn/cancellation.h"

namespace wasinn::abi::preview2 {
namespace {

using wasmtime::Span;
using wasmtime::Store;
using wasmtime::component::LinkerInstance;
using wasmtime::component::List;
using wasmtime::component::ResourceHost;
using wasmtime::component::ResourceType;
using wasmtime::component::Tuple;
using wasmtime::component::WitResult;

constexpr std::string_view kPackageVersion = "@0.2.0-rc-2024-10-28";

// wasmtime keeps host resources of different type ids apart, so a guest cannot pass one kind
// of handle where another is expected. Distinctive values, so other host resources linked into
// the same component are unlikely to collide.
enum ResourceKind : uint32_t { kTensor = 0x776e6e01, kGraph, kContext, kError };

// A tensor as the guest built it. The constructor has no error channel, so a tensor the host
// refuses keeps its reason, and that reason is the `error` of the compute that uses it. A
// too-large tensor keeps neither its dimensions nor its data.
struct TensorSlot {
  nn::Tensor tensor;
  std::optional<nn::Error> refusal;
};

// Everything the host functions share, owned jointly by them and WasiNnComponent so that no
// function can outlive it. One store drives it at a time.
struct Session {
  std::shared_ptr<const nn::Backends> backends;
  Limits limits;
  std::shared_ptr<const nn::Cancellation> cancellation;  // may be null: never stopped
  ResourceTable<TensorSlot> tensors;
  ResourceTable<std::shared_ptr<nn::Graph>> graphs;
  ResourceTable<std::unique_ptr<nn::ExecutionContext>> contexts;
  ResourceTable<WitError> errors;

  // Error(too_large) unless `count` more graphs, contexts or tensors fit in the limit.
  void reserve(size_t count) const {
    size_t live = tensors.size() + graphs.size() + contexts.size();
    if (live + count > limits.max_resources)
      throw nn::Error(nn::ErrorCode::too_large,
                      "the guest holds " + std::to_string(live) + " live wasi:nn graphs, contexts and tensors; " +
                          "the host allows " + std::to_string(limits.max_resources) + ": drop some");
  }
};

// The rep behind a handle argument. Lifting releases a borrow from wasmtime's call scope (a
// borrow left unreleased traps the call) and moves an own handle to the host, which then drops
// the value itself.
uint32_t rep_of(Store::Context cx, const Val& handle, ResourceKind kind) {
  if (!handle.is_resource()) throw Trap("expected a resource handle");
  auto host = handle.get_resource().to_host(cx);
  if (!host) throw Trap("cannot lift a resource handle: " + host.err().message());
  ResourceHost resource = host.ok();
  if (resource.type() != kind) throw Trap("a resource handle of the wrong type");
  return resource.rep();
}

// A new own handle for the guest.
Val handle_to_wit(Store::Context cx, ResourceKind kind, uint32_t rep) {
  auto any = ResourceHost(true, rep, kind).to_any(cx);
  if (!any) throw Trap("cannot lower a resource handle: " + any.err().message());
  return Val(any.ok());
}

template <typename T>
T& live(ResourceTable<T>& table, uint32_t rep, const char* what) {
  T* value = table.find(rep);
  if (value == nullptr) throw Trap(std::string("no live ") + what + " behind handle rep " + std::to_string(rep));
  return *value;
}

Val error_to_wit(Session& s, Store::Context cx, const nn::Error& error) {
  if (s.errors.size() >= s.limits.max_resources)
    throw Trap("the guest holds " + std::to_string(s.errors.size()) + " live wasi:nn error resources: it drops none");
  return handle_to_wit(cx, kError, s.errors.insert(to_wit_error(error)));
}

using Body = std::function<void(Store::Context, Span<Val> args, Span<Val> results)>;
using FallibleBody = std::function<Val(Store::Context, Span<Val> args)>;

// Any exception that leaves a body ends the guest with a trap that names the function.
void add_func(LinkerInstance& instance, const std::string& name, Body body) {
  auto added = instance.add_func(
      name, [name, body = std::move(body)](Store::Context cx, const wasmtime::component::FuncType&, Span<Val> args,
                                           Span<Val> results) -> wasmtime::Result<std::monostate> {
        try {
          body(cx, args, results);
          return std::monostate();
        } catch (const std::exception& e) {
          return wasmtime::Error("wasi:nn " + name + ": " + e.what());
        }
      });
  if (!added) throw std::runtime_error("cannot define wasi:nn " + name + ": " + added.err().message());
}

// For functions returning result<T, error>: the body's value is `ok`; an nn::Error (or any other
// failure but a Trap) becomes an `error` resource.
void add_fallible_func(LinkerInstance& instance, const std::string& name, std::shared_ptr<Session> s,
                       FallibleBody body) {
  add_func(instance, name, [s, body = std::move(body)](Store::Context cx, Span<Val> args, Span<Val> results) {
    nn::CancellationScope scope(s->cancellation.get());
    std::optional<nn::Error> failure;
    try {
      if (s->cancellation) s->cancellation->check();  // a stopped guest starts no new work
      results[0] = Val(WitResult::ok(body(cx, args)));
      return;
    } catch (const Trap&) {
      throw;
    } catch (const nn::Cancelled& e) {
      if (s->cancellation && s->cancellation->cancelled()) throw;  // the guest's own stop: a trap
      failure = e;
    } catch (const nn::Error& e) {
      failure = e;
    } catch (const std::exception& e) {
      failure = nn::Error(nn::ErrorCode::runtime_error, e.what());
    }
    results[0] = Val(WitResult::err(error_to_wit(*s, cx, *failure)));
  });
}

// The destructor runs when the guest drops its own handle.
template <typename T>
void add_resource(LinkerInstance& instance, const std::string& name, ResourceKind kind,
                  const std::shared_ptr<Session>& s, ResourceTable<T> Session::*table) {
  auto added = instance.add_resource(name, ResourceType(kind), [s, table](Store::Context, uint32_t rep) {
    ((*s).*table).erase(rep);
    return wasmtime::Result<std::monostate>(std::monostate());
  });
  if (!added) throw std::runtime_error("cannot define wasi:nn resource " + name + ": " + added.err().message());
}

Val construct_tensor(Session& s, Store::Context cx, Span<Val> args) {
  s.reserve(1);
  TensorSlot slot{{{}, tensor_type_from_wit(args[1]), {}}, std::nullopt};
  size_t rank = list_size(args[0]);
  size_t bytes = list_size(args[2]);
  if (rank > s.limits.max_dims) {
    slot.refusal = nn::Error(nn::ErrorCode::too_large, "a tensor of rank " + std::to_string(rank) +
                                                           ": the host allows " + std::to_string(s.limits.max_dims));
  } else if (bytes > s.limits.max_tensor_bytes) {
    slot.refusal = nn::Error(nn::ErrorCode::too_large, "a tensor of " + std::to_string(bytes) + " bytes: the host allows " +
                                                           std::to_string(s.limits.max_tensor_bytes));
  } else {
    slot.tensor.dims = u32_list(args[0]);
    slot.tensor.data = byte_list(args[2]);
    try {
      slot.tensor.validate("tensor");
    } catch (const nn::Error& e) {
      slot.refusal = e;
    }
  }
  return handle_to_wit(cx, kTensor, s.tensors.insert(std::move(slot)));
}

void define_tensor(LinkerInstance& instance, const std::shared_ptr<Session>& s) {
  add_resource(instance, "tensor", kTensor, s, &Session::tensors);
  add_func(instance, "[constructor]tensor", [s](Store::Context cx, Span<Val> args, Span<Val> results) {
    results[0] = construct_tensor(*s, cx, args);
  });
  auto tensor_of = [s](Store::Context cx, const Val& self) -> nn::Tensor& {
    return live(s->tensors, rep_of(cx, self, kTensor), "tensor").tensor;
  };
  add_func(instance, "[method]tensor.dimensions", [tensor_of](Store::Context cx, Span<Val> args, Span<Val> results) {
    results[0] = u32_list_to_wit(tensor_of(cx, args[0]).dims);
  });
  add_func(instance, "[method]tensor.ty", [tensor_of](Store::Context cx, Span<Val> args, Span<Val> results) {
    results[0] = tensor_type_to_wit(tensor_of(cx, args[0]).type);
  });
  add_func(instance, "[method]tensor.data", [tensor_of](Store::Context cx, Span<Val> args, Span<Val> results) {
    results[0] = byte_list_to_wit(tensor_of(cx, args[0]).data);
  });
}

Val insert_graph(Session& s, Store::Context cx, std::shared_ptr<nn::Graph> graph) {
  return handle_to_wit(cx, kGraph, s.graphs.insert(std::move(graph)));
}

void define_graph(LinkerInstance& instance, const std::shared_ptr<Session>& s) {
  add_resource(instance, "graph", kGraph, s, &Session::graphs);
  add_fallible_func(instance, "load", s, [s](Store::Context cx, Span<Val> args) {
    s->reserve(1);
    std::vector<std::vector<uint8_t>> builders;
    if (!args[0].is_list()) throw Trap("expected a list of graph builders");
    for (const Val& builder : args[0].get_list()) builders.push_back(byte_list(builder));
    std::vector<std::span<const uint8_t>> views(builders.begin(), builders.end());
    auto graph = s->backends->load(views, graph_encoding_from_wit(args[1]), execution_target_from_wit(args[2]));
    return insert_graph(*s, cx, std::move(graph));
  });
  add_fallible_func(instance, "load-by-name", s, [s](Store::Context cx, Span<Val> args) {
    s->reserve(1);
    if (!args[0].is_string()) throw Trap("expected a model name string");
    return insert_graph(*s, cx, s->backends->load_by_name(args[0].get_string()));
  });
  add_fallible_func(instance, "[method]graph.init-execution-context", s, [s](Store::Context cx, Span<Val> args) {
    auto& graph = live(s->graphs, rep_of(cx, args[0], kGraph), "graph");
    s->reserve(1);
    return handle_to_wit(cx, kContext, s->contexts.insert(graph->init_execution_context()));
  });
}

// Takes every tensor of a list<named-tensor> out of the table before anything can fail: each
// is an own handle the host now holds, and one left behind would never be dropped.
std::vector<std::pair<std::string, TensorSlot>> take_named_tensors(Session& s, Store::Context cx, const Val& list) {
  if (!list.is_list()) throw Trap("expected a list of named tensors");
  std::vector<std::pair<std::string, TensorSlot>> named;
  for (const Val& item : list.get_list()) {
    if (!item.is_tuple() || item.get_tuple().size() != 2 || !item.get_tuple().begin()[0].is_string())
      throw Trap("expected a named tensor (a tuple of a string and a tensor)");
    const Val* fields = item.get_tuple().begin();
    uint32_t rep = rep_of(cx, fields[1], kTensor);
    auto slot = s.tensors.take(rep);
    if (!slot) throw Trap("no live tensor behind handle rep " + std::to_string(rep));
    named.emplace_back(std::string(fields[0].get_string()), std::move(*slot));
  }
  return named;
}

Val compute(Session& s, Store::Context cx, Span<Val> args) {
  uint32_t context_rep = rep_of(cx, args[0], kContext);
  auto inputs = take_named_tensors(s, cx, args[1]);
  nn::ExecutionContext& context = *live(s.contexts, context_rep, "graph-execution-context");
  std::vector<std::string> input_names;
  for (auto& [name, slot] : inputs) {
    if (slot.refusal) throw nn::Error(slot.refusal->code(), "input '" + name + "': " + slot.refusal->what());
    context.set_input(name, std::move(slot.tensor));
    input_names.push_back(name);
  }
  context.compute();

  auto outputs = collect_outputs(context, input_names, s.limits.max_resources);
  s.reserve(outputs.size());
  for (const auto& output : outputs)
    if (output.tensor.data.size() > s.limits.max_tensor_bytes)
      throw nn::Error(nn::ErrorCode::too_large, "output '" + output.name + "' has " +
                                                    std::to_string(output.tensor.data.size()) +
                                                    " bytes: the host allows " +
                                                    std::to_string(s.limits.max_tensor_bytes));
  std::vector<Val> named;
  for (auto& output : outputs) {
    uint32_t rep = s.tensors.insert(TensorSlot{std::move(output.tensor), std::nullopt});
    std::vector<Val> fields;
    fields.push_back(Val::string(output.name));
    fields.push_back(handle_to_wit(cx, kTensor, rep));
    named.emplace_back(Tuple(std::move(fields)));
  }
  return Val(List(std::move(named)));
}

void define_inference(LinkerInstance& instance, const std::shared_ptr<Session>& s) {
  add_resource(instance, "graph-execution-context", kContext, s, &Session::contexts);
  add_fallible_func(instance, "[method]graph-execution-context.compute", s,
                    [s](Store::Context cx, Span<Val> args) { return compute(*s, cx, args); });
}

void define_errors(LinkerInstance& instance, const std::shared_ptr<Session>& s) {
  add_resource(instance, "error", kError, s, &Session::errors);
  auto error_of = [s](Store::Context cx, const Val& self) -> WitError& {
    return live(s->errors, rep_of(cx, self, kError), "error");
  };
  add_func(instance, "[method]error.code", [error_of](Store::Context cx, Span<Val> args, Span<Val> results) {
    results[0] = Val::enum_(error_of(cx, args[0]).code);
  });
  add_func(instance, "[method]error.data", [error_of](Store::Context cx, Span<Val> args, Span<Val> results) {
    results[0] = Val::string(error_of(cx, args[0]).data);
  });
}

}  // namespace

struct WasiNnComponent::State {
  std::shared_ptr<Session> session;
};

WasiNnComponent::WasiNnComponent(std::shared_ptr<const nn::Backends> backends, Limits limits,
                                 std::shared_ptr<const nn::Cancellation> cancellation)
    : state_(std::make_unique<State>(State{std::make_shared<Session>(
          Session{std::move(backends), limits, std::move(cancellation), {}, {}, {}, {}})})) {}

WasiNnComponent::~WasiNnComponent() = default;

void WasiNnComponent::define(wasmtime::component::Linker& linker) {
  using Definer = void (*)(LinkerInstance&, const std::shared_ptr<Session>&);
  const std::pair<const char*, Definer> interfaces[] = {
      {"wasi:nn/errors", define_errors},
      {"wasi:nn/tensor", define_tensor},
      {"wasi:nn/inference", define_inference},
      {"wasi:nn/graph", define_graph},
  };
  LinkerInstance root = linker.root();
  for (const auto& [interface, definer] : interfaces) {
    // One child instance at a time: wasmtime locks the parent while a child is open.
    std::string name = std::string(interface) + std::string(kPackageVersion);
    auto instance = root.add_instance(name);
    if (!instance) throw std::runtime_error("cannot define " + name + ": " + instance.err().message());
    definer(instance.ok_ref(), state_->session);
  }
}

}  // namespace wasinn::abi::preview2
