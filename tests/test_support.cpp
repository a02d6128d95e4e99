#include "test_support.h"

#include <fstream>
#include <sstream>

#include "wasinn/onnx/onnx_backend.h"

namespace wasinn::test {

std::vector<float> native_classifier_output(const std::filesystem::path& model_file, const std::vector<float>& input) {
  std::ifstream in(model_file, std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  std::span<const uint8_t> model(bytes);
  auto ctx = onnx::OnnxBackend().load(std::span(&model, 1), nn::ExecutionTarget::cpu)->init_execution_context();
  ctx->set_input(0u, nn::Tensor::from_values<float>(nn::TensorType::f32, {1, static_cast<uint32_t>(input.size())}, input));
  ctx->compute();
  return floats(ctx->get_output(0u));
}

void expect_printed_floats_near(const std::string& printed, const std::vector<float>& expected, double tolerance) {
  std::istringstream in(printed);
  std::vector<double> values;
  for (double v; in >> v;) values.push_back(v);
  ASSERT_EQ(values.size(), expected.size()) << printed;
  for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(values[i], expected[i], tolerance) << i;
}

}  // namespace wasinn::test
