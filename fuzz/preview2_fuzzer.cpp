// libFuzzer target for the component ABI (wasi:nn): the fuzz guest (fuzz/guest) runs each input
// as a program of wasi:nn calls through the canonical ABI, so arbitrary tensors (ranks,
// dimensions, types, data sizes), names, graph builders and call orders reach our host
// functions, against a real store and the real backends. Each input gets a fresh store and
// instance.
//
// Oracles, besides the sanitizers: the guest keeps its handles valid, so nothing the host does
// may trap except the guest's own stop (here, the input's time budget); and the host keeps
// serving afterwards (World::end_input).
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include <wasmtime.hh>
#include <wasmtime/component.hh>

#include "abi/preview2/wasi_nn_component.h"
#include "fuzz_world.h"

namespace {

using wasinn::fuzz::World;
using wasmtime::component::Val;

struct Compiled {
  wasmtime::Engine engine;
  wasmtime::component::Component component;
};

Compiled& compiled() {
  static Compiled* c = [] {
    std::ifstream in(WASINN_FUZZ_GUEST, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    wasmtime::Config config;
    config.wasm_component_model(true);
    wasmtime::Engine engine(std::move(config));
    auto component = wasmtime::component::Component::compile(engine, bytes);
    if (!component) World::finding(std::string("cannot compile ") + WASINN_FUZZ_GUEST + ": " + component.err().message());
    return new Compiled{std::move(engine), component.ok()};
  }();
  return *c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& world = World::get();
  Compiled& c = compiled();
  auto cancellation = world.begin_input();
  uint64_t calls = 0;
  {
    wasmtime::Store store(c.engine);
    wasmtime::component::Linker linker(c.engine);
    wasinn::abi::preview2::WasiNnComponent abi(world.backends(), {}, cancellation);
    abi.define(linker);
    auto instance = linker.instantiate(store, c.component);
    if (!instance) World::finding("cannot instantiate the fuzz guest: " + instance.err().message());
    auto index = instance.ok().get_export_index(store, nullptr, "run-program");
    auto run = index ? instance.ok().get_func(store, *index) : std::nullopt;
    if (!run) World::finding("the fuzz guest exports no run-program");

    std::vector<Val> program(data, data + size);
    std::vector<Val> args = {Val(wasmtime::component::List(std::move(program)))};
    std::vector<Val> results = {Val(uint32_t{0})};
    auto called = run->call(store, args, results);
    if (!called) {
      if (!cancellation->cancelled()) World::finding("the guest trapped: " + called.err().message());
    } else {
      calls = results[0].get_u32();
      auto done = run->post_return(store);
      if (!done) World::finding("post-return failed: " + done.err().message());
    }
  }
  world.end_input(calls);
  return 0;
}
