// The GenAI C API, through our declarations and RAII layer, on the tiny test model.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "genai/oga.h"
#include "wasinn/build_info.h"

namespace wasinn::oga {
namespace {

constexpr const char* kTinyModel = WASINN_TEST_TINY_MODEL;
constexpr int64_t kTinyVocab = 32000;

struct TinyModel {
  Config config{kTinyModel};
  Model model{config};
  Tokenizer tokenizer{model};
};

std::vector<int32_t> greedy(const TinyModel& m, const std::vector<int32_t>& prompt, int max_length) {
  GeneratorParams params(m.model);
  params.set_search("max_length", static_cast<double>(max_length));
  params.set_search("do_sample", false);
  Generator generator(m.model, params);
  generator.append_tokens(prompt);
  while (!generator.is_done()) generator.generate_next_token();
  auto seq = generator.sequence();
  return {seq.begin(), seq.end()};
}

TEST(GenAIApi, EveryDeclaredFunctionResolvesInTheLoadedLibrary) {
  EXPECT_EQ(missing_symbols(), std::vector<std::string>{});
  EXPECT_EQ(loaded_version(), WASINN_PINNED_ORT_GENAI_VERSION);
}

TEST(GenAIApi, GreedyGenerationIsDeterministicAndStopsAtMaxLength) {
  TinyModel m;
  auto prompt = m.tokenizer.encode("Once upon a time");
  ASSERT_FALSE(prompt.empty());
  auto first = greedy(m, prompt, static_cast<int>(prompt.size()) + 12);
  auto second = greedy(m, prompt, static_cast<int>(prompt.size()) + 12);
  EXPECT_EQ(first, second);
  EXPECT_TRUE(std::equal(prompt.begin(), prompt.end(), first.begin()));
  EXPECT_LE(first.size(), prompt.size() + 12);
  EXPECT_GT(first.size(), prompt.size());
  for (int32_t t : first) EXPECT_TRUE(t >= 0 && t < kTinyVocab) << t;
}

TEST(GenAIApi, TokenizerRoundTripsText) {
  TinyModel m;
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  // Llama's SentencePiece-style vocabulary marks word starts with a space, and GenAI's decoder
  // keeps the one in front of the first word.
  auto decoded = m.tokenizer.decode(m.tokenizer.encode(text));
  EXPECT_EQ(decoded.starts_with(' ') ? decoded.substr(1) : decoded, text);
  EXPECT_EQ(m.tokenizer.eos_token_ids(), std::vector<int32_t>{2});
}

TEST(GenAIApi, StreamedPiecesConcatenateToTheWholeDecode) {
  TinyModel m;
  auto ids = m.tokenizer.encode("Streaming héllo wörld, one token at a time.");
  TokenizerStream stream(m.tokenizer);
  std::string pieces;
  for (int32_t id : ids) pieces += stream.decode(id);
  EXPECT_EQ(pieces, m.tokenizer.decode(ids));
}

TEST(GenAIApi, ChatTemplateWrapsAUserTurn) {
  TinyModel m;
  auto messages = nlohmann::json::array({{{"role", "user"}, {"content", "hi there"}}});
  auto rendered = m.tokenizer.apply_chat_template(messages.dump(), true);
  EXPECT_NE(rendered.find("[INST] hi there [/INST]"), std::string::npos) << rendered;
}

TEST(GenAIApi, LogitsOutputCoversEveryPromptPosition) {
  TinyModel m;
  auto prompt = m.tokenizer.encode("Logits for every position");
  GeneratorParams params(m.model);
  params.set_search("max_length", 64.0);
  Generator generator(m.model, params);
  generator.append_tokens(prompt);
  Tensor logits = generator.output("logits");
  EXPECT_EQ(logits.type(), OgaElementType_float32);
  EXPECT_EQ(logits.shape(), (std::vector<int64_t>{1, static_cast<int64_t>(prompt.size()), kTinyVocab}));
}

TEST(GenAIApi, MissingModelDirectoryIsAnErrorWithGenAIsMessage) {
  try {
    Config config("/nonexistent/wasinn-model");
    FAIL() << "expected oga::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("genai_config.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wasinn::oga
