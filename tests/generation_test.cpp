// Generation behaviour that a wrong implementation would still pass loosely-written tests on:
// stop strings that span tokens, end-of-sequence (on a copy of the tiny model whose graph
// forces EOS after a known length), the timing metadata, sampling options reaching GenAI, and
// GenerationSession's from_messages / from_tokens. Expected texts come from a direct GenAI C
// API loop (the oga layer) with the same settings, never from literals.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "genai/loaded_model.h"
#include "genai/oga.h"
#include "test_support.h"
#include "wasinn/genai/backend.h"
#include "wasinn/genai/generation_session.h"

namespace wasinn::genai {
namespace {

using nn::ErrorCode;
using nn::Tensor;
using test::expect_nn_error;
using test::kTinyModel;

const std::filesystem::path kEosModel = WASINN_TEST_EOS_MODEL;
constexpr int kEosThreshold = WASINN_TEST_EOS_THRESHOLD;  // prompt + generated tokens at which EOS wins
constexpr int32_t kEos = 2;

// One backend per model directory for the whole test program (each CTest test is its own
// process): loading the model once keeps these tests quick.
std::map<std::string, std::shared_ptr<GenAIBackend>>& backends() {
  static std::map<std::string, std::shared_ptr<GenAIBackend>> all;
  return all;
}

std::shared_ptr<GenAIBackend> backend_for(const std::filesystem::path& dir) {
  auto& backend = backends()[dir.string()];
  if (!backend) {
    ModelRegistry registry;
    registry.add("m", dir);
    backend = std::make_shared<GenAIBackend>(std::move(registry), BackendOptions{});
  }
  return backend;
}

// The same model through the GenAI C API directly (the oga layer), loaded once per directory.
struct DirectModel {
  explicit DirectModel(const std::filesystem::path& dir) : config(dir.string()), model(config), tokenizer(model) {}
  oga::Config config;
  oga::Model model;
  oga::Tokenizer tokenizer;
};

std::map<std::string, std::unique_ptr<DirectModel>>& direct_models() {
  static std::map<std::string, std::unique_ptr<DirectModel>> all;
  return all;
}

DirectModel& direct_model(const std::filesystem::path& dir) {
  auto& m = direct_models()[dir.string()];
  if (!m) m = std::make_unique<DirectModel>(dir);
  return *m;
}

// Released when the tests end, before test_main shuts GenAI down.
class ReleaseModels : public ::testing::Environment {
 public:
  void TearDown() override {
    backends().clear();
    direct_models().clear();
  }
};
[[maybe_unused]] ::testing::Environment* const kReleaseModels = ::testing::AddGlobalTestEnvironment(new ReleaseModels);

// What the direct loop runs with; unset fields are GenAI's defaults.
struct Search {
  bool do_sample = false;
  double temperature = 1.0;
  double top_p = 1.0;
  int top_k = 50;
  double repetition_penalty = 1.0;
  std::optional<int> seed;
};

// Raw prompt -> generated tokens (EOS excluded, which ends the loop) straight from GenAI.
std::vector<int32_t> direct_tokens(const std::filesystem::path& dir, const std::string& prompt, int max_new_tokens,
                                   const Search& search = {}) {
  auto& direct = direct_model(dir);
  auto& model = direct.model;
  auto& tokenizer = direct.tokenizer;
  auto ids = tokenizer.encode(prompt);
  oga::GeneratorParams params(model);
  params.set_search("max_length", static_cast<double>(ids.size() + static_cast<size_t>(max_new_tokens)));
  params.set_search("do_sample", search.do_sample);
  params.set_search("temperature", search.temperature);
  params.set_search("top_p", search.top_p);
  params.set_search("top_k", static_cast<double>(search.top_k));
  params.set_search("repetition_penalty", search.repetition_penalty);
  if (search.seed) params.set_search("random_seed", static_cast<double>(*search.seed));
  oga::Generator generator(model, params);
  generator.append_tokens(ids);
  std::vector<int32_t> out;
  while (!generator.is_done()) {
    generator.generate_next_token();
    if (generator.next_token() == kEos) break;
    out.push_back(generator.next_token());
  }
  return out;
}

std::string direct_text(const std::filesystem::path& dir, const std::string& prompt, int max_new_tokens,
                        const Search& search = {}) {
  oga::TokenizerStream stream(direct_model(dir).tokenizer);
  std::string text;
  for (int32_t t : direct_tokens(dir, prompt, max_new_tokens, search)) text += stream.decode(t);
  return text;
}

size_t token_count(const std::filesystem::path& dir, const std::string& text) {
  return direct_model(dir).tokenizer.encode(text).size();
}

struct Result {
  std::string text;
  nlohmann::json metadata;
};

// One whole-response compute through the nn core with a raw (untemplated) prompt.
Result generate(nn::Graph& graph, const std::string& prompt, nlohmann::json options) {
  options["chat_template"] = false;
  auto ctx = graph.init_execution_context();
  ctx->set_input("prompt", Tensor::from_bytes(prompt));
  ctx->set_input("options", Tensor::from_bytes(options.dump()));
  ctx->compute();
  return {std::string(ctx->get_output("response").as_string()),
          nlohmann::json::parse(ctx->get_output("metadata").as_string())};
}

// The same request streamed with compute_single until end-of-sequence.
Result stream(nn::Graph& graph, const std::string& prompt, nlohmann::json options) {
  options["chat_template"] = false;
  auto ctx = graph.init_execution_context();
  ctx->set_input("prompt", Tensor::from_bytes(prompt));
  ctx->set_input("options", Tensor::from_bytes(options.dump()));
  Result r;
  for (int i = 0; i < 1000; ++i) {
    try {
      ctx->compute_single();
    } catch (const nn::Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::end_of_sequence) << e.what();
      // The message reaches guests (WASINN_TRACE, the component's error data): never empty.
      EXPECT_NE(std::string(e.what()).find("finished"), std::string::npos) << e.what();
      break;
    }
    r.text += ctx->get_output_single("response").as_string();
  }
  r.metadata = nlohmann::json::parse(ctx->get_output_single("metadata").as_string());
  return r;
}

// --- prompts GenAI cannot run ----------------------------------------------------------------

// The tiny model's pad token is 0 (genai_config.json); GenAI masks pad tokens out, and a
// sequence of nothing else made it read past its logits buffer (the fuzzer's finding).
TEST(GenerationPrompt, OnlyPadTokensIsInvalidArgumentNamingThePadToken) {
  auto model = backend_for(kTinyModel)->open("m");
  ASSERT_EQ(GenAIBackend::info(*model).pad_token_id, 0);
  GenerationSettings settings;
  settings.max_new_tokens = 2;
  auto message = expect_nn_error(ErrorCode::invalid_argument,
                                 [&] { GenerationSession::from_tokens(model, {0, 0, 0}, settings); });
  EXPECT_NE(message.find("pad token (id 0)"), std::string::npos) << message;
  // Pad tokens among others, or one alone, are a prompt GenAI runs.
  for (std::vector<int32_t> tokens : {std::vector<int32_t>{0}, std::vector<int32_t>{0, 0, 5}}) {
    auto session = GenerationSession::from_tokens(model, tokens, settings);
    while (session.next_piece()) {
    }
  }
}

// --- stop strings ---------------------------------------------------------------------------

// The greedy pieces (one per token) of a raw prompt on the tiny model.
std::vector<std::string> greedy_pieces(const std::string& prompt, int max_new_tokens) {
  auto model = backend_for(kTinyModel)->open("m");
  GenerationSettings settings;
  settings.chat_template = false;
  settings.max_new_tokens = max_new_tokens;
  auto session = GenerationSession::from_prompt(model, prompt, settings);
  std::vector<std::string> pieces;
  while (auto piece = session.next_piece()) pieces.push_back(*piece);
  return pieces;
}

bool ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

struct SplitStop {
  std::string full;  // the whole greedy response
  std::string stop;  // the last 2 bytes of one token's text + the first 2 of the next
  size_t at = 0;     // where `stop` first occurs in `full`
};

// A stop string that no single token holds: it starts inside one token and ends inside the next.
SplitStop split_stop(const std::string& prompt) {
  auto pieces = greedy_pieces(prompt, 40);
  SplitStop s;
  for (const auto& p : pieces) s.full += p;
  size_t offset = 0;
  for (size_t k = 0; k + 1 < pieces.size(); ++k) {
    offset += pieces[k].size();
    const auto& a = pieces[k];
    const auto& b = pieces[k + 1];
    if (k == 0 || a.size() < 2 || b.size() < 2) continue;
    std::string stop = a.substr(a.size() - 2) + b.substr(0, 2);
    if (!ascii(stop) || s.full.find(stop) != offset - 2) continue;
    s.stop = stop;
    s.at = offset - 2;
    return s;
  }
  ADD_FAILURE() << "no token boundary to put a stop string across in: " << s.full;
  return s;
}

TEST(GenerationStopStrings, AStopStringSplitAcrossTwoTokensStopsGeneration) {
  const std::string prompt = "A long answer";
  auto split = split_stop(prompt);
  ASSERT_FALSE(split.stop.empty());
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  auto cut = generate(*graph, prompt, {{"max_tokens", 40}, {"stop", split.stop}});
  EXPECT_EQ(cut.text, split.full.substr(0, split.at)) << "stop " << split.stop;
  EXPECT_EQ(cut.metadata["stop_reason"], "stop_string");
  // The token that completes the stop string is still counted as generated.
  auto pieces = greedy_pieces(prompt, 40);
  size_t tokens_to_stop = 0, bytes = 0;
  while (bytes < split.at + split.stop.size()) bytes += pieces[tokens_to_stop++].size();
  EXPECT_EQ(cut.metadata["output_tokens"], tokens_to_stop);
  // Streaming holds back the stop string's start until it knows, and never shows any of it.
  auto streamed = stream(*graph, prompt, {{"max_tokens", 40}, {"stop", split.stop}});
  EXPECT_EQ(streamed.text, cut.text);
  EXPECT_EQ(streamed.metadata["stop_reason"], "stop_string");
}

TEST(GenerationStopStrings, AListOfStopStringsCutsAtTheEarliestOneFound) {
  const std::string prompt = "A long answer";
  auto split = split_stop(prompt);
  ASSERT_FALSE(split.stop.empty());
  ASSERT_GT(split.full.size(), split.at + 12);
  // A later stop string listed first, and one that never occurs.
  std::string later = split.full.substr(split.full.size() - 4);
  ASSERT_GT(split.full.find(later), split.at);
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  auto cut = generate(*graph, prompt,
                      {{"max_tokens", 40}, {"stop", nlohmann::json::array({later, "\x01never", split.stop})}});
  EXPECT_EQ(cut.text, split.full.substr(0, split.at));
  EXPECT_EQ(cut.metadata["stop_reason"], "stop_string");
  // Only the later one listed: the text runs up to it.
  auto later_cut = generate(*graph, prompt, {{"max_tokens", 40}, {"reverse-prompt", nlohmann::json::array({later})}});
  EXPECT_EQ(later_cut.text, split.full.substr(0, split.full.find(later)));
  // None of them occurs: the whole text, stopped by the length cap.
  auto none = generate(*graph, prompt, {{"max_tokens", 40}, {"stop", nlohmann::json::array({"\x01never", "\x02"})}});
  EXPECT_EQ(none.text, split.full);
  EXPECT_EQ(none.metadata["stop_reason"], "max_length");
  auto streamed = stream(*graph, prompt, {{"max_tokens", 40}, {"stop", nlohmann::json::array({later, split.stop})}});
  EXPECT_EQ(streamed.text, cut.text);
}

// Two stop strings that the same token completes: the cut is at the one that starts first,
// whichever is listed first.
TEST(GenerationStopStrings, StopStringsCompletedByOneTokenCutAtTheOneThatStartsFirst) {
  const std::string prompt = "A long answer";
  auto pieces = greedy_pieces(prompt, 40);
  std::string full;
  for (const auto& p : pieces) full += p;
  std::string longer, shorter;  // the last 3 and the last 2 bytes of one token's text
  size_t end = 0;
  for (size_t k = 0; k < pieces.size(); ++k) {
    end += pieces[k].size();
    const auto& p = pieces[k];
    if (k == 0 || p.size() < 3 || !ascii(p.substr(p.size() - 3))) continue;
    if (full.find(p.substr(p.size() - 3)) != end - 3 || full.find(p.substr(p.size() - 2)) != end - 2) continue;
    longer = p.substr(p.size() - 3);
    shorter = p.substr(p.size() - 2);
    break;
  }
  ASSERT_FALSE(longer.empty()) << "no token to end two stop strings in: " << full;
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  for (auto stops : {nlohmann::json::array({shorter, longer}), nlohmann::json::array({longer, shorter})}) {
    auto cut = generate(*graph, prompt, {{"max_tokens", 40}, {"stop", stops}});
    EXPECT_EQ(cut.text, full.substr(0, full.find(longer))) << stops.dump();
    EXPECT_EQ(cut.metadata["stop_reason"], "stop_string");
  }
}

TEST(GenerationStopStrings, AStopStringAtTheVeryStartLeavesAnEmptyResponse) {
  const std::string prompt = "A long answer";
  auto pieces = greedy_pieces(prompt, 8);
  ASSERT_FALSE(pieces.empty());
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  auto cut = generate(*graph, prompt, {{"max_tokens", 8}, {"stop", pieces[0]}});
  EXPECT_EQ(cut.text, "");
  EXPECT_EQ(cut.metadata["stop_reason"], "stop_string");
  EXPECT_EQ(cut.metadata["output_tokens"], 1);
}

// --- end of sequence ------------------------------------------------------------------------

TEST(GenerationEndOfSequence, EosEndsTheResponseWithStopReasonEos) {
  const std::string prompt = "Hello";
  size_t prompt_tokens = token_count(kEosModel, prompt);
  ASSERT_LT(prompt_tokens, static_cast<size_t>(kEosThreshold));
  const size_t expected_tokens = kEosThreshold - prompt_tokens;
  auto expected = direct_tokens(kEosModel, prompt, 40);
  ASSERT_EQ(expected.size(), expected_tokens) << "the EOS model should end after a known length";

  auto graph = backend_for(kEosModel)->load_by_name("m", "");
  auto whole = generate(*graph, prompt, {{"max_tokens", 40}});
  EXPECT_EQ(whole.text, direct_text(kEosModel, prompt, 40));
  EXPECT_EQ(whole.metadata["stop_reason"], "eos");
  EXPECT_EQ(whole.metadata["output_tokens"], expected_tokens);
  EXPECT_EQ(whole.metadata["input_tokens"], prompt_tokens);

  auto streamed = stream(*graph, prompt, {{"max_tokens", 40}});
  EXPECT_EQ(streamed.text, whole.text);
  EXPECT_EQ(streamed.metadata["stop_reason"], "eos");
  EXPECT_EQ(streamed.metadata["output_tokens"], expected_tokens);

  // The cap reached first is max_length, however close EOS is.
  auto capped = generate(*graph, prompt, {{"max_tokens", expected_tokens - 1}});
  EXPECT_EQ(capped.metadata["stop_reason"], "max_length");
  EXPECT_EQ(capped.metadata["output_tokens"], expected_tokens - 1);
}

TEST(GenerationEndOfSequence, EosAsTheFirstTokenGivesAnEmptyResponseAndNoTimings) {
  const std::string prompt = "one two three four five six seven eight nine ten eleven twelve";
  ASSERT_GE(token_count(kEosModel, prompt), static_cast<size_t>(kEosThreshold));
  auto graph = backend_for(kEosModel)->load_by_name("m", "");
  auto r = generate(*graph, prompt, {{"max_tokens", 10}});
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(r.metadata["stop_reason"], "eos");
  EXPECT_EQ(r.metadata["output_tokens"], 0);
  EXPECT_EQ(r.metadata["time_to_first_token_ms"], 0.0);
  EXPECT_EQ(r.metadata["decode_tokens_per_second"], 0.0);
  auto streamed = stream(*graph, prompt, {{"max_tokens", 10}});
  EXPECT_EQ(streamed.text, "");
  EXPECT_EQ(streamed.metadata["stop_reason"], "eos");
}

TEST(GenerationEndOfSequence, StreamedOutputsOtherThanResponseAndMetadataNameTheOneToUse) {
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  auto ctx = graph->init_execution_context();
  ctx->set_input("prompt", Tensor::from_bytes("Hello"));
  ctx->compute_single();
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output_single("logits"); });
  EXPECT_NE(message.find("'logits'"), std::string::npos) << message;
  EXPECT_NE(message.find("use 'response'"), std::string::npos) << message;
}

// --- timing metadata ------------------------------------------------------------------------
// No speed is asserted: only that the figures are there, finite, and consistent with a clock
// read around the whole compute.

TEST(GenerationMetadata, TimingsArePositiveFiniteAndFitInsideTheCompute) {
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  auto ctx = graph->init_execution_context();
  ctx->set_input("prompt", Tensor::from_bytes("Time this"));
  ctx->set_input("options", Tensor::from_bytes(R"({"max_tokens": 12, "chat_template": false})"));
  auto before = nlohmann::json::parse(ctx->get_output("metadata").as_string());
  EXPECT_EQ(before["time_to_first_token_ms"], 0.0);
  EXPECT_EQ(before["stop_reason"], "none");
  auto t0 = std::chrono::steady_clock::now();
  ctx->compute();
  double outer_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto meta = nlohmann::json::parse(ctx->get_output("metadata").as_string());
  ASSERT_EQ(meta["output_tokens"], 12);
  double ttft = meta["time_to_first_token_ms"].get<double>();
  double tps = meta["decode_tokens_per_second"].get<double>();
  EXPECT_TRUE(std::isfinite(ttft) && ttft > 0.0) << ttft;
  EXPECT_LE(ttft, outer_ms);
  EXPECT_TRUE(std::isfinite(tps) && tps > 0.0) << tps;
  // 11 tokens after the first took less than the whole compute.
  EXPECT_GE(tps, 11.0 / (outer_ms / 1000.0));
}

TEST(GenerationMetadata, OneTokenHasATimeToFirstTokenButNoDecodeRate) {
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  auto r = generate(*graph, "Time this", {{"max_tokens", 1}});
  ASSERT_EQ(r.metadata["output_tokens"], 1);
  EXPECT_GT(r.metadata["time_to_first_token_ms"].get<double>(), 0.0);
  EXPECT_EQ(r.metadata["decode_tokens_per_second"], 0.0);
  EXPECT_EQ(r.metadata["stop_reason"], "max_length");
}

// --- sampling options reach GenAI -----------------------------------------------------------

const std::string kSamplePrompt = "The weather today";
constexpr int kSampleTokens = 16;

std::string backend_text(const nlohmann::json& options) {
  auto graph = backend_for(kTinyModel)->load_by_name("m", "");
  nlohmann::json o = options;
  o["max_tokens"] = kSampleTokens;
  return generate(*graph, kSamplePrompt, o).text;
}

std::string direct(const Search& s) { return direct_text(kTinyModel, kSamplePrompt, kSampleTokens, s); }

TEST(GenerationSampling, SeededSamplingIsReproducibleAndDiffersFromGreedy) {
  const std::string greedy = direct({});
  ASSERT_EQ(backend_text({}), greedy);
  auto seeded = backend_text({{"temperature", 1.5}, {"seed", 42}});
  EXPECT_EQ(seeded, backend_text({{"temperature", 1.5}, {"seed", 42}}));
  EXPECT_NE(seeded, greedy);
  EXPECT_EQ(seeded, direct({.do_sample = true, .temperature = 1.5, .seed = 42}));
  // Another seed, another text: the seed reaches GenAI.
  EXPECT_NE(backend_text({{"temperature", 1.5}, {"seed", 7}}), seeded);
  // do_sample alone samples at the backend's temperature (1.0).
  EXPECT_EQ(backend_text({{"do_sample", true}, {"seed", 42}}), direct({.do_sample = true, .seed = 42}));
  EXPECT_NE(direct({.do_sample = true, .seed = 42}), greedy);
  // temperature 0 is greedy whatever else is asked.
  EXPECT_EQ(backend_text({{"temperature", 0}, {"seed", 42}, {"do_sample", true}}), greedy);
}

TEST(GenerationSampling, TemperatureReachesGenAI) {
  auto hot = backend_text({{"temperature", 3.0}, {"seed", 5}});
  auto cool = backend_text({{"temp", 0.05}, {"seed", 5}});
  EXPECT_NE(hot, cool);
  EXPECT_EQ(hot, direct({.do_sample = true, .temperature = 3.0, .seed = 5}));
  EXPECT_EQ(cool, direct({.do_sample = true, .temperature = 0.05, .seed = 5}));
}

TEST(GenerationSampling, TopKReachesGenAI) {
  const std::string greedy = direct({});
  // top_k 1 keeps only the most likely token: sampling becomes greedy.
  EXPECT_EQ(backend_text({{"temperature", 3.0}, {"seed", 11}, {"top_k", 1}}), greedy);
  EXPECT_NE(backend_text({{"temperature", 3.0}, {"seed", 11}}), greedy);
  auto k5 = backend_text({{"temperature", 3.0}, {"seed", 11}, {"top-k", 5}});
  EXPECT_EQ(k5, direct({.do_sample = true, .temperature = 3.0, .top_k = 5, .seed = 11}));
  EXPECT_NE(k5, direct({.do_sample = true, .temperature = 3.0, .seed = 11}));
}

TEST(GenerationSampling, TopPReachesGenAI) {
  const std::string greedy = direct({});
  // A tiny nucleus holds only the most likely token: sampling becomes greedy.
  EXPECT_EQ(backend_text({{"temperature", 3.0}, {"seed", 13}, {"top_p", 1e-6}}), greedy);
  auto p = backend_text({{"temperature", 3.0}, {"seed", 13}, {"top-p", 0.5}});
  EXPECT_EQ(p, direct({.do_sample = true, .temperature = 3.0, .top_p = 0.5, .seed = 13}));
  EXPECT_NE(p, direct({.do_sample = true, .temperature = 3.0, .seed = 13}));
}

TEST(GenerationSampling, RepetitionPenaltyReachesGenAI) {
  // The tiny model's greedy text repeats no token, so a penalty > 1 changes nothing; one < 1
  // favours the tokens already seen and does.
  const std::string greedy = direct({});
  auto favoured = backend_text({{"repetition_penalty", 0.05}});
  EXPECT_NE(favoured, greedy);
  EXPECT_EQ(favoured, direct({.repetition_penalty = 0.05, .seed = std::nullopt}));
  EXPECT_EQ(backend_text({{"repeat-penalty", 0.05}}), favoured);
}

TEST(GenerationSampling, BackendOptionsSampleToo) {
  BackendOptions sampling;
  sampling.do_sample = true;
  sampling.temperature = 2.0;
  sampling.top_k = 7;
  sampling.top_p = 0.9;
  ModelRegistry registry;
  registry.add("m", kTinyModel);
  auto graph = std::make_shared<GenAIBackend>(std::move(registry), sampling)->load_by_name("m", "");
  auto text = generate(*graph, kSamplePrompt, {{"max_tokens", kSampleTokens}, {"seed", 3}}).text;
  EXPECT_EQ(text, direct({.do_sample = true, .temperature = 2.0, .top_p = 0.9, .top_k = 7, .seed = 3}));
  EXPECT_NE(text, direct({}));
}

// --- GenerationSession: from_tokens, from_messages ------------------------------------------

GenerationSettings raw_settings(int max_new_tokens) {
  GenerationSettings s;
  s.chat_template = false;
  s.max_new_tokens = max_new_tokens;
  return s;
}

TEST(GenerationSessionStarts, FromTokensGeneratesWhatTheSamePromptTextDoes) {
  auto model = backend_for(kTinyModel)->open("m");
  auto tokens = model->encode("Once upon a time");
  auto from_tokens = GenerationSession::from_tokens(model, tokens, raw_settings(16));
  EXPECT_EQ(from_tokens.prompt_text(), model->decode(tokens));
  EXPECT_EQ(from_tokens.metadata().input_tokens, tokens.size());
  auto text = from_tokens.rest();
  EXPECT_EQ(text, direct_text(kTinyModel, "Once upon a time", 16));
  EXPECT_TRUE(from_tokens.finished());
  EXPECT_EQ(from_tokens.metadata().output_tokens, 16u);
  EXPECT_EQ(from_tokens.metadata().stop_reason, StopReason::max_length);
  expect_nn_error(ErrorCode::invalid_argument, [&] { GenerationSession::from_tokens(model, {}, raw_settings(4)); });
}

TEST(GenerationSessionStarts, FromMessagesRendersTheChatTemplate) {
  auto model = backend_for(kTinyModel)->open("m");
  auto messages = nlohmann::json::array({{{"role", "user"}, {"content", "hi there"}}}).dump();
  auto session = GenerationSession::from_messages(model, messages, raw_settings(12));
  EXPECT_NE(session.prompt_text().find("[INST] hi there [/INST]"), std::string::npos) << session.prompt_text();
  EXPECT_EQ(session.metadata().input_tokens, model->encode(session.prompt_text()).size());
  GenerationSettings templated = raw_settings(12);
  templated.chat_template = true;
  auto as_prompt = GenerationSession::from_prompt(model, "hi there", templated);
  EXPECT_EQ(session.prompt_text(), as_prompt.prompt_text());
  EXPECT_EQ(session.rest(), as_prompt.rest());
  EXPECT_EQ(session.metadata().output_tokens, 12u);
  expect_nn_error(ErrorCode::invalid_argument,
                  [&] { GenerationSession::from_messages(model, "not json", raw_settings(4)); });
  expect_nn_error(ErrorCode::invalid_argument,
                  [&] { GenerationSession::from_messages(model, R"({"role": "user"})", raw_settings(4)); });
}

TEST(GenerationSessionStarts, ZeroNewTokensFinishesAtOnceAndAPromptAtTheCapIsTooLong) {
  auto model = backend_for(kTinyModel)->open("m");
  auto tokens = model->encode("Once upon a time");
  auto none = GenerationSession::from_tokens(model, tokens, raw_settings(0));
  EXPECT_FALSE(none.next_piece().has_value());
  EXPECT_EQ(none.metadata().output_tokens, 0u);
  EXPECT_EQ(none.metadata().stop_reason, StopReason::max_length);
  GenerationSettings tight = raw_settings(4);
  tight.max_length = static_cast<int>(tokens.size());
  expect_nn_error(ErrorCode::prompt_too_long, [&] { GenerationSession::from_tokens(model, tokens, tight); });
  tight.max_length = static_cast<int>(tokens.size()) + 2;
  auto two = GenerationSession::from_tokens(model, tokens, tight);
  two.rest();
  EXPECT_EQ(two.metadata().output_tokens, 2u);
}

TEST(GenerationSessionStarts, StopReasonsHaveTheirMetadataNames) {
  EXPECT_EQ(to_string(StopReason::none), "none");
  EXPECT_EQ(to_string(StopReason::eos), "eos");
  EXPECT_EQ(to_string(StopReason::max_length), "max_length");
  EXPECT_EQ(to_string(StopReason::stop_string), "stop_string");
}

}  // namespace
}  // namespace wasinn::genai
