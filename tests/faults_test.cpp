// Faults in one process: broken models beside a good one, a model directory removed while its
// graph is live, a guest that leaves its graph and contexts behind. The bad one errors with a
// message naming what is wrong, the good one keeps serving, nothing outlives its users.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "host/wasm_runner.h"
#include "test_support.h"
#include "wasinn/genai/backend.h"

namespace wasinn::genai {
namespace {

using nn::ErrorCode;
using test::expect_nn_error;

std::string generate(nn::Graph& graph, const std::string& prompt) {
  auto ctx = graph.init_execution_context();
  ctx->set_input(nn::TensorId("prompt"), nn::Tensor::from_bytes(prompt));
  ctx->set_input(nn::TensorId("options"), nn::Tensor::from_bytes(R"({"max_tokens": 4})"));
  ctx->compute();
  return std::string(ctx->get_output(nn::TensorId("response")).as_string());
}

void truncate_file(const std::filesystem::path& file) {
  std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
}

TEST(Faults, EachBrokenModelErrorsByNameAndTheGoodOneKeepsServing) {
  test::TempDir root;
  for (const char* name : {"good", "truncated", "badtokenizer", "missingfile"})
    test::copy_tiny_model(root.path() / name);
  truncate_file(root.path() / "truncated" / "model.onnx");
  std::ofstream(root.path() / "badtokenizer" / "tokenizer.json") << "{\"model\": 42";
  {
    auto config_path = root.path() / "missingfile" / "genai_config.json";
    auto config = nlohmann::json::parse(std::ifstream(config_path));
    config["model"]["decoder"]["filename"] = "no_such_graph.onnx";
    std::ofstream(config_path) << config.dump();
  }
  ModelRegistry registry;
  registry.add_root(root.path());
  GenAIBackend backend(std::move(registry), BackendOptions{});
  auto good = backend.load_by_name("good", "");
  const std::string expected = generate(*good, "Hello");
  EXPECT_FALSE(expected.empty());

  auto truncated = expect_nn_error(ErrorCode::runtime_error, [&] { backend.load_by_name("truncated", ""); });
  EXPECT_NE(truncated.find("truncated"), std::string::npos) << "names the model: " << truncated;
  auto tokenizer = expect_nn_error(ErrorCode::runtime_error, [&] { backend.load_by_name("badtokenizer", ""); });
  EXPECT_NE(tokenizer.find("badtokenizer"), std::string::npos) << "names the model: " << tokenizer;
  auto missing = expect_nn_error(ErrorCode::runtime_error, [&] { backend.load_by_name("missingfile", ""); });
  EXPECT_NE(missing.find("no_such_graph.onnx"), std::string::npos) << "names the missing file: " << missing;

  // Failures leave nothing half-loaded behind: the good graph answers as before, and a new load
  // of it too.
  EXPECT_EQ(generate(*good, "Hello"), expected);
  EXPECT_EQ(generate(*backend.load_by_name("good", ""), "Hello"), expected);
}

TEST(Faults, ADirectoryRemovedUnderALiveGraphKeepsItServingButTheNameNoLongerResolves) {
  test::TempDir root;
  test::copy_tiny_model(root.path() / "doomed");
  ModelRegistry registry;
  registry.add_root(root.path());
  GenAIBackend backend(std::move(registry), BackendOptions{});
  auto graph = backend.load_by_name("doomed", "");
  const std::string before = generate(*graph, "Hello");
  std::filesystem::remove_all(root.path() / "doomed");
  EXPECT_EQ(generate(*graph, "Hello"), before) << "the loaded model is in memory";
  // Names resolve against the file system at each load: the model is gone for new loads.
  expect_nn_error(ErrorCode::not_found, [&] { backend.load_by_name("doomed", ""); });
  EXPECT_EQ(generate(*graph, "Hello"), before);
}

TEST(Faults, AGuestThatNeverFinalizesLeavesNothingBehindItsInstance) {
  ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  auto backend = std::make_shared<GenAIBackend>(std::move(registry), BackendOptions{});
  auto backends = std::make_shared<nn::Backends>();
  backends->set_name_loader(backend);
  host::RunOptions options;
  options.wasm_path = std::string(WASINN_TEST_GUEST_DIR) + "/abandon.wasm";
  options.args = {"tiny", "Once upon a time"};
  test::TempDir out;
  options.stdout_path = (out.path() / "stdout").string();
  for (int run = 0; run < 3; ++run) {
    ASSERT_EQ(host::run(options, backends), 0);
    ASSERT_EQ(std::string(std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(*options.stdout_path)), {}),
              "abandoned\n");
    // The guest's graph, both contexts and the half-done stream died with the instance: the
    // model is loaded afresh, and only the pointer below holds it.
    auto model = backend->open("tiny");
    EXPECT_EQ(model.use_count(), 1) << "something the guest left behind still holds the model";
  }
}

}  // namespace
}  // namespace wasinn::genai
