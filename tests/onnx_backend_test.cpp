// The byte-loaded ONNX Runtime backend against the small models scripts/models/
// make_onnx_test_models.py writes; expected outputs come from ONNX Runtime's Python API
// (MODEL.expected.json), not from this backend.
#include <onnxruntime_c_api.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_support.h"
#include "wasinn/genai/backend.h"
#include "wasinn/nn/host.h"
#include "wasinn/onnx/onnx_backend.h"

namespace wasinn::test {
namespace {

using nn::ErrorCode;
using nn::ExecutionTarget;
using nn::Tensor;
using nn::TensorType;

const std::filesystem::path kOnnxModels = WASINN_TEST_ONNX_MODELS;

std::vector<uint8_t> model_bytes(const std::string& name) {
  std::ifstream in(kOnnxModels / (name + ".onnx"), std::ios::binary);
  EXPECT_TRUE(in) << "missing test model " << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::shared_ptr<nn::Graph> load(const std::vector<uint8_t>& bytes, ExecutionTarget target = ExecutionTarget::cpu) {
  std::span<const uint8_t> builder(bytes);
  return onnx::OnnxBackend().load({&builder, 1}, target);
}

std::shared_ptr<nn::Graph> load_model(const std::string& name) { return load(model_bytes(name)); }

TensorType tensor_type_named(const std::string& name) {
  for (auto type : {TensorType::f16, TensorType::f32, TensorType::f64, TensorType::bf16, TensorType::u8,
                    TensorType::i32, TensorType::i64})
    if (nn::to_string(type) == name) return type;
  throw std::invalid_argument("unknown tensor type " + name);
}

Tensor tensor_from_json(const nlohmann::json& j) {
  Tensor t{j.at("dims").get<std::vector<uint32_t>>(), tensor_type_named(j.at("type").get<std::string>()), {}};
  auto hex = j.at("hex").get<std::string>();
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    t.data.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return t;
}

// One run of a model through ONNX Runtime's Python API: its inputs and what it gave.
struct ExpectedCase {
  std::map<std::string, Tensor> inputs;
  std::map<std::string, Tensor> outputs;
};

std::vector<ExpectedCase> expected_cases(const std::string& model) {
  std::ifstream in(kOnnxModels / (model + ".expected.json"));
  std::vector<ExpectedCase> cases;
  for (const auto& c : nlohmann::json::parse(in)) {
    ExpectedCase expected;
    for (const auto& [name, t] : c.at("inputs").items()) expected.inputs.emplace(name, tensor_from_json(t));
    for (const auto& [name, t] : c.at("outputs").items()) expected.outputs.emplace(name, tensor_from_json(t));
    cases.push_back(std::move(expected));
  }
  return cases;
}

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  std::vector<T> out(t.data.size() / sizeof(T));
  std::memcpy(out.data(), t.data.data(), out.size() * sizeof(T));
  return out;
}

// Empty when `actual` matches: f32/f64 within 1e-5 (NaN matches only NaN: a NaN never passes
// as "near"), every other type bit for bit.
std::string mismatch(const Tensor& actual, const Tensor& expected) {
  if (actual.type != expected.type)
    return "type " + std::string(nn::to_string(actual.type)) + " != " + std::string(nn::to_string(expected.type));
  if (actual.dims != expected.dims) return "dims differ";
  if (actual.data.size() != expected.data.size()) return "byte lengths differ";
  auto near = [](const auto& a, const auto& b) {
    for (size_t i = 0; i < a.size(); ++i)
      if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && !(std::abs(a[i] - b[i]) <= 1e-5))) return "element " + std::to_string(i) + ": " + std::to_string(a[i]) + " vs " +
                                                std::to_string(b[i]);
    return std::string();
  };
  if (actual.type == TensorType::f32) return near(values_of<float>(actual), values_of<float>(expected));
  if (actual.type == TensorType::f64) return near(values_of<double>(actual), values_of<double>(expected));
  return actual.data == expected.data ? "" : "bytes differ";
}

void expect_outputs(nn::ExecutionContext& ctx, const ExpectedCase& expected) {
  for (const auto& [name, tensor] : expected.outputs) EXPECT_EQ(mismatch(ctx.get_output(name), tensor), "") << name;
}

Tensor f32_tensor(std::vector<uint32_t> dims, const std::vector<float>& values) {
  return Tensor::from_values<float>(TensorType::f32, std::move(dims), values);
}

Tensor add_input() { return f32_tensor({2, 3}, {1, 2, 3, 4, 5, 6}); }

TEST(OnnxBackend, LoadsFromBytesAndComputesByName) {
  auto expected = expected_cases("add_f32").at(0);
  auto ctx = load_model("add_f32")->init_execution_context();
  ctx->set_input("X", expected.inputs.at("X"));
  ctx->compute();
  expect_outputs(*ctx, expected);
}

TEST(OnnxBackend, AddressesInputsAndOutputsByIndex) {
  auto expected = expected_cases("add_f32").at(0);
  auto ctx = load_model("add_f32")->init_execution_context();
  ctx->set_input(0u, expected.inputs.at("X"));
  ctx->compute();
  EXPECT_EQ(mismatch(ctx->get_output(0u), expected.outputs.at("Y")), "");
}

TEST(OnnxBackend, ClassifierMatchesOnnxRuntimePythonOnEveryCase) {
  auto ctx = load_model("classifier")->init_execution_context();
  for (const auto& expected : expected_cases("classifier")) {
    ctx->set_input("input", expected.inputs.at("input"));
    ctx->compute();
    expect_outputs(*ctx, expected);
  }
}

TEST(OnnxBackend, EveryTensorTypeRoundTrips) {
  auto expected = expected_cases("every_type_identity").at(0);
  ASSERT_EQ(expected.inputs.size(), 7u);
  auto ctx = load_model("every_type_identity")->init_execution_context();
  for (const auto& [name, tensor] : expected.inputs) ctx->set_input(name, tensor);
  ctx->compute();
  expect_outputs(*ctx, expected);
}

TEST(OnnxBackend, DynamicBatchDimensionTakesTheCallersBatchSize) {
  auto cases = expected_cases("dynamic_batch");
  ASSERT_EQ(cases.size(), 2u);
  auto ctx = load_model("dynamic_batch")->init_execution_context();
  for (const auto& expected : cases) {
    ctx->set_input("features", expected.inputs.at("features"));
    ctx->compute();
    expect_outputs(*ctx, expected);
  }
}

TEST(OnnxBackend, EmptyBatchGivesAnEmptyOutput) {
  auto ctx = load_model("dynamic_batch")->init_execution_context();
  ctx->set_input("features", f32_tensor({0, 4}, {}));
  ctx->compute();
  auto scores = ctx->get_output("scores");
  EXPECT_EQ(scores.dims, (std::vector<uint32_t>{0, 2}));
  EXPECT_TRUE(scores.data.empty());
}

TEST(OnnxBackend, WrongTensorTypeIsInvalidArgumentNamingExpectedAndGot) {
  auto ctx = load_model("add_f32")->init_execution_context();
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] {
    ctx->set_input("X", Tensor::from_values<double>(TensorType::f64, {2, 3}, std::vector<double>(6)));
  });
  EXPECT_NE(message.find("'X'"), std::string::npos) << message;
  EXPECT_NE(message.find("f32 [2, 3]"), std::string::npos) << message;
  EXPECT_NE(message.find("f64 [2, 3]"), std::string::npos) << message;
}

TEST(OnnxBackend, WrongRankIsInvalidArgument) {
  auto ctx = load_model("add_f32")->init_execution_context();
  auto message =
      expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("X", f32_tensor({6}, {1, 2, 3, 4, 5, 6})); });
  EXPECT_NE(message.find("'X'"), std::string::npos) << message;
}

TEST(OnnxBackend, WrongFixedDimensionIsInvalidArgument) {
  auto add = load_model("add_f32")->init_execution_context();
  expect_nn_error(ErrorCode::invalid_argument, [&] { add->set_input("X", f32_tensor({3, 2}, {1, 2, 3, 4, 5, 6})); });
  // The batch dimension is free; the feature dimension is not.
  auto batch = load_model("dynamic_batch")->init_execution_context();
  auto message = expect_nn_error(ErrorCode::invalid_argument,
                                 [&] { batch->set_input("features", f32_tensor({2, 3}, {1, 2, 3, 4, 5, 6})); });
  EXPECT_NE(message.find("[N, 4]"), std::string::npos) << message;
}

TEST(OnnxBackend, DataLengthNotMatchingDimsIsInvalidArgument) {
  auto ctx = load_model("add_f32")->init_execution_context();
  auto message =
      expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("X", f32_tensor({2, 3}, {1, 2, 3, 4, 5})); });
  EXPECT_NE(message.find("'X'"), std::string::npos) << message;
}

TEST(OnnxBackend, UnknownInputNameIsInvalidArgumentListingTheInputs) {
  auto ctx = load_model("add_f32")->init_execution_context();
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("nope", add_input()); });
  EXPECT_NE(message.find("'nope'"), std::string::npos) << message;
  EXPECT_NE(message.find("'X'"), std::string::npos) << message;
}

TEST(OnnxBackend, OutOfRangeInputIndexIsInvalidArgument) {
  auto ctx = load_model("add_f32")->init_execution_context();
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input(1u, add_input()); });
  EXPECT_NE(message.find("'X'"), std::string::npos) << message;
}

TEST(OnnxBackend, UnknownOutputNameOrIndexIsInvalidArgument) {
  auto ctx = load_model("add_f32")->init_execution_context();
  ctx->set_input("X", add_input());
  ctx->compute();
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output("Z"); });
  EXPECT_NE(message.find("'Y'"), std::string::npos) << message;
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output(1u); });
}

TEST(OnnxBackend, GetOutputBeforeComputeIsInvalidArgument) {
  auto ctx = load_model("add_f32")->init_execution_context();
  ctx->set_input("X", add_input());
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output("Y"); });
  EXPECT_NE(message.find("compute"), std::string::npos) << message;
}

TEST(OnnxBackend, ComputeWithAMissingInputIsInvalidArgumentNamingIt) {
  auto expected = expected_cases("every_type_identity").at(0);
  auto ctx = load_model("every_type_identity")->init_execution_context();
  for (const auto& [name, tensor] : expected.inputs)
    if (name != "in_i32") ctx->set_input(name, tensor);
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->compute(); });
  EXPECT_NE(message.find("'in_i32'"), std::string::npos) << message;
}

TEST(OnnxBackend, GarbageBytesAreRejectedAsABadModel) {
  std::vector<uint8_t> garbage{'n', 'o', 't', ' ', 'a', 'n', ' ', 'o', 'n', 'n', 'x', 0xff, 0x00, 0x13};
  try {
    load(garbage);
    ADD_FAILURE() << "garbage bytes loaded";
  } catch (const nn::Error& e) {
    EXPECT_TRUE(e.code() == ErrorCode::invalid_encoding || e.code() == ErrorCode::runtime_error)
        << nn::to_string(e.code()) << ": " << e.what();
  }
}

TEST(OnnxBackend, EmptyModelBytesAreInvalidEncoding) {
  expect_nn_error(ErrorCode::invalid_encoding, [&] { load({}); });
}

TEST(OnnxBackend, ZeroOrTwoBuildersAreInvalidArgument) {
  onnx::OnnxBackend backend;
  auto bytes = model_bytes("add_f32");
  std::span<const uint8_t> builders[2] = {bytes, bytes};
  expect_nn_error(ErrorCode::invalid_argument, [&] { backend.load({}, ExecutionTarget::cpu); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { backend.load(builders, ExecutionTarget::cpu); });
}

TEST(OnnxBackend, AutodetectTargetRunsOnCpu) {
  auto ctx = load(model_bytes("add_f32"), ExecutionTarget::autodetect)->init_execution_context();
  ctx->set_input("X", add_input());
  ctx->compute();
  EXPECT_EQ(ctx->get_output("Y").dims, (std::vector<uint32_t>{2, 3}));
}

TEST(OnnxBackend, TpuTargetIsUnsupportedOperation) {
  expect_nn_error(ErrorCode::unsupported_operation, [&] { load(model_bytes("add_f32"), ExecutionTarget::tpu); });
}

bool onnxruntime_has_cuda() {
  const OrtApi* api = OrtGetApiBase()->GetApi(ORT_API_VERSION);
  char** providers = nullptr;
  int count = 0;
  if (OrtStatus* status = api->GetAvailableProviders(&providers, &count)) {
    api->ReleaseStatus(status);
    return false;
  }
  bool cuda = false;
  for (int i = 0; i < count; ++i) cuda = cuda || std::string(providers[i]) == "CUDAExecutionProvider";
  if (OrtStatus* status = api->ReleaseAvailableProviders(providers, count)) api->ReleaseStatus(status);
  return cuda;
}

TEST(OnnxBackend, GpuTargetWithoutCudaIsRuntimeErrorNotACpuFallback) {
  if (onnxruntime_has_cuda()) GTEST_SKIP() << "this onnxruntime has the CUDA execution provider";
  auto message =
      expect_nn_error(ErrorCode::runtime_error, [&] { load(model_bytes("add_f32"), ExecutionTarget::gpu); });
  EXPECT_NE(message.find("CUDA"), std::string::npos) << message;
}

TEST(OnnxBackend, InputOfATypeWasiNnLacksIsUnsupportedOperation) {
  auto ctx = load_model("bool_input")->init_execution_context();
  auto message = expect_nn_error(ErrorCode::unsupported_operation,
                                 [&] { ctx->set_input("flags", Tensor::from_bytes(std::string_view("\1\0", 2))); });
  EXPECT_NE(message.find("'flags'"), std::string::npos) << message;
  EXPECT_NE(message.find("bool"), std::string::npos) << message;
}

TEST(OnnxBackend, OutputOfATypeWasiNnLacksFailsOnlyThatOutput) {
  auto ctx = load_model("bool_output")->init_execution_context();
  auto x = f32_tensor({2}, {-1.5f, 2.5f});
  ctx->set_input("x", x);
  ctx->compute();
  EXPECT_EQ(mismatch(ctx->get_output("y"), x), "");
  auto message = expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx->get_output("positive"); });
  EXPECT_NE(message.find("'positive'"), std::string::npos) << message;
}

TEST(OnnxBackend, ContextAndGraphStillWorkAfterErrors) {
  auto expected = expected_cases("add_f32").at(0);
  auto graph = load_model("add_f32");
  auto ctx = graph->init_execution_context();
  ctx->set_input("X", expected.inputs.at("X"));
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("X", f32_tensor({2, 3}, {1})); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("W", add_input()); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output("Y"); });
  // The rejected tensors left the good input in place.
  ctx->compute();
  expect_outputs(*ctx, expected);
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output(7u); });
  EXPECT_EQ(mismatch(ctx->get_output("Y"), expected.outputs.at("Y")), "");

  auto other = graph->init_execution_context();
  expect_nn_error(ErrorCode::invalid_argument, [&] { other->compute(); });
  other->set_input(0u, expected.inputs.at("X"));
  other->compute();
  expect_outputs(*other, expected);
}

TEST(OnnxBackend, ConcurrentContextsOnOneGraphEachGetTheirOwnResults) {
  auto cases = expected_cases("classifier");
  auto graph = load_model("classifier");
  constexpr int kThreads = 4;
  constexpr int kComputes = 50;
  std::atomic<int> wrong{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto ctx = graph->init_execution_context();
        for (int i = 0; i < kComputes; ++i) {
          // Threads walk the cases out of step, so a crossed result would show.
          const auto& expected = cases[static_cast<size_t>(t + i) % cases.size()];
          ctx->set_input("input", expected.inputs.at("input"));
          ctx->compute();
          if (!mismatch(ctx->get_output("probabilities"), expected.outputs.at("probabilities")).empty()) ++wrong;
        }
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(t)] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  for (const auto& error : errors) EXPECT_EQ(error, "");
}

TEST(OnnxBackend, BackendsRouteTheOnnxEncodingHere) {
  nn::Backends backends;
  backends.add_byte_loader(nn::GraphEncoding::onnx, std::make_shared<onnx::OnnxBackend>());
  auto bytes = model_bytes("add_f32");
  std::span<const uint8_t> builder(bytes);
  auto ctx = backends.load({&builder, 1}, nn::GraphEncoding::onnx, ExecutionTarget::cpu)->init_execution_context();
  ctx->set_input("X", add_input());
  ctx->compute();
  EXPECT_EQ(ctx->get_output("Y").type, TensorType::f32);
  expect_nn_error(ErrorCode::invalid_encoding,
                  [&] { backends.load({&builder, 1}, nn::GraphEncoding::tensorflow, ExecutionTarget::cpu); });
}


// --- the comparison itself --------------------------------------------------------------------
// mismatch() must not let NaN through: `abs(a - b) > tol` is false for NaN, so a backend that
// returned NaN passed every comparison before.
TEST(OnnxBackendComparison, NaNAndValuesOutsideTheToleranceAreMismatches) {
  auto f32 = [](std::vector<float> v) {
    return Tensor::from_values<float>(TensorType::f32, {static_cast<uint32_t>(v.size())}, v);
  };
  auto f64 = [](std::vector<double> v) {
    return Tensor::from_values<double>(TensorType::f64, {static_cast<uint32_t>(v.size())}, v);
  };
  const float nan = std::nanf("");
  EXPECT_EQ(mismatch(f32({1.0f, 2.0f}), f32({1.0f, 2.0f + 5e-6f})), "");
  EXPECT_NE(mismatch(f32({1.0f, nan}), f32({1.0f, 2.0f})), "");
  EXPECT_NE(mismatch(f32({1.0f, 2.0f}), f32({1.0f, nan})), "");
  EXPECT_NE(mismatch(f32({1.0f, 2.0f}), f32({1.0f, 2.001f})), "");
  EXPECT_NE(mismatch(f32({INFINITY}), f32({1.0f})), "");
  EXPECT_EQ(mismatch(f32({nan}), f32({nan})), "");  // NaN where NaN is expected
  EXPECT_NE(mismatch(f64({std::nan("")}), f64({0.0})), "");
  EXPECT_NE(mismatch(f64({0.0}), f64({1e-4})), "");
  EXPECT_NE(mismatch(f32({1.0f}), f32({1.0f, 2.0f})), "");
}

// A guest may hold 64 live graphs: each must not bring a thread pool of its own (threads per
// core, spinning after every run), or loading graphs multiplies the host's threads. Loaded after
// a GenAI model too (GenAI then owns the process's OrtEnv), as in a real host.
size_t thread_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST(OnnxBackend, GraphsStartNoThreadsOfTheirOwn) {
  genai::ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  auto genai_graph = std::make_shared<genai::GenAIBackend>(std::move(registry))->load_by_name("tiny", "");
  auto first = load_model("add_f32");  // the shared pool starts with the first session
  auto ctx = first->init_execution_context();
  ctx->set_input("X", Tensor::from_values<float>(TensorType::f32, {2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
  ctx->compute();
  size_t before = thread_count();
  std::vector<std::shared_ptr<nn::Graph>> graphs;
  for (int i = 0; i < 16; ++i) {
    graphs.push_back(load_model("add_f32"));
    auto c = graphs.back()->init_execution_context();
    c->set_input("X", Tensor::from_values<float>(TensorType::f32, {2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
    c->compute();
  }
  EXPECT_EQ(thread_count(), before) << "16 more graphs started threads of their own";
}

}  // namespace
}  // namespace wasinn::test
