// The GenAI backend through the nn core API, on the tiny model. Expected texts come from a
// direct GenAI C API loop (oga layer) with the same settings, never from literals.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "genai/oga.h"
#include "test_support.h"
#include "wasinn/genai/backend.h"
#include "wasinn/genai/generation_session.h"
#include "wasinn/nn/host.h"

namespace wasinn::genai {
namespace {

using nn::ErrorCode;
using nn::Tensor;
using nn::TensorType;
using test::expect_nn_error;
using test::kTinyModel;

std::shared_ptr<GenAIBackend> tiny_backend(BackendOptions options = {}) {
  ModelRegistry registry;
  registry.add("tiny", kTinyModel);
  return std::make_shared<GenAIBackend>(std::move(registry), options);
}

// Greedy text straight from the GenAI C API: the baseline the backend must reproduce.
std::string direct_greedy(const std::string& user_text, int max_new_tokens, bool chat) {
  oga::Config config(kTinyModel.string());
  oga::Model model(config);
  oga::Tokenizer tokenizer(model);
  std::string prompt = user_text;
  if (chat)
    prompt = tokenizer.apply_chat_template(nlohmann::json::array({{{"role", "user"}, {"content", user_text}}}).dump(), true);
  auto ids = tokenizer.encode(prompt);
  oga::GeneratorParams params(model);
  params.set_search("max_length", static_cast<double>(ids.size() + static_cast<size_t>(max_new_tokens)));
  oga::Generator generator(model, params);
  oga::TokenizerStream stream(tokenizer);
  generator.append_tokens(ids);
  std::string text;
  while (!generator.is_done()) {
    generator.generate_next_token();
    if (generator.next_token() == 2) break;  // EOS is not text
    text += stream.decode(generator.next_token());
  }
  return text;
}

std::string text_output(nn::ExecutionContext& ctx, const nn::TensorId& id) {
  return std::string(ctx.get_output(id).as_string());
}

nlohmann::json metadata(nn::ExecutionContext& ctx) { return nlohmann::json::parse(text_output(ctx, 1u)); }

std::string generate(nn::Graph& graph, const std::string& prompt, const std::string& options) {
  auto ctx = graph.init_execution_context();
  ctx->set_input("prompt", Tensor::from_bytes(prompt));
  if (!options.empty()) ctx->set_input("options", Tensor::from_bytes(options));
  ctx->compute();
  return text_output(*ctx, "response");
}

TEST(GenAIBackend, NamedPromptIsChatTemplatedAndMatchesADirectGenAILoop) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  EXPECT_EQ(generate(*graph, "Tell me a story", R"({"max_tokens": 20})"), direct_greedy("Tell me a story", 20, true));
}

TEST(GenAIBackend, IndexAddressedPromptIsRawLikeWasmEdgeGuestsExpect) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"n-predict": 16})");
  auto ctx = graph->init_execution_context();
  ctx->set_input(0u, Tensor::from_bytes("Once upon a time"));
  ctx->compute();
  EXPECT_EQ(text_output(*ctx, 0u), direct_greedy("Once upon a time", 16, false));
  auto meta = metadata(*ctx);
  EXPECT_EQ(meta["output_tokens"], 16);
  EXPECT_EQ(meta["stop_reason"], "max_length");
}

TEST(GenAIBackend, ChatTemplateCanBeTurnedOffPerRequestAndByOption) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  EXPECT_EQ(generate(*graph, "Hello", R"({"max_tokens": 12, "chat_template": false})"),
            direct_greedy("Hello", 12, false));
  BackendOptions raw;
  raw.chat_template = false;
  EXPECT_EQ(generate(*tiny_backend(raw)->load_by_name("tiny", ""), "Hello", R"({"max_tokens": 12})"),
            direct_greedy("Hello", 12, false));
}

TEST(GenAIBackend, MetadataIsValidAfterSetInputAndAfterCompute) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto ctx = graph->init_execution_context();
  ctx->set_input(0u, Tensor::from_bytes("count my tokens"));
  auto before = metadata(*ctx);
  oga::Config config(kTinyModel.string());
  oga::Model model(config);
  EXPECT_EQ(before["input_tokens"], oga::Tokenizer(model).encode("count my tokens").size());
  EXPECT_EQ(before["output_tokens"], 0);
  ctx->set_input(1u, Tensor::from_bytes(R"({"n-predict": 5})"));
  ctx->compute();
  auto after = metadata(*ctx);
  EXPECT_EQ(after["input_tokens"], before["input_tokens"]);
  EXPECT_EQ(after["output_tokens"], 5);
  EXPECT_EQ(after["provider"], "cpu");
}

TEST(GenAIBackend, IncludePromptReturnsPromptPlusResponse) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto response = generate(*graph, "Prefix text", R"({"max_tokens": 8, "chat_template": false})");
  auto both = generate(*graph, "Prefix text", R"({"max_tokens": 8, "chat_template": false, "include_prompt": true})");
  EXPECT_TRUE(both.ends_with(response)) << both;
  EXPECT_NE(both.find("Prefix text"), std::string::npos) << both;
}

TEST(GenAIBackend, GenerationStopsAtAStopStringAndDropsIt) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto full = generate(*graph, "A long answer", R"({"max_tokens": 40, "chat_template": false})");
  ASSERT_GT(full.size(), 20u);
  std::string stop = full.substr(12, 4);
  auto cut = generate(*graph, "A long answer",
                      nlohmann::json{{"max_tokens", 40}, {"chat_template", false}, {"stop", stop}}.dump());
  EXPECT_EQ(cut, full.substr(0, full.find(stop)));
}

TEST(GenAIBackend, StreamedPiecesAddUpToTheWholeResponseAndEndWithEndOfSequence) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"n-predict": 24})");
  auto whole = generate(*graph, "Stream this", "");
  auto ctx = graph->init_execution_context();
  ctx->set_input("prompt", Tensor::from_bytes("Stream this"));
  std::string streamed;
  int pieces = 0;
  for (;;) {
    try {
      ctx->compute_single();
    } catch (const nn::Error& e) {
      ASSERT_EQ(e.code(), ErrorCode::end_of_sequence) << e.what();
      break;
    }
    streamed += ctx->get_output_single(0u).as_string();
    ASSERT_LT(++pieces, 100);
  }
  EXPECT_EQ(streamed, whole);
  EXPECT_GT(pieces, 1);
  ctx->fini_single();
  ctx->compute();  // the context stays usable
  EXPECT_EQ(text_output(*ctx, "response"), whole);
}

TEST(GenAIBackend, MessagesAreRenderedWithTheChatTemplate) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"n-predict": 10})");
  auto ctx = graph->init_execution_context();
  ctx->set_input("messages", Tensor::from_bytes(R"([{"role": "user", "content": "Tell me a story"}])"));
  ctx->compute();
  EXPECT_EQ(text_output(*ctx, "response"), direct_greedy("Tell me a story", 10, true));
  for (const char* bad : {"not json", "[]", R"([{"role": "user"}])", R"({"role": "user", "content": "x"})"}) {
    expect_nn_error(ErrorCode::invalid_argument, [&] {
      ctx->set_input("messages", Tensor::from_bytes(bad));
      ctx->compute();
    });
  }
}

TEST(GenAIBackend, MessagesToAModelWithoutTemplateAreInvalidArgument) {
  test::TempDir dir;
  test::copy_tiny_model(dir.path() / "plain");
  auto config = nlohmann::json::parse(std::ifstream(dir.path() / "plain" / "tokenizer_config.json"));
  config.erase("chat_template");
  std::ofstream(dir.path() / "plain" / "tokenizer_config.json") << config.dump();
  ModelRegistry registry;
  registry.add_root(dir.path());
  GenAIBackend backend(std::move(registry), BackendOptions{});
  auto ctx = backend.load_by_name("plain", "")->init_execution_context();
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] {
    ctx->set_input("messages", Tensor::from_bytes(R"([{"role": "user", "content": "hi"}])"));
    ctx->compute();
  });
  EXPECT_NE(message.find("chat template"), std::string::npos) << message;
  // A plain prompt still works: it falls back to the raw text.
  EXPECT_NO_THROW(generate(*backend.load_by_name("plain", ""), "hi", R"({"max_tokens": 3})"));
}

TEST(GenAIBackend, BadInputsAreInvalidArgumentAndTheContextStaysUsable) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"n-predict": 4})");
  auto ctx = graph->init_execution_context();
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->compute(); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output(0u); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("prompt", Tensor::from_bytes("bad \xC3\x28 utf8")); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("prompt", Tensor::from_bytes("\xED\xA0\x80")); });
  expect_nn_error(ErrorCode::invalid_argument, [&] {
    ctx->set_input("prompt", Tensor::from_values<float>(TensorType::f32, {1}, std::vector<float>{1.0f}));
  });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("images", Tensor::from_bytes("x")); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input(7u, Tensor::from_bytes("x")); });
  expect_nn_error(ErrorCode::invalid_argument, [&] {
    ctx->set_input(0u, Tensor::from_values<float>(TensorType::f32, {1}, std::vector<float>{1.0f}));
  });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("options", Tensor::from_bytes("{nope")); });
  Tensor lying{{100}, TensorType::u8, {'h', 'i'}};
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input("prompt", lying); });
  ctx->set_input("prompt", Tensor::from_bytes("still works"));
  ctx->compute();
  EXPECT_FALSE(text_output(*ctx, "response").empty());
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output("logits"); });
}

TEST(GenAIBackend, PromptLongerThanMaxLengthIsPromptTooLong) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"max_length": 4})");
  auto ctx = graph->init_execution_context();
  ctx->set_input(0u, Tensor::from_bytes("this prompt is certainly longer than four tokens"));
  expect_nn_error(ErrorCode::prompt_too_long, [&] { ctx->compute(); });
}

TEST(GenAIBackend, UnknownAndMaliciousModelNames) {
  auto backend = tiny_backend();
  expect_nn_error(ErrorCode::not_found, [&] { backend->load_by_name("nope", ""); });
  for (const char* bad : {"../tiny", "/etc", "", ".."})
    expect_nn_error(ErrorCode::invalid_argument, [&] { backend->load_by_name(bad, ""); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { backend->load_by_name("tiny", "{bad json"); });
}

TEST(GenAIBackend, BrokenModelDirectoryIsRuntimeErrorAndOtherModelsKeepServing) {
  test::TempDir dir;
  test::copy_tiny_model(dir.path() / "badjson");
  std::ofstream(dir.path() / "badjson" / "genai_config.json") << "{ this is not json";
  test::copy_tiny_model(dir.path() / "noweights");
  std::filesystem::remove(dir.path() / "noweights" / "model.onnx");
  test::copy_tiny_model(dir.path() / "good");
  ModelRegistry registry;
  registry.add_root(dir.path());
  GenAIBackend backend(std::move(registry), BackendOptions{});
  expect_nn_error(ErrorCode::runtime_error, [&] { backend.load_by_name("badjson", ""); });
  expect_nn_error(ErrorCode::runtime_error, [&] { backend.load_by_name("noweights", ""); });
  EXPECT_FALSE(generate(*backend.load_by_name("good", ""), "hi", R"({"max_tokens": 3})").empty());
}

TEST(GenAIBackend, OneLoadedModelPerDirectorySharedAndFreedWithItsLastUser) {
  auto backend = tiny_backend();
  std::weak_ptr<const LoadedModel> weak;
  {
    auto a = backend->open("tiny");
    auto b = backend->open("tiny");
    EXPECT_EQ(a, b);
    weak = a;
    auto graph = backend->load_by_name("tiny", "");
    a.reset();
    b.reset();
    EXPECT_FALSE(weak.expired()) << "the graph still uses it";
  }
  EXPECT_TRUE(weak.expired());
}

TEST(GenAIBackend, ConcurrentFirstLoadsOfOneModelLoadItOnce) {
  auto backend = tiny_backend();
  std::vector<std::shared_ptr<const LoadedModel>> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) threads.emplace_back([&, i] { got[i] = backend->open("tiny"); });
  for (auto& t : threads) t.join();
  for (const auto& m : got) EXPECT_EQ(m, got[0]);
}

TEST(GenAIBackend, ManyThreadsGenerateConcurrentlyOnOneGraph) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"n-predict": 12})");
  auto expected = generate(*graph, "Concurrent", "");
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] {
      for (int round = 0; round < 3; ++round) got[i] = generate(*graph, "Concurrent", "");
    });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

TEST(GenAIBackend, ProviderThatCannotAttachFallsBackToCpuUnlessStrict) {
  BackendOptions cuda;
  cuda.provider = ExecutionProvider::cuda;
  auto model = tiny_backend(cuda)->open("tiny");
  if (GenAIBackend::info(*model).provider == "cuda") GTEST_SKIP() << "CUDA attached: nothing to fall back from";
  EXPECT_EQ(GenAIBackend::info(*model).provider, "cpu");
  cuda.strict_provider = true;
  auto message = expect_nn_error(ErrorCode::runtime_error, [&] { tiny_backend(cuda)->open("tiny"); });
  EXPECT_NE(message.find("cuda"), std::string::npos) << message;
}

TEST(GenAIBackend, ModelInfoComesFromGenAIConfig) {
  auto model = tiny_backend()->open("tiny");
  const auto& info = GenAIBackend::info(*model);
  EXPECT_EQ(info.type, "llama");
  EXPECT_EQ(info.vocab_size, 32000);
  EXPECT_GT(info.context_length, 0);
  EXPECT_TRUE(info.has_chat_template);
}

TEST(GenAIBackend, ComposesWithAByteLoaderInOneBackendsSet) {
  nn::Backends backends;
  backends.set_name_loader(tiny_backend());
  EXPECT_NE(backends.load_by_name("tiny"), nullptr);
  std::vector<uint8_t> bytes{1, 2, 3};
  std::vector<std::span<const uint8_t>> builders{bytes};
  expect_nn_error(ErrorCode::invalid_encoding,
                  [&] { backends.load(builders, nn::GraphEncoding::openvino, nn::ExecutionTarget::cpu); });
}

// --- input_ids -> logits -------------------------------------------------------------------

std::vector<int64_t> tiny_ids(size_t n) {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(static_cast<int64_t>(100 + 37 * i % 5000));
  return ids;
}

Tensor logits_for(nn::ExecutionContext& ctx, const std::vector<int64_t>& ids) {
  ctx.set_input("input_ids", test::i64_tensor({1, static_cast<uint32_t>(ids.size())}, ids));
  ctx.compute();
  return ctx.get_output("logits");
}

TEST(GenAIBackend, InputIdsGiveLogitsForEveryPosition) {
  auto ctx = tiny_backend()->load_by_name("tiny", "")->init_execution_context();
  auto logits = logits_for(*ctx, tiny_ids(6));
  EXPECT_EQ(logits.type, TensorType::f32);
  EXPECT_EQ(logits.dims, (std::vector<uint32_t>{1, 6, 32000}));
  logits.validate("logits");
  auto again = logits_for(*ctx, tiny_ids(6));
  EXPECT_EQ(again.data, logits.data) << "stateless: the same ids give the same logits";
}

TEST(GenAIBackend, BatchedInputIdsMatchEachRowRunAlone) {
  auto ctx = tiny_backend()->load_by_name("tiny", "")->init_execution_context();
  std::vector<int64_t> a = tiny_ids(5), b = {7, 8, 9, 10, 11};
  std::vector<int64_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  ctx->set_input(0u, test::i64_tensor({2, 5}, both));
  ctx->compute();
  auto batched = test::floats(ctx->get_output(0u));
  auto row_a = test::floats(logits_for(*ctx, a));
  auto row_b = test::floats(logits_for(*ctx, b));
  ASSERT_EQ(batched.size(), row_a.size() + row_b.size());
  for (size_t i = 0; i < row_a.size(); ++i) ASSERT_NEAR(batched[i], row_a[i], 1e-4) << i;
  for (size_t i = 0; i < row_b.size(); ++i) ASSERT_NEAR(batched[row_a.size() + i], row_b[i], 1e-4) << i;
}

TEST(GenAIBackend, IncrementalLogitsEqualStatelessOnesForTheNewPositions) {
  auto backend = tiny_backend();
  auto stateless = backend->load_by_name("tiny", "")->init_execution_context();
  auto incremental = backend->load_by_name("tiny", R"({"incremental_logits": true})")->init_execution_context();
  auto ids = tiny_ids(4);
  for (int step = 0; step < 6; ++step) {
    auto full = logits_for(*stateless, ids);
    auto fresh = logits_for(*incremental, ids);
    size_t new_positions = step == 0 ? ids.size() : 1;
    ASSERT_EQ(fresh.dims, (std::vector<uint32_t>{1, static_cast<uint32_t>(new_positions), 32000}));
    auto f = test::floats(full), n = test::floats(fresh);
    size_t offset = f.size() - n.size();
    for (size_t i = 0; i < n.size(); ++i) ASSERT_NEAR(n[i], f[offset + i], 1e-4) << "step " << step << " i " << i;
    ids.push_back(static_cast<int64_t>(200 + step));
  }
  // A sequence that does not extend the previous one starts over: logits for every position.
  auto reset = logits_for(*incremental, tiny_ids(3));
  EXPECT_EQ(reset.dims, (std::vector<uint32_t>{1, 3, 32000}));
}

TEST(GenAIBackend, MalformedInputIdsAreInvalidArgument) {
  auto ctx = tiny_backend()->load_by_name("tiny", "")->init_execution_context();
  auto compute_with = [&](Tensor t) {
    ctx->set_input("input_ids", std::move(t));
    ctx->compute();
  };
  expect_nn_error(ErrorCode::invalid_argument, [&] { compute_with(test::i64_tensor({1, 2}, {5, 32000})); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { compute_with(test::i64_tensor({1, 2}, {-1, 5})); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { compute_with(test::i64_tensor({0, 0}, {})); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { compute_with(test::i64_tensor({3}, {1, 2, 3})); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { compute_with(test::i64_tensor({2, 3}, {1, 2, 3})); });
  expect_nn_error(ErrorCode::invalid_argument, [&] {
    compute_with(Tensor::from_values<int32_t>(TensorType::i32, {1, 2}, std::vector<int32_t>{1, 2}));
  });
  expect_nn_error(ErrorCode::too_large, [&] { compute_with(test::i64_tensor({1, 5000}, std::vector<int64_t>(5000, 1))); });
  EXPECT_EQ(logits_for(*ctx, {1, 2, 3}).dims, (std::vector<uint32_t>{1, 3, 32000}));
}

}  // namespace
}  // namespace wasinn::genai
