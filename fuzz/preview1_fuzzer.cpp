// libFuzzer target for the core-module ABI (wasi_ephemeral_nn): arbitrary call sequences,
// handles, pointers, lengths, and bytes (tensor structs, builder arrays, names, configs) written
// into guest memory, against a real store and the real backends.
//
// Each input runs in a fresh store and instance of a small module that imports every function
// of wasi_ephemeral_nn and exports a wrapper for each (a host function sees the guest's memory
// only when called from wasm) and one page of memory. The input is a program, read in order
// (zeros past its end), each operation one byte b:
//   b % 14 < 12: call function b % 14 (kFunctions order) with its parameters, each a value:
//                a selector byte s: s < 0x80 is s itself, s < 0xc0 is followed by a u16, else
//                by a u32 (little-endian): small handles, in-memory pointers and lengths, and
//                anything at all
//   otherwise:   write to memory: offset:u16 len:u8 bytes
// fuzz/make_seed_corpus.py writes the seed programs.
//
// Oracles, besides the sanitizers: the ABI never traps except for the guest's own stop (here,
// the input's time budget); every call returns one of the ABI's error numbers; and the host
// keeps serving afterwards (World::end_input).
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <wasmtime.hh>

#include "abi/preview1/wasi_ephemeral_nn.h"
#include "fuzz_world.h"

namespace {

using wasinn::fuzz::World;

struct Function {
  const char* name;
  int params;
};
constexpr Function kFunctions[] = {
    {"load", 5},           {"load_by_name", 3},   {"load_by_name_with_config", 5},
    {"init_execution_context", 2}, {"set_input", 3}, {"compute", 1},
    {"get_output", 5},     {"compute_single", 1}, {"get_output_single", 5},
    {"fini_single", 1},    {"unload", 1},         {"finalize_execution_context", 1},
};
constexpr int kFunctionCount = sizeof(kFunctions) / sizeof(kFunctions[0]);
constexpr uint32_t kMemoryBytes = 65536;

// Success, wasi-nn's 1-8 and WasmEdge's 100-103: the numbers the ABI documents.
bool documented(int32_t number) { return (number >= 0 && number <= 8) || (number >= 100 && number <= 103); }

std::string module_text() {
  std::string wat = "(module\n";
  for (const auto& f : kFunctions) {
    wat += "  (import \"wasi_ephemeral_nn\" \"" + std::string(f.name) + "\" (func $" + f.name + " (param";
    for (int i = 0; i < f.params; ++i) wat += " i32";
    wat += ") (result i32)))\n";
  }
  wat += "  (memory (export \"memory\") 1 1)\n";
  for (const auto& f : kFunctions) {
    wat += "  (func (export \"call_" + std::string(f.name) + "\") (param";
    for (int i = 0; i < f.params; ++i) wat += " i32";
    wat += ") (result i32)";
    for (int i = 0; i < f.params; ++i) wat += " local.get " + std::to_string(i);
    wat += " call $" + std::string(f.name) + ")\n";
  }
  return wat + ")\n";
}

struct Compiled {
  wasmtime::Engine engine;
  wasmtime::Module module;
};

Compiled& compiled() {
  static Compiled* c = [] {
    wasmtime::Engine engine;
    auto module = wasmtime::Module::compile(engine, module_text());
    if (!module) World::finding("cannot compile the fuzz module: " + module.err().message());
    return new Compiled{std::move(engine), module.ok()};
  }();
  return *c;
}

class Program {
 public:
  Program(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return u16() | (static_cast<uint32_t>(u16()) << 16); }
  uint32_t value() {
    uint8_t s = u8();
    return s < 0x80 ? s : s < 0xc0 ? u16() : u32();
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& world = World::get();
  Compiled& c = compiled();
  auto cancellation = world.begin_input();
  uint64_t calls = 0;
  {
    wasmtime::Store store(c.engine);
    wasmtime::Linker linker(c.engine);
    wasinn::abi::preview1::WasiEphemeralNn abi(world.backends(), {}, cancellation);
    abi.define(linker);
    auto instance = linker.instantiate(store, c.module);
    if (!instance) World::finding("cannot instantiate the fuzz module: " + instance.err().message());
    auto memory = std::get<wasmtime::Memory>(*instance.ok().get(store, "memory"));
    std::vector<wasmtime::Func> wrappers;
    for (const auto& f : kFunctions)
      wrappers.push_back(std::get<wasmtime::Func>(*instance.ok().get(store, std::string("call_") + f.name)));

    Program program(data, size);
    while (!program.done()) {
      uint8_t op = program.u8() % 14;
      if (op >= kFunctionCount) {
        uint32_t offset = program.u16();
        uint32_t len = program.u8();
        uint8_t* bytes = memory.data(store.context()).data();
        for (uint32_t i = 0; i < len; ++i) {
          uint8_t b = program.u8();
          if (offset + i < kMemoryBytes) bytes[offset + i] = b;
        }
        continue;
      }
      std::vector<wasmtime::Val> args;
      for (int i = 0; i < kFunctions[op].params; ++i) args.emplace_back(static_cast<int32_t>(program.value()));
      auto result = wrappers[static_cast<size_t>(op)].call(store, args);
      ++calls;
      if (!result) {
        if (cancellation->cancelled()) break;  // the input's budget ran out: the guest's own stop
        World::finding(std::string("wasi_ephemeral_nn.") + kFunctions[op].name + " trapped: " +
                       result.err().message());
      }
      int32_t number = result.ok().at(0).i32();
      if (!documented(number))
        World::finding(std::string("wasi_ephemeral_nn.") + kFunctions[op].name + " returned " +
                       std::to_string(number) + ", not a documented error number");
    }
  }  // the store, its instance and the ABI's handle tables go here: every graph and context too
  world.end_input(calls);
  return 0;
}
