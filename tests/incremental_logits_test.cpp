// Incremental input_ids -> logits against stateless logits for the same ids: only a sequence
// that extends the previous one, and fits in the kept KV cache, may reuse it. A rewind, a jump
// to other ids, or growing past the kept capacity must start over, or the guest silently gets
// logits computed on the wrong cache.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "wasinn/genai/backend.h"

namespace wasinn::genai {
namespace {

using nn::Tensor;
constexpr uint32_t kVocab = 32000;

std::shared_ptr<nn::Graph> tiny_graph(const std::string& config) {
  ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  return std::make_shared<GenAIBackend>(std::move(registry), BackendOptions{})->load_by_name("tiny", config);
}

std::vector<int64_t> ids_from(int64_t first, size_t n) {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(first + static_cast<int64_t>(53 * i % 7000));
  return ids;
}

Tensor logits_for(nn::ExecutionContext& ctx, const std::vector<int64_t>& ids) {
  ctx.set_input("input_ids", test::i64_tensor({1, static_cast<uint32_t>(ids.size())}, ids));
  ctx.compute();
  return ctx.get_output("logits");
}

// Compares incremental logits for `ids` with the last `positions` rows of the stateless ones.
class IncrementalLogits : public ::testing::Test {
 protected:
  void expect_logits(const std::vector<int64_t>& ids, size_t positions, const std::string& what) {
    SCOPED_TRACE(what);
    auto full = logits_for(*stateless_, ids);
    auto got = logits_for(*incremental_, ids);
    ASSERT_EQ(got.dims, (std::vector<uint32_t>{1, static_cast<uint32_t>(positions), kVocab}));
    auto f = test::floats(full), g = test::floats(got);
    ASSERT_GE(f.size(), g.size());
    size_t offset = f.size() - g.size();
    for (size_t i = 0; i < g.size(); ++i) {
      // NaN-safe: a NaN on either side fails.
      ASSERT_TRUE(std::isfinite(g[i]) && std::abs(g[i] - f[offset + i]) <= 1e-4f)
          << "element " << i << ": " << g[i] << " vs " << f[offset + i];
    }
  }

  std::unique_ptr<nn::ExecutionContext> stateless_ = tiny_graph("")->init_execution_context();
  std::unique_ptr<nn::ExecutionContext> incremental_;
};

TEST_F(IncrementalLogits, ARewindToAShorterPrefixStartsOver) {
  incremental_ = tiny_graph(R"({"incremental_logits": true})")->init_execution_context();
  auto ids = ids_from(100, 8);
  expect_logits(ids, 8, "first call: every position");
  std::vector<int64_t> prefix(ids.begin(), ids.begin() + 5);
  expect_logits(prefix, 5, "rewound to 5 of 8");
  prefix.push_back(4242);
  expect_logits(prefix, 1, "extends the rewound sequence");
}

TEST_F(IncrementalLogits, ARewindThatGrowsAgainPastTheOldLengthStartsOver) {
  incremental_ = tiny_graph(R"({"incremental_logits": true})")->init_execution_context();
  auto ids = ids_from(100, 6);
  expect_logits(ids, 6, "first call");
  // Longer than before, but it keeps only the first 3 ids and diverges there.
  std::vector<int64_t> diverged(ids.begin(), ids.begin() + 3);
  for (int64_t id : {901, 902, 903, 904}) diverged.push_back(id);
  expect_logits(diverged, diverged.size(), "same start, other continuation");
  diverged.push_back(905);
  expect_logits(diverged, 1, "extends the diverged sequence");
}

TEST_F(IncrementalLogits, AJumpToOtherIdsStartsOver) {
  incremental_ = tiny_graph(R"({"incremental_logits": true})")->init_execution_context();
  auto a = ids_from(100, 4);
  expect_logits(a, 4, "first call");
  a.push_back(777);
  expect_logits(a, 1, "extends");
  // Longer, but the first id differs: nothing of the cache is valid.
  auto b = ids_from(3000, 7);
  expect_logits(b, 7, "jump");
  b.push_back(12);
  expect_logits(b, 1, "extends the jumped-to sequence");
}

TEST_F(IncrementalLogits, GrowingPastTheKeptCapacityStartsOver) {
  // max_length 6: the kept cache holds max(6, 2 * 3, 3 + 1) = 6 positions after a first call of 3.
  incremental_ = tiny_graph(R"({"incremental_logits": true, "max_length": 6})")->init_execution_context();
  auto ids = ids_from(100, 3);
  expect_logits(ids, 3, "first call");
  for (int64_t id : {501, 502, 503}) {
    ids.push_back(id);
    expect_logits(ids, 1, "within capacity, length " + std::to_string(ids.size()));
  }
  ids.push_back(504);  // 7 > 6
  expect_logits(ids, 7, "past the capacity");
  ids.push_back(505);
  expect_logits(ids, 1, "the new cache is used");
}

TEST_F(IncrementalLogits, SeveralNewTokensAtOnceOnTheKeptCache) {
  incremental_ = tiny_graph(R"({"incremental_logits": true})")->init_execution_context();
  auto ids = ids_from(100, 4);
  expect_logits(ids, 4, "first call");
  for (int64_t id : {61, 62, 63}) ids.push_back(id);
  expect_logits(ids, 3, "three new ids");
  expect_logits(ids, 4 + 3, "the same ids again: no new ones, so it starts over");
}

TEST_F(IncrementalLogits, StatelessIsTheDefaultAndEveryCallGivesEveryPosition) {
  incremental_ = tiny_graph("")->init_execution_context();
  auto ids = ids_from(100, 4);
  expect_logits(ids, 4, "first call");
  ids.push_back(9);
  expect_logits(ids, 5, "stateless: all positions again");
}

TEST(InputIdsLimits, AnEmptyBatchOrAnEmptySequenceIsInvalidArgument) {
  ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  auto graph = std::make_shared<GenAIBackend>(std::move(registry), BackendOptions{})->load_by_name("tiny", "");
  for (std::vector<uint32_t> dims : {std::vector<uint32_t>{1, 0}, std::vector<uint32_t>{0, 3}, std::vector<uint32_t>{0, 0}}) {
    auto ctx = graph->init_execution_context();
    ctx->set_input("input_ids", test::i64_tensor(dims, {}));
    auto message = test::expect_nn_error(nn::ErrorCode::invalid_argument, [&] { ctx->compute(); });
    EXPECT_NE(message.find("[batch, seq]"), std::string::npos) << message;
  }
}

// A row of nothing but the pad token (0 in the tiny model) leaves GenAI no position: it read
// past its logits buffer (the fuzzer's finding). Pad tokens among others, or one alone, run.
TEST(InputIdsLimits, ARowOfOnlyPadTokensIsInvalidArgument) {
  ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  auto backend = std::make_shared<GenAIBackend>(std::move(registry), BackendOptions{});
  for (const auto& config : {std::string(), std::string(R"({"incremental_logits": true})")}) {
    auto ctx = backend->load_by_name("tiny", config)->init_execution_context();
    for (auto [dims, ids] : {std::pair{std::vector<uint32_t>{1, 3}, std::vector<int64_t>{0, 0, 0}},
                             std::pair{std::vector<uint32_t>{2, 2}, std::vector<int64_t>{5, 6, 0, 0}}}) {
      ctx->set_input("input_ids", test::i64_tensor(dims, ids));
      auto message = test::expect_nn_error(nn::ErrorCode::invalid_argument, [&] { ctx->compute(); });
      EXPECT_NE(message.find("only the pad token"), std::string::npos) << config << ": " << message;
    }
    for (const auto& ids : {std::vector<int64_t>{0}, std::vector<int64_t>{0, 5, 6}, std::vector<int64_t>{5, 0, 0}}) {
      ctx->set_input("input_ids", test::i64_tensor({1, static_cast<uint32_t>(ids.size())}, ids));
      ctx->compute();
      EXPECT_EQ(ctx->get_output("logits").dims.back(), 32000u);
    }
  }
}

// The context length check counts positions, down to a model whose context is one token.
TEST(InputIdsLimits, ASequenceLongerThanTheContextIsTooLargeEvenForATinyContext) {
  test::TempDir dir;
  const auto model_dir = dir.path() / "short";
  test::copy_tiny_model(model_dir);
  {
    std::ifstream in(model_dir / "genai_config.json");
    auto config = nlohmann::json::parse(in);
    config["model"]["context_length"] = 1;
    std::ofstream(model_dir / "genai_config.json") << config.dump(2);
  }
  ModelRegistry registry;
  registry.add("short", model_dir);
  auto ctx = std::make_shared<GenAIBackend>(std::move(registry), BackendOptions{})
                 ->load_by_name("short", "")
                 ->init_execution_context();
  ctx->set_input("input_ids", test::i64_tensor({1, 2}, {5, 6}));
  auto message = test::expect_nn_error(nn::ErrorCode::too_large, [&] { ctx->compute(); });
  EXPECT_NE(message.find("context length is 1"), std::string::npos) << message;
  EXPECT_EQ(logits_for(*ctx, {5}).dims, (std::vector<uint32_t>{1, 1, kVocab}));
}

}  // namespace
}  // namespace wasinn::genai
