// The nn core's small types: tensor sizes (overflow included), names of enums as error messages
// and metadata carry them, the defaults of streaming, and the backends set's dispatch.
#include <gtest/gtest.h>

#include <cstdint>

#include "test_support.h"
#include "wasinn/nn/backend.h"
#include "wasinn/nn/host.h"
#include "wasinn/nn/error.h"
#include "wasinn/nn/tensor.h"

namespace wasinn::nn {
namespace {

using test::expect_nn_error;

TEST(NnTensor, ElementSizesFollowTheType) {
  EXPECT_EQ(element_size(TensorType::f16), 2u);
  EXPECT_EQ(element_size(TensorType::bf16), 2u);
  EXPECT_EQ(element_size(TensorType::f32), 4u);
  EXPECT_EQ(element_size(TensorType::i32), 4u);
  EXPECT_EQ(element_size(TensorType::f64), 8u);
  EXPECT_EQ(element_size(TensorType::i64), 8u);
  EXPECT_EQ(element_size(TensorType::u8), 1u);
  const std::pair<TensorType, const char*> names[] = {{TensorType::f16, "f16"}, {TensorType::f32, "f32"},
                                                      {TensorType::f64, "f64"}, {TensorType::bf16, "bf16"},
                                                      {TensorType::u8, "u8"},   {TensorType::i32, "i32"},
                                                      {TensorType::i64, "i64"}};
  for (const auto& [type, name] : names) EXPECT_EQ(to_string(type), name);
}

TEST(NnTensor, ValidateChecksTheByteLengthAgainstDimsAndType) {
  Tensor{{2, 3}, TensorType::f32, std::vector<uint8_t>(24)}.validate("t");
  Tensor{{}, TensorType::i64, std::vector<uint8_t>(8)}.validate("scalar");  // rank 0: one element
  Tensor{{4, 0}, TensorType::f32, {}}.validate("empty");
  EXPECT_EQ((Tensor{{2, 3, 4}, TensorType::u8, {}}.element_count()), 24u);
  EXPECT_EQ((Tensor{{}, TensorType::u8, {}}.element_count()), 1u);
  EXPECT_EQ((Tensor{{7, 0, 9}, TensorType::u8, {}}.element_count()), 0u);
  for (size_t bytes : {0u, 23u, 25u, 6u}) {
    auto message = expect_nn_error(ErrorCode::invalid_argument, [&] {
      Tensor{{2, 3}, TensorType::f32, std::vector<uint8_t>(bytes)}.validate("the input");
    });
    EXPECT_NE(message.find("the input"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(bytes) + " bytes"), std::string::npos) << message;
  }
}

TEST(NnTensor, DimsWhoseProductOverflowsAreInvalidNotWrappedToAFewElements) {
  // 2^64 elements: a wrapping product is 0, which an empty buffer would "match".
  auto message = expect_nn_error(ErrorCode::invalid_argument, [] {
    Tensor{{65536, 65536, 65536, 65536}, TensorType::u8, {}}.validate("t");
  });
  EXPECT_NE(message.find("overflow"), std::string::npos) << message;
  expect_nn_error(ErrorCode::invalid_argument,
                  [] { (void)Tensor{{65536, 65536, 65536, 65536, 2}, TensorType::u8, {}}.element_count(); });
  // 2^62 elements of 8 bytes: the element count fits, its byte size (2^65) does not.
  expect_nn_error(ErrorCode::invalid_argument,
                  [] { Tensor{{65536, 65536, 65536, 16384}, TensorType::i64, {}}.validate("t"); });
  // A zero anywhere makes the product 0 without overflowing.
  Tensor{{65536, 65536, 0, 65536, 65536}, TensorType::u8, {}}.validate("t");
}

TEST(NnTensor, FromBytesIsAU8VectorOfTheLength) {
  auto t = Tensor::from_bytes("h\xC3\xA9llo");
  EXPECT_EQ(t.type, TensorType::u8);
  EXPECT_EQ(t.dims, std::vector<uint32_t>{6});
  EXPECT_EQ(t.as_string(), "h\xC3\xA9llo");
  t.validate("t");
  EXPECT_EQ(Tensor::from_bytes("").dims, std::vector<uint32_t>{0});
}

TEST(NnTensorId, NamesAndIndexesPrintDistinctly) {
  EXPECT_EQ(TensorId("logits").to_string(), "'logits'");
  EXPECT_EQ(TensorId(3u).to_string(), "#3");
  EXPECT_EQ(*TensorId("x").name(), "x");
  EXPECT_EQ(TensorId("x").index(), nullptr);
  EXPECT_EQ(*TensorId(0u).index(), 0u);
  EXPECT_EQ(TensorId(0u).name(), nullptr);
  EXPECT_TRUE(TensorId("a") == TensorId("a"));
  EXPECT_FALSE(TensorId("a") == TensorId("b"));
  EXPECT_FALSE(TensorId(1u) == TensorId("1"));
}

TEST(NnNames, EncodingsTargetsAndErrorCodesHaveTheirWitNames) {
  const std::pair<GraphEncoding, const char*> encodings[] = {
      {GraphEncoding::openvino, "openvino"}, {GraphEncoding::onnx, "onnx"},
      {GraphEncoding::tensorflow, "tensorflow"}, {GraphEncoding::pytorch, "pytorch"},
      {GraphEncoding::tensorflowlite, "tensorflowlite"}, {GraphEncoding::ggml, "ggml"},
      {GraphEncoding::autodetect, "autodetect"}};
  for (const auto& [e, name] : encodings) EXPECT_EQ(to_string(e), name);
  EXPECT_EQ(to_string(ExecutionTarget::cpu), "cpu");
  EXPECT_EQ(to_string(ExecutionTarget::gpu), "gpu");
  EXPECT_EQ(to_string(ExecutionTarget::tpu), "tpu");
  EXPECT_EQ(to_string(ExecutionTarget::autodetect), "auto");
  const std::pair<ErrorCode, const char*> codes[] = {
      {ErrorCode::invalid_argument, "invalid-argument"}, {ErrorCode::invalid_encoding, "invalid-encoding"},
      {ErrorCode::timeout, "timeout"}, {ErrorCode::runtime_error, "runtime-error"},
      {ErrorCode::unsupported_operation, "unsupported-operation"}, {ErrorCode::too_large, "too-large"},
      {ErrorCode::not_found, "not-found"}, {ErrorCode::security, "security"}, {ErrorCode::unknown, "unknown"},
      {ErrorCode::busy, "busy"}, {ErrorCode::end_of_sequence, "end-of-sequence"},
      {ErrorCode::context_full, "context-full"}, {ErrorCode::prompt_too_long, "prompt-too-long"}};
  for (const auto& [c, name] : codes) EXPECT_EQ(to_string(c), name);
  Error e(ErrorCode::busy, "the message");
  EXPECT_EQ(e.code(), ErrorCode::busy);
  EXPECT_STREQ(e.what(), "the message");
}

// A context that implements only what it must: streaming is unsupported by default.
class PlainContext : public ExecutionContext {
 public:
  void set_input(const TensorId&, Tensor) override {}
  void compute() override {}
  Tensor get_output(const TensorId&) override { return Tensor::from_bytes("out"); }
};

TEST(NnExecutionContext, StreamingIsUnsupportedUnlessABackendOffersIt) {
  PlainContext ctx;
  auto m1 = expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx.compute_single(); });
  auto m2 = expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx.get_output_single(0u); });
  auto m3 = expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx.fini_single(); });
  EXPECT_NE(m1.find("compute_single"), std::string::npos) << m1;
  EXPECT_NE(m2.find("get_output_single"), std::string::npos) << m2;
  EXPECT_NE(m3.find("fini_single"), std::string::npos) << m3;
}

class FakeGraph : public Graph {
 public:
  std::unique_ptr<ExecutionContext> init_execution_context() override { return std::make_unique<PlainContext>(); }
};

class FakeByteLoader : public ByteLoaderBackend {
 public:
  std::shared_ptr<Graph> load(std::span<const std::span<const uint8_t>> builders, ExecutionTarget target) override {
    last_builders = builders.size();
    last_target = target;
    return std::make_shared<FakeGraph>();
  }
  size_t last_builders = 0;
  ExecutionTarget last_target = ExecutionTarget::autodetect;
};

class FakeNameLoader : public NameLoaderBackend {
 public:
  std::shared_ptr<Graph> load_by_name(std::string_view name, std::string_view config) override {
    last = std::string(name) + "|" + std::string(config);
    return std::make_shared<FakeGraph>();
  }
  std::string last;
};

TEST(NnBackends, LoadsDispatchByEncodingAndByNameAndSayWhatIsMissing) {
  Backends backends;
  auto message = expect_nn_error(ErrorCode::invalid_encoding, [&] {
    backends.load({}, GraphEncoding::onnx, ExecutionTarget::cpu);
  });
  EXPECT_NE(message.find("'onnx'"), std::string::npos) << message;
  expect_nn_error(ErrorCode::not_found, [&] { backends.load_by_name("m"); });

  auto onnx = std::make_shared<FakeByteLoader>();
  auto names = std::make_shared<FakeNameLoader>();
  backends.add_byte_loader(GraphEncoding::onnx, onnx);
  backends.set_name_loader(names);
  std::vector<uint8_t> a{1}, b{2};
  std::vector<std::span<const uint8_t>> builders{a, b};
  EXPECT_NE(backends.load(builders, GraphEncoding::onnx, ExecutionTarget::gpu), nullptr);
  EXPECT_EQ(onnx->last_builders, 2u);
  EXPECT_EQ(onnx->last_target, ExecutionTarget::gpu);
  auto ggml = expect_nn_error(ErrorCode::invalid_encoding, [&] {
    backends.load(builders, GraphEncoding::ggml, ExecutionTarget::cpu);
  });
  EXPECT_NE(ggml.find("'ggml'"), std::string::npos) << ggml;
  EXPECT_NE(backends.load_by_name("model", R"({"x": 1})"), nullptr);
  EXPECT_EQ(names->last, R"(model|{"x": 1})");
}

}  // namespace
}  // namespace wasinn::nn
