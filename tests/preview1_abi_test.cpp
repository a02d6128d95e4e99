// The core-module ABI (wasi_ephemeral_nn). Three layers of tests:
// - the pieces (bounds arithmetic, tensor struct, output buffers, handle table, numbering) on
//   plain memory, without wasmtime;
// - the ABI called with exact i32 arguments through a WAT module that wraps each import, to pin
//   down bounds at the end of memory, limits and error numbers;
// - the C guests run in-process through host::run, compared with the same requests made
//   natively through the nn core.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <wasmtime.hh>

#include "abi/preview1/enumerations.h"
#include "abi/preview1/error_numbers.h"
#include "abi/preview1/guest_memory.h"
#include "abi/preview1/guest_tensor.h"
#include "abi/preview1/handle_table.h"
#include "abi/preview1/wasi_ephemeral_nn.h"
#include "host/wasm_runner.h"
#include "test_support.h"
#include "wasinn/genai/backend.h"
#include "wasinn/onnx/onnx_backend.h"

namespace wasinn::abi::preview1 {
namespace {

const std::string kGuestDir = WASINN_TEST_GUEST_DIR;
const std::filesystem::path kOnnxModels = WASINN_TEST_ONNX_MODELS;

// Runs `f`, expecting AbiError with `number`.
void expect_abi_error(ErrorNumber number, const std::function<void()>& f) {
  try {
    f();
  } catch (const AbiError& e) {
    EXPECT_EQ(static_cast<int>(e.number()), static_cast<int>(number)) << e.what();
    return;
  }
  ADD_FAILURE() << "expected AbiError " << static_cast<int>(number);
}

void put_u32(std::vector<uint8_t>& memory, size_t offset, uint32_t value) {
  std::memcpy(memory.data() + offset, &value, sizeof value);
}

uint32_t get_u32(std::span<const uint8_t> memory, size_t offset) {
  uint32_t value;
  std::memcpy(&value, memory.data() + offset, sizeof value);
  return value;
}

// ---------------------------------------------------------------- the pieces

TEST(Preview1GuestMemory, InBoundsNeverOverflows) {
  EXPECT_TRUE(in_bounds(0, 0, 0));
  EXPECT_TRUE(in_bounds(65532, 4, 65536));
  EXPECT_FALSE(in_bounds(65533, 4, 65536));
  EXPECT_TRUE(in_bounds(65536, 0, 65536));
  EXPECT_FALSE(in_bounds(65537, 0, 65536));
  EXPECT_FALSE(in_bounds(UINT32_MAX, 2, 65536));               // wraps in 32 bits
  EXPECT_FALSE(in_bounds(16, UINT64_MAX - 8, 65536));           // wraps in 64 bits
  EXPECT_FALSE(in_bounds(UINT64_MAX, UINT64_MAX, UINT64_MAX));
  EXPECT_TRUE(in_bounds(UINT64_MAX, 0, UINT64_MAX));
}

TEST(Preview1GuestMemory, RangesOutsideMemoryAreInvalidArguments) {
  std::vector<uint8_t> bytes(64);
  GuestMemory memory(bytes);
  EXPECT_EQ(memory.range(60, 4, "x").size(), 4u);
  expect_abi_error(ErrorNumber::invalid_argument, [&] { memory.range(61, 4, "x"); });
  expect_abi_error(ErrorNumber::invalid_argument, [&] { memory.range(0xFFFFFFF0u, 0x20, "x"); });
  expect_abi_error(ErrorNumber::invalid_argument, [&] { memory.write_u32(62, 7, "x"); });
  EXPECT_EQ(bytes, std::vector<uint8_t>(64));  // a refused write writes nothing
}

TEST(Preview1GuestMemory, ReadsAndWritesUnalignedLittleEndianWords) {
  std::vector<uint8_t> bytes(16);
  GuestMemory memory(bytes);
  memory.write_u32(3, 0x04030201u, "x");
  EXPECT_EQ(bytes[3], 1);
  EXPECT_EQ(bytes[6], 4);
  EXPECT_EQ(memory.read_u32(3, "x"), 0x04030201u);
}

TEST(Preview1GuestMemory, TextMustBeValidUtf8) {
  std::string text = "héllo\xff";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  GuestMemory memory(bytes);
  EXPECT_EQ(memory.read_utf8(0, 6, "name"), "héllo");
  expect_abi_error(ErrorNumber::invalid_argument, [&] { memory.read_utf8(0, 7, "name"); });
}

// A guest memory holding one tensor struct at 0, dims at 32 and data at 64.
struct TensorInMemory {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(256);
  TensorInMemory(std::vector<uint32_t> dims, uint32_t type, std::string_view data) {
    put_u32(bytes, 0, 32);
    put_u32(bytes, 4, static_cast<uint32_t>(dims.size()));
    put_u32(bytes, 8, type);
    put_u32(bytes, 12, 64);
    put_u32(bytes, 16, static_cast<uint32_t>(data.size()));
    for (size_t i = 0; i < dims.size(); ++i) put_u32(bytes, 32 + 4 * i, dims[i]);
    std::copy(data.begin(), data.end(), bytes.begin() + 64);
  }
  nn::Tensor read(const Limits& limits = {}) { return read_tensor(GuestMemory(bytes), 0, limits); }
};

TEST(Preview1GuestTensor, CopiesDimsTypeAndData) {
  TensorInMemory t({2, 2}, 1, std::string(16, 'x'));
  auto tensor = t.read();
  EXPECT_EQ(tensor.dims, (std::vector<uint32_t>{2, 2}));
  EXPECT_EQ(tensor.type, nn::TensorType::f32);
  EXPECT_EQ(tensor.as_string(), std::string(16, 'x'));
}

TEST(Preview1GuestTensor, WasmEdgeByteStringsWithDimsOneBecomeDimsOfTheirLength) {
  EXPECT_EQ(TensorInMemory({1}, 3, "Hello").read().dims, std::vector<uint32_t>{5});
  EXPECT_EQ(TensorInMemory({1}, 1, "four").read().dims, std::vector<uint32_t>{1});  // only u8
}

TEST(Preview1GuestTensor, LimitsAndUnknownTypes) {
  Limits limits;
  limits.max_dims = 2;
  limits.max_tensor_bytes = 4;
  expect_abi_error(ErrorNumber::invalid_argument, [&] { TensorInMemory({1, 1, 1}, 3, "x").read(limits); });
  expect_abi_error(ErrorNumber::too_large, [&] { TensorInMemory({5}, 3, "Hello").read(limits); });
  expect_abi_error(ErrorNumber::invalid_argument, [&] { TensorInMemory({1}, 6, "x").read(); });
  TensorInMemory outside({1}, 3, "x");
  put_u32(outside.bytes, 12, 250);
  put_u32(outside.bytes, 16, 7);
  expect_abi_error(ErrorNumber::invalid_argument, [&] { outside.read(); });
  EXPECT_NO_THROW(read_tensor(GuestMemory(outside.bytes), 236, {}));  // the struct's last byte is memory's last
  expect_abi_error(ErrorNumber::invalid_argument, [&] { read_tensor(GuestMemory(outside.bytes), 237, {}); });
}

TEST(Preview1GuestTensor, OutputThatFitsIsCopiedWithItsLength) {
  std::vector<uint8_t> bytes(32, 0xAA);
  const uint8_t output[3] = {'a', 'b', 'c'};
  write_output(GuestMemory(bytes), 8, 3, 0, output);
  EXPECT_EQ(get_u32(bytes, 0), 3u);
  EXPECT_EQ(std::string(bytes.begin() + 8, bytes.begin() + 11), "abc");
  EXPECT_EQ(bytes[11], 0xAA);
}

TEST(Preview1GuestTensor, OutputTooLargeWritesOnlyTheLengthNeeded) {
  std::vector<uint8_t> bytes(32, 0xAA);
  const uint8_t output[5] = {1, 2, 3, 4, 5};
  expect_abi_error(ErrorNumber::too_large, [&] { write_output(GuestMemory(bytes), 8, 4, 0, output); });
  EXPECT_EQ(get_u32(bytes, 0), 5u);
  EXPECT_TRUE(std::all_of(bytes.begin() + 4, bytes.end(), [](uint8_t b) { return b == 0xAA; }));
}

TEST(Preview1GuestTensor, OutputBufferOrLengthOutsideMemoryWritesNothing) {
  std::vector<uint8_t> bytes(32, 0xAA);
  const uint8_t output[2] = {1, 2};
  expect_abi_error(ErrorNumber::invalid_argument, [&] { write_output(GuestMemory(bytes), 30, 4, 0, output); });
  expect_abi_error(ErrorNumber::invalid_argument, [&] { write_output(GuestMemory(bytes), 0, 4, 29, output); });
  EXPECT_EQ(bytes, std::vector<uint8_t>(32, 0xAA));
}

TEST(Preview1HandleTable, HandlesCountFromZeroAndAreNeverReused) {
  HandleTable<std::string> table("graph", 2);
  EXPECT_EQ(table.insert("a"), 0u);
  EXPECT_EQ(table.insert("b"), 1u);
  table.erase(0);
  EXPECT_EQ(table.insert("c"), 2u);
  EXPECT_EQ(table.get(2), "c");
  expect_abi_error(ErrorNumber::invalid_argument, [&] { table.get(0); });
  expect_abi_error(ErrorNumber::invalid_argument, [&] { table.erase(0); });
}

TEST(Preview1HandleTable, LiveEntriesOverTheLimitAreBusy) {
  HandleTable<int> table("context", 1);
  table.insert(1);
  expect_abi_error(ErrorNumber::busy, [&] { table.require_room(); });
  expect_abi_error(ErrorNumber::busy, [&] { table.insert(2); });
  EXPECT_EQ(table.size(), 1u);
}

TEST(Preview1Numbering, EnumerationsFollowWasmEdge) {
  EXPECT_EQ(tensor_type_from_number(0), nn::TensorType::f16);
  EXPECT_EQ(tensor_type_from_number(3), nn::TensorType::u8);
  EXPECT_EQ(tensor_type_from_number(5), nn::TensorType::i64);
  expect_abi_error(ErrorNumber::invalid_argument, [] { tensor_type_from_number(6); });
  EXPECT_EQ(encoding_from_number(1), nn::GraphEncoding::onnx);
  EXPECT_EQ(encoding_from_number(5), nn::GraphEncoding::autodetect);
  EXPECT_EQ(encoding_from_number(6), nn::GraphEncoding::ggml);
  expect_abi_error(ErrorNumber::invalid_encoding, [] { encoding_from_number(7); });
  EXPECT_EQ(target_from_number(3), nn::ExecutionTarget::autodetect);
  expect_abi_error(ErrorNumber::invalid_argument, [] { target_from_number(4); });
}

TEST(Preview1Numbering, NnErrorCodesMapToWasmEdgeNumbers) {
  using nn::ErrorCode;
  EXPECT_EQ(error_number(ErrorCode::invalid_argument), ErrorNumber::invalid_argument);
  EXPECT_EQ(error_number(ErrorCode::busy), ErrorNumber::busy);
  EXPECT_EQ(error_number(ErrorCode::too_large), ErrorNumber::too_large);
  EXPECT_EQ(error_number(ErrorCode::not_found), ErrorNumber::not_found);
  EXPECT_EQ(error_number(ErrorCode::end_of_sequence), ErrorNumber::end_of_sequence);
  EXPECT_EQ(error_number(ErrorCode::context_full), ErrorNumber::context_full);
  EXPECT_EQ(error_number(ErrorCode::prompt_too_long), ErrorNumber::prompt_too_long);
  for (auto code : {ErrorCode::runtime_error, ErrorCode::timeout, ErrorCode::security, ErrorCode::unknown})
    EXPECT_EQ(error_number(code), ErrorNumber::runtime_error) << nn::to_string(code);
}

// ---------------------------------------------------------------- the ABI through WAT

std::shared_ptr<genai::GenAIBackend> tiny_genai() {
  genai::ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  return std::make_shared<genai::GenAIBackend>(std::move(registry), genai::BackendOptions{});
}

std::shared_ptr<nn::Backends> backends_with(std::shared_ptr<nn::NameLoaderBackend> name_loader) {
  auto backends = std::make_shared<nn::Backends>();
  backends->set_name_loader(std::move(name_loader));
  backends->add_byte_loader(nn::GraphEncoding::onnx, std::make_shared<onnx::OnnxBackend>());
  return backends;
}

// Each import wrapped in an exported function of the same name, so a test calls the ABI with
// any i32 arguments, from wasm (the ABI finds the caller's memory), as a guest would.
std::string harness_wat(bool with_memory) {
  static const std::vector<std::pair<std::string, int>> kFunctions = {
      {"load", 5}, {"load_by_name", 3}, {"load_by_name_with_config", 5}, {"init_execution_context", 2},
      {"set_input", 3}, {"compute", 1}, {"get_output", 5}, {"compute_single", 1}, {"get_output_single", 5},
      {"fini_single", 1}, {"unload", 1}, {"finalize_execution_context", 1}};
  std::string imports, exports;
  for (const auto& [name, arity] : kFunctions) {
    std::string params, forward;
    for (int i = 0; i < arity; ++i) {
      params += " i32";
      forward += " local.get " + std::to_string(i);
    }
    imports += "(import \"wasi_ephemeral_nn\" \"" + name + "\" (func $" + name + " (param" + params + ") (result i32)))\n";
    exports += "(func (export \"" + name + "\") (param" + params + ") (result i32)" + forward + " call $" + name + ")\n";
  }
  return "(module\n" + imports + exports + (with_memory ? "(memory (export \"memory\") 1)\n" : "") + ")";
}

class Harness {
 public:
  static constexpr uint32_t kMemorySize = 65536;

  explicit Harness(std::shared_ptr<const nn::Backends> backends, Limits limits = {}, bool with_memory = true)
      : abi_(std::move(backends), limits), store_(engine_), linker_(engine_) {
    abi_.define(linker_);
    auto wasm = wasmtime::wat2wasm(harness_wat(with_memory)).unwrap();
    auto module = wasmtime::Module::compile(engine_, wasm).unwrap();
    instance_ = linker_.instantiate(store_, module).unwrap();
  }

  int call(const std::string& function, std::initializer_list<uint32_t> args) {
    auto func = std::get<wasmtime::Func>(*instance_->get(store_, function));
    std::vector<wasmtime::Val> params;
    for (uint32_t a : args) params.emplace_back(static_cast<int32_t>(a));
    auto results = func.call(store_, params).unwrap();
    return results.at(0).i32();
  }

  std::span<uint8_t> memory() { return std::get<wasmtime::Memory>(*instance_->get(store_, "memory")).data(store_); }
  void write(uint32_t offset, std::string_view bytes) { std::copy(bytes.begin(), bytes.end(), memory().begin() + offset); }
  void write_u32(uint32_t offset, uint32_t value) { std::memcpy(memory().data() + offset, &value, sizeof value); }
  uint32_t read_u32(uint32_t offset) { return get_u32(memory(), offset); }

  // A u8 tensor struct at `at` whose dims (at + 20) and data (at + 32) follow it.
  void write_u8_tensor(uint32_t at, const std::vector<uint32_t>& dims, std::string_view data) {
    const uint32_t dims_ptr = at + 20, data_ptr = at + 32;
    const uint32_t fields[5] = {dims_ptr, static_cast<uint32_t>(dims.size()), 3, data_ptr,
                                static_cast<uint32_t>(data.size())};
    for (uint32_t i = 0; i < 5; ++i) write_u32(at + 4 * i, fields[i]);
    for (uint32_t i = 0; i < dims.size(); ++i) write_u32(dims_ptr + 4 * i, dims[i]);
    write(data_ptr, data);
  }

 private:
  WasiEphemeralNn abi_;  // first: outlives the store whose functions point at it
  wasmtime::Engine engine_;
  wasmtime::Store store_;
  wasmtime::Linker linker_;
  std::optional<wasmtime::Instance> instance_;
};

constexpr uint32_t kOut = 0, kName = 16, kTensor = 64;

TEST(Preview1Abi, PointersUpToTheLastByteOfMemoryAreAcceptedAndOnePastIsNot) {
  Harness h(backends_with(tiny_genai()));
  constexpr uint32_t kEnd = Harness::kMemorySize;
  h.write(kEnd - 4, "tiny");
  EXPECT_EQ(h.call("load_by_name", {kEnd - 4, 4, kEnd - 8}), 0);
  uint32_t graph = h.read_u32(kEnd - 8);
  EXPECT_EQ(h.call("load_by_name", {kEnd - 3, 4, kOut}), 1);
  EXPECT_EQ(h.call("load_by_name", {UINT32_MAX, 2, kOut}), 1);
  EXPECT_EQ(h.call("init_execution_context", {graph, kEnd - 4}), 0);
  EXPECT_EQ(h.call("init_execution_context", {graph, kEnd - 3}), 1);
  EXPECT_EQ(h.call("set_input", {h.read_u32(kEnd - 4), 0, kEnd - 19}), 1);  // the struct needs 20 bytes
}

TEST(Preview1Abi, AGuestWithoutMemoryGetsMissingMemory) {
  Harness h(backends_with(tiny_genai()), {}, /*with_memory=*/false);
  EXPECT_EQ(h.call("load_by_name", {0, 4, 0}), 3);
  EXPECT_EQ(h.call("get_output", {0, 0, 0, 0, 0}), 3);
  EXPECT_EQ(h.call("compute", {0}), 1);  // takes no pointer: the unknown handle is what is wrong
}

TEST(Preview1Abi, LiveGraphAndContextLimitsAnswerBusyAndHandlesAreNotReused) {
  Limits limits;
  limits.max_graphs = 1;
  limits.max_contexts = 1;
  Harness h(backends_with(tiny_genai()), limits);
  h.write(kName, "tiny");
  ASSERT_EQ(h.call("load_by_name", {kName, 4, kOut}), 0);
  uint32_t first = h.read_u32(kOut);
  EXPECT_EQ(h.call("load_by_name", {kName, 4, kOut}), 4);
  ASSERT_EQ(h.call("init_execution_context", {first, kOut}), 0);
  EXPECT_EQ(h.call("init_execution_context", {first, kOut}), 4);
  EXPECT_EQ(h.call("unload", {first}), 0);
  ASSERT_EQ(h.call("load_by_name", {kName, 4, kOut}), 0);
  EXPECT_NE(h.read_u32(kOut), first);
}

TEST(Preview1Abi, TensorAndBuilderLimits) {
  Limits limits;
  limits.max_dims = 2;
  limits.max_tensor_bytes = 8;
  limits.max_builders = 2;
  Harness h(backends_with(tiny_genai()), limits);
  h.write(kName, "tiny");
  ASSERT_EQ(h.call("load_by_name", {kName, 4, kOut}), 0);
  ASSERT_EQ(h.call("init_execution_context", {h.read_u32(kOut), kOut}), 0);
  uint32_t ctx = h.read_u32(kOut);
  h.write_u8_tensor(kTensor, {1, 1, 1}, "x");
  EXPECT_EQ(h.call("set_input", {ctx, 0, kTensor}), 1);
  h.write_u8_tensor(kTensor, {9}, "123456789");
  EXPECT_EQ(h.call("set_input", {ctx, 0, kTensor}), 7);
  h.write_u8_tensor(kTensor, {8}, "12345678");
  EXPECT_EQ(h.call("set_input", {ctx, 0, kTensor}), 0);

  // Builders {ptr, len} at kTensor: two of 5 bytes are over 8 in total; three are too many.
  for (uint32_t i = 0; i < 3; ++i) {
    h.write_u32(kTensor + 8 * i, kName);
    h.write_u32(kTensor + 8 * i + 4, 5);
  }
  EXPECT_EQ(h.call("load", {kTensor, 2, 1, 0, kOut}), 7);
  EXPECT_EQ(h.call("load", {kTensor, 3, 1, 0, kOut}), 1);
}

// A backend whose failures are chosen by model name, to check how the boundary maps them.
class FailingBackend : public nn::NameLoaderBackend {
 public:
  std::shared_ptr<nn::Graph> load_by_name(std::string_view name, std::string_view) override {
    if (name == "bug") throw std::logic_error("a host bug");
    if (name == "slow") throw nn::Error(nn::ErrorCode::timeout, "too slow");
    if (name == "gone") throw nn::Error(nn::ErrorCode::not_found, "no model 'gone'");
    return std::make_shared<FullGraph>();
  }

 private:
  struct FullContext : nn::ExecutionContext {
    void set_input(const nn::TensorId&, nn::Tensor) override {}
    void compute() override { throw nn::Error(nn::ErrorCode::context_full, "the KV cache is full"); }
    nn::Tensor get_output(const nn::TensorId&) override { return {}; }
  };
  struct FullGraph : nn::Graph {
    std::unique_ptr<nn::ExecutionContext> init_execution_context() override { return std::make_unique<FullContext>(); }
  };
};

TEST(Preview1Abi, BackendExceptionsBecomeErrorNumbersAndNeverTrap) {
  Harness h(backends_with(std::make_shared<FailingBackend>()));
  auto load = [&](std::string_view name) {
    h.write(kName, name);
    return h.call("load_by_name", {kName, static_cast<uint32_t>(name.size()), kOut});
  };
  EXPECT_EQ(load("bug"), 5);
  EXPECT_EQ(load("slow"), 5);
  EXPECT_EQ(load("gone"), 103);
  ASSERT_EQ(load("full"), 0);
  ASSERT_EQ(h.call("init_execution_context", {h.read_u32(kOut), kOut}), 0);
  EXPECT_EQ(h.call("compute", {h.read_u32(kOut)}), 101);
  EXPECT_EQ(h.call("compute_single", {h.read_u32(kOut)}), 6);  // the default: no streaming
}

// ---------------------------------------------------------------- the guests

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct GuestRun {
  int status;
  std::string out;
  std::string err;
};

GuestRun run_guest(const std::string& guest, std::vector<std::string> args, std::shared_ptr<const nn::Backends> backends,
                   std::vector<host::DirMapping> dirs = {}) {
  test::TempDir tmp;
  host::RunOptions options;
  options.wasm_path = kGuestDir + "/" + guest + ".wasm";
  options.args = std::move(args);
  options.dirs = std::move(dirs);
  options.stdout_path = (tmp.path() / "stdout").string();
  options.stderr_path = (tmp.path() / "stderr").string();
  int status = host::run(options, std::move(backends));
  return {status, slurp(*options.stdout_path), slurp(*options.stderr_path)};
}

constexpr const char* kPrompt = "Once upon a time";
constexpr const char* kOptions = R"({"n-predict": 16})";

// What a WasmEdge-style guest should get: index 0 raw prompt, index 1 options, output 0.
std::string native_response(nn::NameLoaderBackend& backend, const std::string& prompt, const std::string& options) {
  auto graph = backend.load_by_name("tiny", options);
  auto ctx = graph->init_execution_context();
  ctx->set_input(0u, nn::Tensor::from_bytes(prompt));
  ctx->set_input(1u, nn::Tensor::from_bytes(options));
  ctx->compute();
  return std::string(ctx->get_output(0u).as_string());
}

TEST(Preview1Guests, ChatPrintsTheNativeBackendsResponse) {
  auto genai = tiny_genai();
  auto run = run_guest("chat", {"tiny", kPrompt, kOptions}, backends_with(genai));
  ASSERT_EQ(run.status, 0) << run.err;
  std::string expected = native_response(*genai, kPrompt, kOptions);
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(run.out, expected + "\n");
}

TEST(Preview1Guests, ChatPrintsMetadataWithTokenCounts) {
  auto run = run_guest("chat", {"tiny", kPrompt, kOptions}, backends_with(tiny_genai()));
  ASSERT_EQ(run.status, 0) << run.err;
  auto at = run.err.find("metadata: ");
  ASSERT_NE(at, std::string::npos) << run.err;
  auto line = run.err.substr(at + 10, run.err.find('\n', at) - at - 10);
  auto metadata = nlohmann::json::parse(line);
  EXPECT_GT(metadata.at("input_tokens").get<int>(), 0);
  EXPECT_GT(metadata.at("output_tokens").get<int>(), 0);
  EXPECT_LE(metadata.at("output_tokens").get<int>(), 16);
}

TEST(Preview1Guests, StreamPrintsWhatChatPrints) {
  auto backends = backends_with(tiny_genai());
  auto chat = run_guest("chat", {"tiny", kPrompt, kOptions}, backends);
  auto stream = run_guest("stream", {"tiny", kPrompt, kOptions}, backends);
  ASSERT_EQ(stream.status, 0) << stream.err;
  EXPECT_EQ(stream.out, chat.out);
}

TEST(Preview1Guests, UnknownModelEndsTheChatGuestWithModelNotFound) {
  auto run = run_guest("chat", {"no-such-model", kPrompt}, backends_with(tiny_genai()));
  EXPECT_EQ(run.status, 103);
  EXPECT_NE(run.err.find("error: load_by_name_with_config 103"), std::string::npos) << run.err;
}

std::vector<int64_t> parse_ids(const std::string& line) {
  std::istringstream in(line);
  std::vector<int64_t> ids;
  for (int64_t id; in >> id;) ids.push_back(id);
  return ids;
}

// Greedy decode over the backend's logits: the last position's argmax, step after step.
std::vector<int64_t> native_greedy(nn::Graph& graph, std::vector<int64_t> ids, int steps) {
  auto ctx = graph.init_execution_context();
  std::vector<int64_t> generated;
  for (int step = 0; step < steps; ++step) {
    ctx->set_input(0u, test::i64_tensor({1, static_cast<uint32_t>(ids.size())}, ids));
    ctx->compute();
    auto logits = ctx->get_output(0u);
    auto values = test::floats(logits);
    size_t vocab = logits.dims.at(2);
    auto row = values.begin() + static_cast<std::ptrdiff_t>((logits.dims.at(1) - 1) * vocab);
    int64_t best = std::max_element(row, row + static_cast<std::ptrdiff_t>(vocab)) - row;
    ids.push_back(best);
    generated.push_back(best);
  }
  return generated;
}

TEST(Preview1Guests, LogitsGuestDecodesTheSameIdsStatelessIncrementalAndNatively) {
  auto genai = tiny_genai();
  auto backends = backends_with(genai);
  auto stateless = run_guest("logits", {"tiny", "stateless", "8", "1", "450", "4996"}, backends);
  auto incremental = run_guest("logits", {"tiny", "incremental", "8", "1", "450", "4996"}, backends);
  ASSERT_EQ(stateless.status, 0) << stateless.err;
  ASSERT_EQ(incremental.status, 0) << incremental.err;
  auto expected = native_greedy(*genai->load_by_name("tiny", ""), {1, 450, 4996}, 8);
  EXPECT_EQ(parse_ids(stateless.out), expected);
  EXPECT_EQ(parse_ids(incremental.out), expected);
}

TEST(Preview1Guests, ClassifyGuestMatchesTheNativeOnnxBackend) {
  const std::vector<float> input = {0.5f, -1.25f, 2.0f, 0.75f};
  auto run = run_guest("classify", {"/models/classifier.onnx", "0.5", "-1.25", "2.0", "0.75"},
                       backends_with(tiny_genai()), {{kOnnxModels.string(), "/models"}});
  ASSERT_EQ(run.status, 0) << run.err;
  test::expect_printed_floats_near(run.out, test::native_classifier_output(kOnnxModels / "classifier.onnx", input), 1e-6);
}

struct ErrorLine {
  int number;
  std::map<std::string, std::string> facts;  // key=value words after the number
};

std::map<std::string, ErrorLine> parse_error_lines(const std::string& out) {
  std::map<std::string, ErrorLine> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string name, word;
    ErrorLine parsed{};
    words >> name >> parsed.number;
    while (words >> word) {
      auto eq = word.find('=');
      parsed.facts[word.substr(0, eq)] = eq == std::string::npos ? "" : word.substr(eq + 1);
    }
    lines[name] = parsed;
  }
  return lines;
}

TEST(Preview1Guests, NnErrorsGuestGetsTheDocumentedErrorNumbersAndKeepsRunning) {
  auto run = run_guest("nn_errors", {"tiny"}, backends_with(tiny_genai()));
  ASSERT_EQ(run.status, 0) << run.err;
  const std::map<std::string, int> expected = {
      {"unknown_model", 103}, {"dotdot_name", 1}, {"invalid_utf8_name", 1}, {"name_out_of_bounds", 1},
      {"out_graph_out_of_bounds", 1}, {"unknown_encoding", 2}, {"unknown_target", 1},
      {"builder_out_of_bounds", 1}, {"wrong_prompt_type", 1}, {"unknown_tensor_type", 1}, {"too_many_dims", 1},
      {"huge_data_len", 7}, {"tensor_out_of_bounds", 1}, {"data_out_of_bounds", 1}, {"invalid_utf8_prompt", 1},
      {"get_output_before_compute", 1}, {"small_output_buffer", 7}, {"retry_with_reported_size", 0},
      {"written_ptr_out_of_bounds", 1}, {"buffer_out_of_bounds", 1}, {"unknown_output_index", 1},
      {"compute_single_on_input_ids", 6}, {"finalized_context", 1}, {"finalize_twice", 1},
      {"unknown_context", 1}, {"out_ctx_out_of_bounds", 1}, {"unload", 0}, {"compute_after_unload", 0},
      {"unloaded_graph", 1}, {"unload_twice", 1}};
  auto lines = parse_error_lines(run.out);
  EXPECT_EQ(lines.size(), expected.size()) << run.out;
  for (const auto& [name, number] : expected) {
    auto it = lines.find(name);
    ASSERT_NE(it, lines.end()) << name << " missing from:\n" << run.out;
    EXPECT_EQ(it->second.number, number) << name;
  }
  const auto& small = lines["small_output_buffer"].facts;
  EXPECT_EQ(small.at("untouched"), "1");
  EXPECT_GT(std::stoul(small.at("reported")), 4u);
  EXPECT_EQ(small.at("reported"), lines["retry_with_reported_size"].facts.at("written"));
}

TEST(Preview1Guests, ImportOfAFunctionTheAbiLacksIsARunErrorNamingIt) {
  try {
    run_guest("bad_import", {}, backends_with(tiny_genai()));
    FAIL() << "expected host::RunError";
  } catch (const host::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_function"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wasinn::abi::preview1
