#include <gtest/gtest.h>

#include <map>

#include "test_support.h"
#include "wasinn/genai/options.h"

namespace wasinn::genai {
namespace {

using nn::ErrorCode;
using test::expect_nn_error;

BackendOptions::Getenv env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(BackendOptions, DefaultsAreTheReferences) {
  auto o = BackendOptions::from_environment(env({}));
  EXPECT_EQ(o.max_length, 512);
  EXPECT_FALSE(o.do_sample);
  EXPECT_EQ(o.temperature, 1.0);
  EXPECT_EQ(o.top_p, 1.0);
  EXPECT_EQ(o.top_k, 50);
  EXPECT_FALSE(o.include_prompt);
  EXPECT_EQ(o.provider, ExecutionProvider::cpu);
  EXPECT_TRUE(o.chat_template);
  EXPECT_FALSE(o.strict_provider);
}

TEST(BackendOptions, ReadsTheReferenceVariablesAndOurShorterAliasesWin) {
  auto o = BackendOptions::from_environment(env({{"WACS_WASINN_GENAI_MAX_LENGTH", "64"},
                                                 {"WACS_WASINN_GENAI_DO_SAMPLE", "1"},
                                                 {"WACS_WASINN_GENAI_TEMPERATURE", "0.7"},
                                                 {"WACS_WASINN_GENAI_TOP_K", "5"},
                                                 {"WACS_WASINN_GENAI_EP", "cuda"},
                                                 {"WACS_WASINN_GENAI_CUDA_DEVICE", "1"},
                                                 {"WASINN_EP", "auto"},
                                                 {"WASINN_INCLUDE_PROMPT", "true"}}));
  EXPECT_EQ(o.max_length, 64);
  EXPECT_TRUE(o.do_sample);
  EXPECT_DOUBLE_EQ(o.temperature, 0.7);
  EXPECT_EQ(o.top_k, 5);
  EXPECT_EQ(o.provider, ExecutionProvider::autodetect);
  EXPECT_EQ(o.cuda_device, 1);
  EXPECT_TRUE(o.include_prompt);
}

TEST(BackendOptions, UnparsableValuesAreErrorsNamingTheVariable) {
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"WACS_WASINN_GENAI_MAX_LENGTH", "lots"},
           {"WACS_WASINN_GENAI_MAX_LENGTH", "0"},
           {"WACS_WASINN_GENAI_TEMPERATURE", "1.0x"},
           {"WACS_WASINN_GENAI_TOP_P", "1.5"},
           {"WACS_WASINN_GENAI_DO_SAMPLE", "maybe"},
           {"WACS_WASINN_GENAI_EP", "tpu"},
           {"WASINN_CUDA_DEVICE", "-1"}}) {
    auto message = expect_nn_error(ErrorCode::invalid_argument,
                                   [&] { BackendOptions::from_environment(env({{name, value}})); });
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST(RequestOptions, AcceptsWasmEdgeAndOpenAIStyleKeysAndIgnoresUnknownOnes) {
  auto r = RequestOptions::parse_json(R"({"n-predict": 7, "temp": 0.5, "top-p": 0.9, "top-k": 3,
      "repeat-penalty": 1.1, "seed": 42, "reverse-prompt": "User:", "stream-stdout": true,
      "enable-log": true, "n-gpu-layers": 100, "llama3": true, "ctx-size": 1024})");
  EXPECT_EQ(r.max_new_tokens, 7);
  EXPECT_EQ(r.temperature, 0.5);
  EXPECT_EQ(r.top_p, 0.9);
  EXPECT_EQ(r.top_k, 3);
  EXPECT_EQ(r.repetition_penalty, 1.1);
  EXPECT_EQ(r.seed, 42u);
  EXPECT_EQ(r.stop, std::vector<std::string>{"User:"});
  EXPECT_EQ(r.stream_stdout, true);
  EXPECT_EQ(r.max_length, 1024);
  EXPECT_EQ(RequestOptions::parse_json(R"({"max_tokens": 3, "stop": ["a", "b"]})").max_new_tokens, 3);
  EXPECT_EQ(RequestOptions::parse_json(R"({"stop": ["a", "b"]})").stop.size(), 2u);
  EXPECT_FALSE(RequestOptions::parse_json(R"({"n-predict": -1})").max_new_tokens.has_value());
  EXPECT_FALSE(RequestOptions::parse_json("").max_new_tokens.has_value());
}

TEST(RequestOptions, WrongTypesAndBadJsonAreInvalidArgument) {
  for (const char* bad : {"{", "[1]", R"({"n-predict": "ten"})", R"({"temp": -1})", R"({"top-p": 0})",
                          R"({"stop": [1]})", R"({"seed": 1.5})", R"({"incremental_logits": "yes"})"})
    expect_nn_error(ErrorCode::invalid_argument, [&] { RequestOptions::parse_json(bad); });
}

TEST(RequestOptions, LaterLayersOverrideEarlierOnes) {
  auto load = RequestOptions::parse_json(R"({"n-predict": 10, "temp": 0.8})");
  load.merge(RequestOptions::parse_json(R"({"n-predict": 3})"));
  auto s = resolve(BackendOptions{}, load);
  EXPECT_EQ(s.max_new_tokens, 3);
  EXPECT_DOUBLE_EQ(s.temperature, 0.8);
  EXPECT_TRUE(s.do_sample) << "a request temperature above zero asks for sampling";
  EXPECT_FALSE(resolve(BackendOptions{}, RequestOptions::parse_json(R"({"temp": 0})")).do_sample);
  EXPECT_FALSE(resolve(BackendOptions{}, RequestOptions{}).do_sample);
}

}  // namespace
// --- booleans in variables: every documented spelling, and nothing else --------------------
TEST(GenAIOptions, BooleanVariablesAcceptOneZeroAndTrueFalseInThreeCases) {
  auto with = [](std::string value) {
    return BackendOptions::from_environment([value](const char* name) -> std::optional<std::string> {
      if (std::string(name) == "WASINN_DO_SAMPLE") return value;
      return std::nullopt;
    });
  };
  for (const char* yes : {"1", "true", "TRUE", "True"}) EXPECT_TRUE(with(yes).do_sample) << yes;
  for (const char* no : {"0", "false", "FALSE", "False"}) EXPECT_FALSE(with(no).do_sample) << no;
  for (const char* bad : {"yes", "tRUE", "2", " 1"}) {
    auto message = test::expect_nn_error(nn::ErrorCode::invalid_argument, [&] { with(bad); });
    EXPECT_NE(message.find("WASINN_DO_SAMPLE"), std::string::npos) << message;
  }
}

}  // namespace wasinn::genai
