// wasmtime's C++ API runs what our guest pipeline builds: a WASI preview 1 core module and a
// preview 2 command component, each reading an argument and printing to stdout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <wasmtime.hh>
#include <wasmtime/component.hh>

namespace {

const std::string kGuestDir = WASINN_TEST_GUEST_DIR;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A WASI configuration whose stdout goes to a fresh temporary file.
struct CapturedWasi {
  std::filesystem::path stdout_path =
      std::filesystem::temp_directory_path() / ("wasinn-smoke-" + std::to_string(::getpid()) + ".out");
  wasmtime::WasiConfig config(const std::vector<std::string>& argv) {
    wasmtime::WasiConfig wasi;
    wasi.argv(argv);
    EXPECT_TRUE(wasi.stdout_file(stdout_path.string()));
    return wasi;
  }
  ~CapturedWasi() { std::filesystem::remove(stdout_path); }
};

TEST(WasmtimeSmoke, CoreModuleReadsAnArgumentAndWritesStdout) {
  wasmtime::Engine engine;
  wasmtime::Store store(engine);
  CapturedWasi io;
  store.context().set_wasi(io.config({"hello", "wasinn"})).unwrap();
  auto bytes = read_file(kGuestDir + "/hello.wasm");
  auto module = wasmtime::Module::compile(engine, bytes).unwrap();
  wasmtime::Linker linker(engine);
  linker.define_wasi().unwrap();
  auto instance = linker.instantiate(store, module).unwrap();
  auto start = std::get<wasmtime::Func>(*instance.get(store, "_start"));
  auto result = start.call(store, {});
  // wasi-libc ends `_start` with proc_exit(0), which surfaces as an exit-status trap.
  if (!result) {
    auto failure = result.err();
    const auto* error = std::get_if<wasmtime::Error>(&failure.data);
    ASSERT_NE(error, nullptr) << result.err().message();
    auto status = error->i32_exit();
    ASSERT_TRUE(status.has_value()) << result.err().message();
    EXPECT_EQ(*status, 0);
  }
  EXPECT_EQ(slurp(io.stdout_path), "hello from wasm, wasinn\n");
}

TEST(WasmtimeSmoke, ComponentReadsAnArgumentAndWritesStdout) {
  wasmtime::Config config;
  config.wasm_component_model(true);
  wasmtime::Engine engine(std::move(config));
  wasmtime::Store store(engine);
  CapturedWasi io;
  store.context().set_wasi(io.config({"hello", "component"})).unwrap();
  auto bytes = read_file(kGuestDir + "/hello.component.wasm");
  auto component = wasmtime::component::Component::compile(engine, bytes).unwrap();
  wasmtime::component::Linker linker(engine);
  linker.add_wasip2().unwrap();
  auto instance = linker.instantiate(store, component).unwrap();

  // A command component exports wasi:cli/run@<version>.run; find it without assuming the version.
  auto type = component.type();
  std::optional<std::string> run_interface;
  for (size_t i = 0; i < type.export_count(engine); ++i) {
    auto item = type.export_nth(engine, i);
    if (item && item->first.starts_with("wasi:cli/run@")) run_interface = std::string(item->first);
  }
  ASSERT_TRUE(run_interface.has_value());
  auto iface = instance.get_export_index(store, nullptr, *run_interface);
  ASSERT_TRUE(iface.has_value());
  auto run_index = instance.get_export_index(store, &*iface, "run");
  ASSERT_TRUE(run_index.has_value());
  auto run = instance.get_func(store, *run_index);
  ASSERT_TRUE(run.has_value());
  std::vector<wasmtime::component::Val> results = {wasmtime::component::Val(false)};
  run->call(store, {}, results).unwrap();
  ASSERT_TRUE(results[0].is_result());
  EXPECT_TRUE(results[0].get_result().is_ok());
  EXPECT_EQ(slurp(io.stdout_path), "hello from wasm, component\n");
}

}  // namespace
