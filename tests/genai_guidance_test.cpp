// Constrained decoding (json-schema / grammar / regex / lark) and embeddings through the GenAI
// backend, on the tiny model. Constrained outputs are checked against std::regex here; JSON
// schemas and GBNF sources are checked by independent validators in oracle/check_constrained.py,
// and embeddings against ONNX Runtime and llama.cpp in oracle/check_embeddings.py.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "test_support.h"
#include "wasinn/genai/backend.h"

namespace wasinn::genai {
namespace {

using nn::ErrorCode;
using nn::Tensor;
using nn::TensorType;
using test::expect_nn_error;
using test::kTinyModel;

std::shared_ptr<GenAIBackend> tiny_backend() {
  ModelRegistry registry;
  registry.add("tiny", kTinyModel);
  registry.add("no-hidden-states", WASINN_TEST_NO_HIDDEN_STATES_MODEL);
  return std::make_shared<GenAIBackend>(std::move(registry), BackendOptions{});
}

struct Result {
  std::string text;
  nlohmann::json metadata;
};

Result run(nn::ExecutionContext& ctx, const std::string& prompt, const std::string& options) {
  ctx.set_input(0u, Tensor::from_bytes(prompt));
  if (!options.empty()) ctx.set_input(1u, Tensor::from_bytes(options));
  ctx.compute();
  return {std::string(ctx.get_output(0u).as_string()), nlohmann::json::parse(ctx.get_output(1u).as_string())};
}

Result stream(nn::ExecutionContext& ctx, const std::string& prompt, const std::string& options) {
  ctx.set_input(0u, Tensor::from_bytes(prompt));
  if (!options.empty()) ctx.set_input(1u, Tensor::from_bytes(options));
  Result r;
  for (;;) {
    try {
      ctx.compute_single();
    } catch (const nn::Error& e) {
      if (e.code() != ErrorCode::end_of_sequence) throw;
      break;
    }
    r.text += ctx.get_output_single(0u).as_string();
  }
  r.metadata = nlohmann::json::parse(ctx.get_output_single(1u).as_string());
  ctx.fini_single();
  return r;
}

const char* kRegex = "[a-c]{2,4}-[0-9]{1,3}(\\.[xyz])?";

TEST(Guidance, RegexOutputMatchesForEverySeedWholeAndStreamed) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto ctx = graph->init_execution_context();
  std::regex re(kRegex);
  for (int seed : {1, 2, 3, 4, 5}) {
    std::string options = nlohmann::json{{"regex", kRegex}, {"temp", 1.0}, {"seed", seed}, {"n-predict", 40}}.dump();
    auto whole = run(*ctx, "Write a code:", options);
    EXPECT_TRUE(std::regex_match(whole.text, re)) << "seed " << seed << ": " << whole.text;
    EXPECT_EQ(whole.metadata["stop_reason"], "eos");  // llguidance ends the text when the regex is done
    auto streamed = stream(*ctx, "Write a code:", options);
    EXPECT_EQ(streamed.text, whole.text) << "seed " << seed;
  }
}

TEST(Guidance, WithoutTheOptionTheSameRequestIsUnconstrained) {
  // The constraint really comes from the option: the same sampled request without it does not match.
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto ctx = graph->init_execution_context();
  auto free = run(*ctx, "Write a code:", R"({"temp": 1.0, "seed": 1, "n-predict": 12})");
  EXPECT_FALSE(std::regex_match(free.text, std::regex(kRegex))) << free.text;
}

TEST(Guidance, LoadConfigConstrainsEveryRequestAndARequestMayReplaceIt) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"lark": "start: \"yes\" | \"no\"", "temp": 1.0})");
  auto ctx = graph->init_execution_context();
  for (int seed : {1, 2, 3}) {
    auto r = run(*ctx, "Answer:", nlohmann::json{{"seed", seed}}.dump());
    EXPECT_TRUE(r.text == "yes" || r.text == "no") << r.text;
  }
  auto replaced = run(*ctx, "Answer:", R"({"regex": "[0-9]{3}", "seed": 1})");
  EXPECT_TRUE(std::regex_match(replaced.text, std::regex("[0-9]{3}"))) << replaced.text;
}

TEST(Guidance, GrammarOptionTranslatesGbnf) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"grammar": "root ::= \"id-\" [0-9a-f]{4} (\"!\" | \"?\")\n"})");
  auto ctx = graph->init_execution_context();
  for (int seed : {1, 2, 3}) {
    auto r = run(*ctx, "Id:", nlohmann::json{{"seed", seed}, {"temp", 1.0}}.dump());
    EXPECT_TRUE(std::regex_match(r.text, std::regex("id-[0-9a-f]{4}[!?]"))) << r.text;
  }
}

TEST(Guidance, JsonSchemaAsStringOrObjectGivesJsonOfThatShape) {
  nlohmann::json schema = {{"type", "object"},
                           {"properties", {{"ok", {{"type", "boolean"}}}, {"n", {{"type", "integer"}, {"minimum", 0}, {"maximum", 99}}}}},
                           {"required", {"ok", "n"}},
                           {"additionalProperties", false}};
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto ctx = graph->init_execution_context();
  for (const auto& given : {nlohmann::json(schema.dump()), schema}) {
    int finished = 0;
    for (int seed : {1, 2, 3}) {
      nlohmann::json options = {{"json-schema", given}, {"temp", 1.0}, {"seed", seed}, {"n-predict", 200}};
      auto r = run(*ctx, "JSON:", options.dump());
      if (r.metadata["stop_reason"] != "eos") continue;  // checked below: the limit case is reported
      ++finished;
      auto parsed = nlohmann::json::parse(r.text);
      EXPECT_TRUE(parsed["ok"].is_boolean()) << r.text;
      EXPECT_TRUE(parsed["n"].is_number_integer()) << r.text;
      EXPECT_EQ(parsed.size(), 2u) << r.text;
    }
    EXPECT_GT(finished, 0) << "no seed finished, nothing was checked";
  }
}

TEST(Guidance, TheTokenLimitInsideTheStructureIsReportedInStopReason) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto ctx = graph->init_execution_context();
  auto r = run(*ctx, "JSON:", R"({"json_schema": {"type": "array", "items": {"type": "integer"}, "minItems": 50}, "n-predict": 4})");
  EXPECT_EQ(r.metadata["stop_reason"], "max_length_in_constraint") << r.text;
  EXPECT_EQ(r.metadata["output_tokens"], 4);
  auto s = stream(*ctx, "JSON:", R"({"json_schema": {"type": "array", "items": {"type": "integer"}, "minItems": 50}, "n-predict": 4})");
  EXPECT_EQ(s.metadata["stop_reason"], "max_length_in_constraint");
  // unconstrained, the same limit is plain max_length
  auto plain = run(*ctx, "JSON:", R"({"n-predict": 4})");
  EXPECT_EQ(plain.metadata["stop_reason"], "max_length");
}

TEST(Guidance, BadGuidanceIsInvalidArgumentAtTheCallThatGivesIt) {
  auto backend = tiny_backend();
  struct Case {
    const char* options;
    const char* says;
  } cases[] = {
      {R"({"json-schema": "{not json"})", "option 'json-schema': the schema is not valid JSON"},
      {R"({"json_schema": "[1, 2]"})", "option 'json_schema': a JSON schema must be an object or a boolean"},
      {R"({"json-schema": 7})", "a JSON schema must be an object or a boolean"},
      {R"({"grammar": "root ::= \"a"})", "option 'grammar': GBNF line 1, column 12: unterminated string literal"},
      {R"({"grammar": ["root"]})", "option 'grammar' must be a string"},
      {R"({"regex": "[a-"})", "option 'regex' was rejected by GenAI's guidance"},
      {R"({"lark": "start: nowhere"})", "option 'lark' was rejected by GenAI's guidance"},
      {R"({"json_schema": {"type": "object", "properties": {"a": {"type": "nosuchtype"}}}})",
       "option 'json_schema' was rejected by GenAI's guidance"},
      {R"({"regex": "a", "grammar": "root ::= \"a\""})", "both constrain the output"},
      {R"({"embedding": true, "regex": "a"})", "'embedding' generates none"},
  };
  for (const auto& c : cases) {
    auto at_load = expect_nn_error(ErrorCode::invalid_argument, [&] { backend->load_by_name("tiny", c.options); });
    EXPECT_NE(at_load.find(c.says), std::string::npos) << c.options << " -> " << at_load;
  }
  // At set_input, and the context keeps serving with its previous options.
  auto graph = backend->load_by_name("tiny", R"({"regex": "[0-9]{2}"})");
  auto ctx = graph->init_execution_context();
  for (const auto& c : cases) {
    auto at_set = expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->set_input(1u, Tensor::from_bytes(c.options)); });
    EXPECT_NE(at_set.find(c.says), std::string::npos) << c.options << " -> " << at_set;
  }
  auto r = run(*ctx, "Two digits:", "");
  EXPECT_TRUE(std::regex_match(r.text, std::regex("[0-9]{2}"))) << r.text;
}

TEST(Guidance, LogitsRequestsRefuseGuidanceRatherThanIgnoreIt) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"regex": "[0-9]+"})");
  auto ctx = graph->init_execution_context();
  ctx->set_input("input_ids", test::i64_tensor({1, 2}, {1, 15043}));
  auto message = expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx->compute(); });
  EXPECT_NE(message.find("option 'regex'"), std::string::npos) << message;
  ctx->set_input("options", Tensor::from_bytes(R"({"regex": ""})"));  // "" is no new constraint: the load's stays
  expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx->compute(); });
}

TEST(Guidance, EmptyGuidanceStringsMeanNoneAsWasmEdgeGuestsSendThem) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"grammar": "", "json-schema": "", "n-predict": 6})");
  auto r = run(*graph->init_execution_context(), "Hello", "");
  EXPECT_EQ(r.metadata["stop_reason"], "max_length");
}

TEST(Options, GuidanceKeysParseIntoWhatGenAIReads) {
  auto schema = RequestOptions::parse_json(R"({"json-schema": "{\"type\": \"string\"}"})").guidance;
  ASSERT_TRUE(schema);
  EXPECT_EQ(*schema, (Guidance{"json_schema", R"({"type":"string"})", "json-schema"}));
  EXPECT_EQ(*RequestOptions::parse_json(R"({"json_schema": true})").guidance, (Guidance{"json_schema", "true", "json_schema"}));
  EXPECT_EQ(*RequestOptions::parse_json(R"({"grammar": "root ::= \"x\""})").guidance,
            (Guidance{"lark_grammar", "start: g_root\ng_root: \"x\"\n", "grammar"}));
  EXPECT_EQ(*RequestOptions::parse_json(R"({"regex": "a+"})").guidance, (Guidance{"regex", "a+", "regex"}));
  EXPECT_EQ(*RequestOptions::parse_json(R"({"lark_grammar": "start: \"a\""})").guidance,
            (Guidance{"lark_grammar", "start: \"a\"", "lark_grammar"}));
  EXPECT_FALSE(RequestOptions::parse_json(R"({"grammar": "", "json-schema": null})").guidance);

  auto load = RequestOptions::parse_json(R"({"regex": "a+"})");
  load.merge(RequestOptions::parse_json(R"({"lark": "start: \"b\""})"));
  EXPECT_EQ(load.guidance->option, "lark");  // a request's guidance replaces the load's
  load.merge(RequestOptions::parse_json(R"({"n-predict": 3})"));
  EXPECT_EQ(load.guidance->option, "lark");  // and one without any keeps it
  EXPECT_EQ(resolve(BackendOptions{}, load).guidance->option, "lark");
}

TEST(Options, OptionsAskingForWhatIsNotServedAreUnsupportedTuningOnesAreAccepted) {
  auto backend = tiny_backend();
  for (const char* options : {R"({"mmproj": "/models/mmproj.gguf"})", R"({"image": "/data/cat.png"})",
                              R"({"presence-penalty": 0.5})", R"({"frequency-penalty": 1})"}) {
    auto message = expect_nn_error(ErrorCode::unsupported_operation, [&] { backend->load_by_name("tiny", options); });
    EXPECT_FALSE(message.empty());
    auto ctx = backend->load_by_name("tiny", "")->init_execution_context();
    expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx->set_input(1u, Tensor::from_bytes(options)); });
  }
  EXPECT_NO_THROW(backend->load_by_name(
      "tiny", R"({"n-gpu-layers": 100, "batch-size": 512, "threads": 4, "enable-log": true, "mmproj": "", "image": "",
                  "presence-penalty": 0.0, "frequency-penalty": 0.0})"));
}

std::vector<float> embedding_of(nn::ExecutionContext& ctx, const std::string& text, bool by_index) {
  ctx.set_input(by_index ? nn::TensorId(0u) : nn::TensorId("prompt"), Tensor::from_bytes(text));
  ctx.compute();
  auto tensor = ctx.get_output("embedding");
  EXPECT_EQ(tensor.type, TensorType::f32);
  auto json = nlohmann::json::parse(ctx.get_output(0u).as_string());
  auto values = test::floats(tensor);
  EXPECT_EQ(tensor.dims, (std::vector<uint32_t>{1, static_cast<uint32_t>(values.size())}));
  EXPECT_EQ(json["n_embedding"], values.size());
  EXPECT_EQ(json["embedding"].get<std::vector<float>>(), values);
  return values;
}

TEST(Embedding, IsAUnitVectorOfTheHiddenSizeTheSameByIndexOrNameAndPerText) {
  auto graph = tiny_backend()->load_by_name("tiny", R"({"embedding": true})");
  auto ctx = graph->init_execution_context();
  auto a = embedding_of(*ctx, "The cat sat on the mat.", true);
  ASSERT_EQ(a.size(), 32u);  // the tiny model's hidden size
  double norm = 0;
  for (float v : a) norm += double(v) * v;
  EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-5);
  EXPECT_EQ(embedding_of(*ctx, "The cat sat on the mat.", false), a);  // no chat template on embeddings
  EXPECT_NE(embedding_of(*ctx, "Stock prices fell sharply.", true), a);
  EXPECT_EQ(nlohmann::json::parse(ctx->get_output(1u).as_string())["output_tokens"], 0);
}

TEST(Embedding, PerRequestOptionAndItsErrors) {
  auto graph = tiny_backend()->load_by_name("tiny", "");
  auto ctx = graph->init_execution_context();
  ctx->set_input(0u, Tensor::from_bytes("Hello"));
  ctx->set_input(1u, Tensor::from_bytes(R"({"embedding": true})"));
  ctx->compute();
  EXPECT_EQ(ctx->get_output("embedding").dims.size(), 2u);
  expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx->compute_single(); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->get_output("logits"); });
  ctx->set_input("input_ids", test::i64_tensor({1, 2}, {1, 15043}));
  expect_nn_error(ErrorCode::invalid_argument, [&] { ctx->compute(); });
  // back to generation on the same context
  ctx->set_input(0u, Tensor::from_bytes("Hello"));
  ctx->set_input(1u, Tensor::from_bytes(R"({"embedding": false, "n-predict": 3})"));
  ctx->compute();
  EXPECT_EQ(nlohmann::json::parse(ctx->get_output(1u).as_string())["output_tokens"], 3);
}

TEST(Embedding, AModelWithoutTheHiddenStateOutputIsUnsupportedAndSaysHowToReconvert) {
  auto backend = tiny_backend();
  auto ctx = backend->load_by_name("no-hidden-states", R"({"embedding": true})")->init_execution_context();
  ctx->set_input(0u, Tensor::from_bytes("Hello"));
  auto message = expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx->compute(); });
  EXPECT_NE(message.find("'hidden_states'"), std::string::npos) << message;
  EXPECT_NE(message.find("convert_gguf.py"), std::string::npos) << message;
  // and the host keeps serving: generation on the same model still works
  ctx->set_input(1u, Tensor::from_bytes(R"({"embedding": false, "n-predict": 2})"));
  ctx->compute();
  EXPECT_EQ(nlohmann::json::parse(ctx->get_output(1u).as_string())["output_tokens"], 2);
}

}  // namespace
}  // namespace wasinn::genai
