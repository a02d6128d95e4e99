// The component wasi-nn ABI (wasi:nn@0.2.0-rc-2024-10-28): its value conversions and output
// naming as units, then component guests built with wit-bindgen, run in-process on the tiny
// model. Expected texts come from the GenAI backend called natively with the same inputs.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <wasmtime.hh>
#include <wasmtime/component.hh>

#include "abi/preview2/output_naming.h"
#include "abi/preview2/resource_table.h"
#include "abi/preview2/wasi_nn_component.h"
#include "abi/preview2/wit_values.h"
#include "host/wasm_runner.h"
#include "test_support.h"
#include "wasinn/genai/backend.h"
#include "wasinn/onnx/onnx_backend.h"

namespace wasinn::abi::preview2 {
namespace {

using nn::ErrorCode;
using nn::Tensor;
using nn::TensorType;

const std::filesystem::path kGuestDir = WASINN_TEST_GUEST_DIR;

// --- Val <-> nn conversions -------------------------------------------------------------------

TEST(Preview2WitValues, TensorTypesTravelAsTheWitCaseNamesInWitOrder) {
  const std::pair<TensorType, const char*> cases[] = {
      {TensorType::f16, "FP16"}, {TensorType::f32, "FP32"}, {TensorType::f64, "FP64"}, {TensorType::bf16, "BF16"},
      {TensorType::u8, "U8"},    {TensorType::i32, "I32"},  {TensorType::i64, "I64"}};
  for (const auto& [type, name] : cases) {
    EXPECT_EQ(tensor_type_to_wit(type).get_enum(), name);
    EXPECT_EQ(tensor_type_from_wit(Val::enum_(name)), type) << name;
  }
}

TEST(Preview2WitValues, EncodingsAndTargetsMapByWitName) {
  EXPECT_EQ(graph_encoding_from_wit(Val::enum_("openvino")), nn::GraphEncoding::openvino);
  EXPECT_EQ(graph_encoding_from_wit(Val::enum_("onnx")), nn::GraphEncoding::onnx);
  EXPECT_EQ(graph_encoding_from_wit(Val::enum_("ggml")), nn::GraphEncoding::ggml);
  EXPECT_EQ(graph_encoding_from_wit(Val::enum_("autodetect")), nn::GraphEncoding::autodetect);
  EXPECT_EQ(execution_target_from_wit(Val::enum_("cpu")), nn::ExecutionTarget::cpu);
  EXPECT_EQ(execution_target_from_wit(Val::enum_("gpu")), nn::ExecutionTarget::gpu);
  EXPECT_EQ(execution_target_from_wit(Val::enum_("tpu")), nn::ExecutionTarget::tpu);
}

TEST(Preview2WitValues, ValuesOfTheWrongShapeAreTrapsNotErrors) {
  EXPECT_THROW(tensor_type_from_wit(Val::enum_("f32")), Trap);
  EXPECT_THROW(graph_encoding_from_wit(Val(uint32_t{1})), Trap);
  EXPECT_THROW(execution_target_from_wit(Val::enum_("auto")), Trap);  // the core ABI's, not the WIT's
  EXPECT_THROW(byte_list(Val(uint8_t{1})), Trap);
  EXPECT_THROW(byte_list(u32_list_to_wit(std::vector<uint32_t>{1})), Trap);
}

TEST(Preview2WitValues, ListsRoundTrip) {
  const std::vector<uint32_t> dims = {1, 0, 4294967295u};
  const std::vector<uint8_t> bytes = {0, 1, 255};
  EXPECT_EQ(u32_list(u32_list_to_wit(dims)), dims);
  EXPECT_EQ(byte_list(byte_list_to_wit(bytes)), bytes);
  EXPECT_EQ(list_size(byte_list_to_wit(bytes)), 3u);
  EXPECT_TRUE(byte_list(byte_list_to_wit({})).empty());
}

TEST(Preview2WitValues, ErrorCodesKeepTheirWitNameAndMessage) {
  const std::pair<ErrorCode, const char*> same[] = {
      {ErrorCode::invalid_argument, "invalid-argument"},
      {ErrorCode::invalid_encoding, "invalid-encoding"},
      {ErrorCode::timeout, "timeout"},
      {ErrorCode::runtime_error, "runtime-error"},
      {ErrorCode::unsupported_operation, "unsupported-operation"},
      {ErrorCode::too_large, "too-large"},
      {ErrorCode::not_found, "not-found"},
      {ErrorCode::security, "security"},
      {ErrorCode::unknown, "unknown"}};
  for (const auto& [code, name] : same) {
    auto wit = to_wit_error(nn::Error(code, "the message"));
    EXPECT_EQ(wit.code, name);
    EXPECT_EQ(wit.data, "the message");
  }
}

TEST(Preview2WitValues, CodesTheWitLacksBecomeTheNearestOneAndNameThemselves) {
  const std::pair<ErrorCode, const char*> mapped[] = {{ErrorCode::busy, "runtime-error"},
                                                      {ErrorCode::end_of_sequence, "runtime-error"},
                                                      {ErrorCode::context_full, "too-large"},
                                                      {ErrorCode::prompt_too_long, "too-large"}};
  for (const auto& [code, name] : mapped) {
    auto wit = to_wit_error(nn::Error(code, "why"));
    EXPECT_EQ(wit.code, name);
    EXPECT_EQ(wit.data, std::string(nn::to_string(code)) + ": why");
  }
  EXPECT_EQ(to_wit_error(nn::Error(ErrorCode::not_found, "")).data, "not-found");  // never empty
}

// --- resource tables --------------------------------------------------------------------------

TEST(Preview2ResourceTable, RepsCountUpAndAreNotReusedAfterADrop) {
  ResourceTable<std::string> table;
  uint32_t a = table.insert("a");
  uint32_t b = table.insert("b");
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 2u);
  table.erase(a);
  EXPECT_EQ(table.find(a), nullptr);
  EXPECT_EQ(table.insert("c"), 3u);
  EXPECT_EQ(table.take(b), std::optional<std::string>("b"));
  EXPECT_EQ(table.take(b), std::nullopt);
  EXPECT_EQ(table.size(), 1u);
}

// --- output naming ----------------------------------------------------------------------------

// A context with fixed outputs, answering by name or by index like the backends do.
class FakeContext : public nn::ExecutionContext {
 public:
  explicit FakeContext(std::vector<std::pair<std::string, Tensor>> outputs) : outputs_(std::move(outputs)) {}
  void set_input(const nn::TensorId&, Tensor) override {}
  void compute() override {}
  Tensor get_output(const nn::TensorId& id) override {
    for (size_t i = 0; i < outputs_.size(); ++i)
      if (id == nn::TensorId(outputs_[i].first) || id == nn::TensorId(static_cast<uint32_t>(i)))
        return outputs_[i].second;
    throw nn::Error(ErrorCode::invalid_argument, "no output " + id.to_string());
  }

 private:
  std::vector<std::pair<std::string, Tensor>> outputs_;
};

std::vector<std::string> names_of(const std::vector<NamedOutput>& outputs) {
  std::vector<std::string> names;
  for (const auto& o : outputs) names.push_back(o.name);
  return names;
}

using Names = std::vector<std::string>;

TEST(Preview2OutputNaming, APromptOrMessagesGivesResponseAndMetadata) {
  FakeContext genai({{"response", Tensor::from_bytes("hi")}, {"metadata", Tensor::from_bytes("{}")}});
  auto outputs = collect_outputs(genai, Names{"options", "prompt"}, 16);
  EXPECT_EQ(names_of(outputs), (Names{"response", "metadata"}));
  EXPECT_EQ(outputs[0].tensor.as_string(), "hi");
  EXPECT_EQ(names_of(collect_outputs(genai, Names{"messages"}, 16)), (Names{"response", "metadata"}));
}

TEST(Preview2OutputNaming, InputIdsGiveLogits) {
  FakeContext genai({{"logits", Tensor::from_bytes("l")}, {"metadata", Tensor::from_bytes("{}")}});
  EXPECT_EQ(names_of(collect_outputs(genai, Names{"input_ids"}, 16)), (Names{"logits"}));
}

TEST(Preview2OutputNaming, OtherGraphsAreWalkedByIndex) {
  FakeContext onnx({{"sum", Tensor::from_bytes("a")}, {"product", Tensor::from_bytes("b")}});
  auto outputs = collect_outputs(onnx, Names{"x", "y"}, 16);
  EXPECT_EQ(names_of(outputs), (Names{"output0", "output1"}));
  EXPECT_EQ(outputs[1].tensor.as_string(), "b");
}

TEST(Preview2OutputNaming, AGraphThatLacksTheGenAINamesFallsBackToIndexes) {
  FakeContext onnx({{"hidden", Tensor::from_bytes("h")}});
  EXPECT_EQ(names_of(collect_outputs(onnx, Names{"input_ids"}, 16)), (Names{"output0"}));
}

TEST(Preview2OutputNaming, TooManyOutputsIsTooLarge) {
  FakeContext onnx({{"a", Tensor::from_bytes("a")}, {"b", Tensor::from_bytes("b")}, {"c", Tensor::from_bytes("c")}});
  EXPECT_EQ(collect_outputs(onnx, Names{"x"}, 3).size(), 3u);
  test::expect_nn_error(ErrorCode::too_large, [&] { collect_outputs(onnx, Names{"x"}, 2); });
}

TEST(Preview2OutputNaming, OtherOutputErrorsPassThrough) {
  class Failing : public FakeContext {
   public:
    Failing() : FakeContext({}) {}
    Tensor get_output(const nn::TensorId&) override {
      throw nn::Error(ErrorCode::unsupported_operation, "a bool output");
    }
  } failing;
  test::expect_nn_error(ErrorCode::unsupported_operation, [&] { collect_outputs(failing, Names{"x"}, 16); });
}

// --- component guests, end to end ------------------------------------------------------------

std::shared_ptr<const nn::Backends> tiny_backends(genai::BackendOptions options = {}) {
  auto backends = std::make_shared<nn::Backends>();
  genai::ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  backends->set_name_loader(std::make_shared<genai::GenAIBackend>(std::move(registry), options));
  backends->add_byte_loader(nn::GraphEncoding::onnx, std::make_shared<onnx::OnnxBackend>());
  return backends;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct GuestRun {
  int status = -1;
  std::string out;
  std::string err;
};

GuestRun run_guest(const std::string& guest, std::vector<std::string> args,
                   std::vector<std::pair<std::string, std::string>> env = {}, std::vector<host::DirMapping> dirs = {}) {
  test::TempDir dir;
  host::RunOptions options;
  options.wasm_path = (kGuestDir / (guest + ".component.wasm")).string();
  options.args = std::move(args);
  options.env = std::move(env);
  options.dirs = std::move(dirs);
  options.stdout_path = (dir.path() / "stdout").string();
  options.stderr_path = (dir.path() / "stderr").string();
  GuestRun run;
  run.status = host::run(options, tiny_backends());
  run.out = read_text(*options.stdout_path);
  run.err = read_text(*options.stderr_path);
  return run;
}

std::string native_response(const std::string& prompt, const std::string& options_json) {
  auto graph = tiny_backends()->load_by_name("tiny");
  auto context = graph->init_execution_context();
  context->set_input("prompt", Tensor::from_bytes(prompt));
  context->set_input("options", Tensor::from_bytes(options_json));
  context->compute();
  return std::string(context->get_output("response").as_string());
}

nlohmann::json metadata_of(const std::string& stderr_text) {
  for (const auto& line : lines_of(stderr_text))
    if (line.starts_with("metadata: ")) return nlohmann::json::parse(line.substr(10));
  ADD_FAILURE() << "no metadata line in: " << stderr_text;
  return {};
}

TEST(Preview2ChatComponent, ResponseEqualsTheNativeBackendsForTheSameNamedPrompt) {
  const std::string prompt = "Once upon a time";
  const std::string options = R"({"max_tokens": 16})";
  auto run = run_guest("chat_component", {"tiny", prompt, options});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, native_response(prompt, options) + "\n");
  auto metadata = metadata_of(run.err);
  EXPECT_GT(metadata["input_tokens"].get<int>(), 0);
  EXPECT_GT(metadata["output_tokens"].get<int>(), 0);
  EXPECT_LE(metadata["output_tokens"].get<int>(), 16);
}

TEST(Preview2ChatComponent, UnknownModelIsNotFoundAndTheGuestFails) {
  auto run = run_guest("chat_component", {"no-such-model", "hello"});
  EXPECT_EQ(run.status, 1);  // a component's exit status is only success or failure
  EXPECT_TRUE(run.err.starts_with("error: 6 ")) << run.err;  // 6 = not-found
  EXPECT_NE(run.err.find("no-such-model"), std::string::npos) << run.err;
}

TEST(Preview2ErrorsComponent, EveryBadCallGivesItsErrorCodeAndTheGuestCarriesOn) {
  auto run = run_guest("nn_errors_component", {"tiny"});
  ASSERT_EQ(run.status, 0) << run.err;
  // WIT error-code indexes: 0 invalid-argument, 1 invalid-encoding, 5 too-large, 6 not-found.
  const std::vector<std::string> expected = {
      "tensor_round_trip ok",  "unknown_model 6", "path_traversal 0",
      "data_length_mismatch 0", "rank_too_large 5", "absurd_dims 0",
      "invalid_utf8 0",        "unknown_input 0", "input_ids_out_of_vocabulary 0",
      "garbage_onnx 1",        "openvino 1"};
  EXPECT_EQ(lines_of(run.out), expected) << run.err;
  std::map<std::string, std::string> data;
  for (const auto& line : lines_of(run.err)) {
    auto colon = line.find(": ");
    if (colon != std::string::npos) data[line.substr(0, colon)] = line.substr(colon + 2);
  }
  for (size_t i = 1; i < expected.size(); ++i) {
    auto name = expected[i].substr(0, expected[i].find(' '));
    EXPECT_FALSE(data[name].empty()) << name << " has no error data";
  }
  EXPECT_NE(data["unknown_input"].find("no_such_input"), std::string::npos) << data["unknown_input"];
  EXPECT_NE(data["openvino"].find("openvino"), std::string::npos) << data["openvino"];
}

TEST(Preview2ClassifyComponent, OnnxModelLoadedFromBytesMatchesTheNativeOnnxBackend) {
  const std::filesystem::path models = WASINN_TEST_ONNX_MODELS;
  auto run = run_guest("classify_component", {"/models/classifier.onnx", "0.5", "-1.25", "2.0", "0.75"}, {},
                       {{models.string(), "/models"}});
  ASSERT_EQ(run.status, 0) << run.err;
  test::expect_printed_floats_near(
      run.out, test::native_classifier_output(models / "classifier.onnx", {0.5f, -1.25f, 2.0f, 0.75f}), 1e-6);
}

TEST(Preview2ClassifyComponent, TensorsPassedToComputeAreFreedSoLongLoopsStayUnderTheLimit) {
  const std::filesystem::path models = WASINN_TEST_ONNX_MODELS;
  // More computes than the default resource limit (4096): each input tensor the guest hands to
  // compute must be released by the host, and each output the guest drops.
  auto run = run_guest("classify_component", {"/models/classifier.onnx", "0.1", "0.2", "0.3", "0.4"},
                       {{"REPEAT", "5000"}}, {{models.string(), "/models"}});
  EXPECT_EQ(run.status, 0) << run.err;
}

// --- limits -----------------------------------------------------------------------------------

// Runs the chat guest on a prompt alone (no options tensor) like host::run does, but with
// wasi:nn limits of the test's choosing; returns the trap's message, or nothing when the guest
// returned or exited.
std::optional<std::string> run_chat_with_limits(Limits limits, const std::filesystem::path& stderr_path) {
  wasmtime::Config config;
  config.wasm_component_model(true);
  wasmtime::Engine engine(std::move(config));
  std::ifstream in(kGuestDir / "chat_component.component.wasm", std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  auto component = wasmtime::component::Component::compile(engine, bytes).unwrap();
  wasmtime::Store store(engine);
  wasmtime::WasiConfig wasi;
  wasi.argv({"chat_component", "tiny", "Hi"});
  EXPECT_TRUE(wasi.stderr_file(stderr_path.string()));
  store.context().set_wasi(std::move(wasi)).unwrap();
  wasmtime::component::Linker linker(engine);
  linker.add_wasip2().unwrap();
  genai::BackendOptions short_answers;
  short_answers.max_length = 48;
  WasiNnComponent nn_abi(tiny_backends(short_answers), limits);
  nn_abi.define(linker);
  auto instance = linker.instantiate(store, component).unwrap();
  std::string run_interface;
  auto type = component.type();
  for (size_t i = 0; i < type.export_count(engine); ++i)
    if (auto item = type.export_nth(engine, i); item && item->first.starts_with("wasi:cli/run@"))
      run_interface = item->first;
  auto iface = instance.get_export_index(store, nullptr, run_interface);
  auto run = instance.get_func(store, *instance.get_export_index(store, &*iface, "run"));
  std::vector<wasmtime::component::Val> results = {wasmtime::component::Val(false)};
  auto called = run->call(store, {}, results);
  if (called || called.err().i32_exit()) return std::nullopt;  // an exit status is no trap
  return called.err().message();
}

TEST(Preview2Limits, ComputeIsTooLargeWhenItsOutputsWouldPassTheResourceLimit) {
  test::TempDir dir;
  // A graph, a context and the prompt tensor fit; compute takes the tensor and would add two.
  auto trap = run_chat_with_limits(Limits{.max_resources = 3}, dir.path() / "stderr");
  EXPECT_FALSE(trap.has_value()) << *trap;
  auto err = read_text(dir.path() / "stderr");
  EXPECT_TRUE(err.starts_with("error: 5 ")) << err;  // 5 = too-large
}

TEST(Preview2Limits, TheTensorConstructorTrapsPastTheLimitForItCannotReturnAnError) {
  test::TempDir dir;
  auto trap = run_chat_with_limits(Limits{.max_resources = 2}, dir.path() / "stderr");
  ASSERT_TRUE(trap.has_value());
  EXPECT_NE(trap->find("[constructor]tensor"), std::string::npos) << *trap;
  EXPECT_NE(trap->find("the host allows 2"), std::string::npos) << *trap;
}


// --- WIT enum cases: only the WIT's own names --------------------------------------------------
TEST(Preview2WitValues, EmptyAndUnknownEnumCasesTrap) {
  for (const char* bad : {"", "FP8", "fp32", " FP32"}) EXPECT_THROW(tensor_type_from_wit(Val::enum_(bad)), Trap) << bad;
  for (const char* bad : {"", "ONNX", "tflite"}) EXPECT_THROW(graph_encoding_from_wit(Val::enum_(bad)), Trap) << bad;
  for (const char* bad : {"", "CPU", "npu", "autodetect"})
    EXPECT_THROW(execution_target_from_wit(Val::enum_(bad)), Trap) << bad;
  EXPECT_EQ(tensor_type_from_wit(Val::enum_("I64")), TensorType::i64);  // the last case of each
  EXPECT_EQ(graph_encoding_from_wit(Val::enum_("autodetect")), nn::GraphEncoding::autodetect);
  EXPECT_EQ(execution_target_from_wit(Val::enum_("tpu")), nn::ExecutionTarget::tpu);
}

// --- the output size limit -------------------------------------------------------------------
// Outputs bigger than max_tensor_bytes are refused with too-large (the guest would otherwise
// receive a list of any size); the same request under a roomier limit succeeds.
TEST(Preview2Limits, ComputeIsTooLargeWhenAnOutputPassesTheTensorByteLimit) {
  test::TempDir dir;
  // The 2-byte prompt fits; the response and the metadata JSON (over 64 bytes) do not.
  auto trap = run_chat_with_limits(Limits{.max_tensor_bytes = 64}, dir.path() / "stderr");
  EXPECT_FALSE(trap.has_value()) << *trap;
  auto err = read_text(dir.path() / "stderr");
  EXPECT_TRUE(err.starts_with("error: 5 ")) << err;  // 5 = too-large
  EXPECT_NE(err.find("output '"), std::string::npos) << err;
  EXPECT_NE(err.find("64"), std::string::npos) << err;

  test::TempDir roomy;
  EXPECT_FALSE(run_chat_with_limits(Limits{.max_tensor_bytes = 1 << 20}, roomy.path() / "stderr").has_value());
  auto ok = read_text(roomy.path() / "stderr");
  EXPECT_TRUE(ok.starts_with("metadata: ")) << ok;
}

}  // namespace
}  // namespace wasinn::abi::preview2
