// The remote backend: its server-sent-event parser and OpenAI mapping on their own, then the
// backend against a real engine, llama.cpp's server (tests/remote/engine.py, PyPI xllamacpp) on
// the SmolLM2 GGUF, started once for the suite on a free loopback port and killed after it. What
// the backend answers is compared with what the same engine answers a plain, non-streamed
// request made here with libcurl directly (a different path: no SSE, no backend).
#include <curl/curl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <fstream>
#include <thread>

#include "remote/engine_http.h"
#include "remote/openai_protocol.h"
#include "remote/sse_parser.h"
#include "test_support.h"
#include "wasinn/nn/cancellation.h"
#include "wasinn/nn/name_dispatch.h"
#include "wasinn/remote/backend.h"

namespace wasinn::remote {
namespace {

using nlohmann::json;
using nn::ErrorCode;
using test::expect_nn_error;

// --- The SSE parser -----------------------------------------------------------------------

const std::string kStream =
    ": a comment\r\n"
    "event: message\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "data: line one\n"
    "data: line two\n"
    "id: 7\n"
    "\n"
    "data:no space\r"
    "\r"
    "event: error\n"
    "data: {\"error\":\"x\"}\n"
    "\n"
    "data: [DONE]\n\n";

std::vector<SseEvent> parse_in_pieces(const std::string& text, size_t piece) {
  SseParser p;
  std::vector<SseEvent> all;
  for (size_t i = 0; i < text.size(); i += piece)
    for (auto& e : p.feed(std::string_view(text).substr(i, piece))) all.push_back(std::move(e));
  EXPECT_FALSE(p.mid_event());
  return all;
}

TEST(SseParser, EventsLineEndingsCommentsAndMultiLineData) {
  auto events = parse_in_pieces(kStream, kStream.size());
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].type, "message");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].data, "line one\nline two");
  EXPECT_EQ(events[2].data, "no space");
  EXPECT_EQ(events[3].type, "error");
  EXPECT_EQ(events[4].data, "[DONE]");
}

TEST(SseParser, AnySplitOfTheBytesGivesTheSameEvents) {
  auto whole = parse_in_pieces(kStream, kStream.size());
  for (size_t piece : {1u, 2u, 3u, 5u, 7u, 13u}) {
    auto split = parse_in_pieces(kStream, piece);
    ASSERT_EQ(split.size(), whole.size()) << "pieces of " << piece;
    for (size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(split[i].data, whole[i].data) << "pieces of " << piece;
      EXPECT_EQ(split[i].type, whole[i].type) << "pieces of " << piece;
    }
  }
}

TEST(SseParser, AnEventWithoutItsBlankLineIsHeldAndSaysSo) {
  SseParser p;
  EXPECT_TRUE(p.feed("data: {\"choi").empty());
  EXPECT_TRUE(p.mid_event());
  EXPECT_TRUE(p.feed("ces\": []}\n").empty());
  EXPECT_TRUE(p.mid_event());
  auto events = p.feed("\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "{\"choices\": []}");
  EXPECT_FALSE(p.mid_event());
}

// --- The OpenAI mapping -------------------------------------------------------------------

nn::RequestOptions options(const std::string& text) { return nn::RequestOptions::parse_json(text); }

TEST(OpenAIProtocol, OptionsMapOntoTheRequest) {
  auto body = json::parse(request_body(
      "m", InputKind::user_prompt, "Hi",
      options(R"({"n-predict": 5, "temperature": 0.7, "top-p": 0.9, "top-k": 3, "seed": 11, "stop": ["a", "b"],
                  "repeat-penalty": 1.1})")));
  EXPECT_EQ(body["model"], "m");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["messages"], json::parse(R"([{"role": "user", "content": "Hi"}])"));
  EXPECT_FALSE(body.contains("prompt"));
  EXPECT_EQ(body["max_tokens"], 5);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(body["top_p"].get<double>(), 0.9);
  EXPECT_EQ(body["top_k"], 3);
  EXPECT_EQ(body["seed"], 11);
  EXPECT_EQ(body["stop"], json::parse(R"(["a", "b"])"));
  EXPECT_DOUBLE_EQ(body["repetition_penalty"].get<double>(), 1.1);
}

TEST(OpenAIProtocol, SamplingFollowsGenAIsResolution) {
  auto temperature = [](const std::string& o) {
    auto body = json::parse(request_body("m", InputKind::raw_prompt, "x", options(o)));
    return body.contains("temperature") ? body["temperature"].get<double>() : -1.0;
  };
  EXPECT_EQ(temperature("{}"), 0.0);                                        // greedy by default
  EXPECT_EQ(temperature(R"({"do_sample": false, "temperature": 0.8})"), 0.0);
  EXPECT_EQ(temperature(R"({"temperature": 0})"), 0.0);
  EXPECT_DOUBLE_EQ(temperature(R"({"temperature": 0.8})"), 0.8);
  EXPECT_EQ(temperature(R"({"do_sample": true})"), -1.0);                   // the engine's default
  auto body = json::parse(request_body("m", InputKind::raw_prompt, "x", options("{}")));
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_EQ(body["prompt"], "x");
  EXPECT_FALSE(body.contains("messages"));
}

// Options the engine is not sent must not be dropped silently: the guest would believe it got
// JSON, an embedding or a shorter context.
TEST(OpenAIProtocol, OptionsNotForwardedAreUnsupportedNotIgnored) {
  for (const char* options : {R"({"grammar": "root ::= [0-9]+"})", R"({"regex": "[0-9]+"})",
                              R"({"lark": "start: /[0-9]+/"})", R"({"embedding": true})", R"({"ctx-size": 64})"}) {
    auto message = expect_nn_error(ErrorCode::unsupported_operation, [&] {
      refuse_unserved_options(nn::RequestOptions::parse_json(options));
    });
    EXPECT_NE(message.find("not forwarded to a remote engine"), std::string::npos) << options << ": " << message;
  }
  refuse_unserved_options(nn::RequestOptions::parse_json(R"({"n-predict": 5, "temp": 0.2, "embedding": false})"));
}

TEST(OpenAIProtocol, AJsonSchemaGoesAsResponseFormat) {
  json schema = {{"type", "object"}, {"properties", {{"capital", {{"type", "string"}}}}}};
  auto o = options(json{{"json-schema", schema.dump()}}.dump());
  refuse_unserved_options(o);
  auto body = json::parse(request_body("m", InputKind::user_prompt, "Hi", o));
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"], schema);
  EXPECT_EQ(json::parse(request_body("m", InputKind::user_prompt, "Hi", options(R"({"json_schema": true})")))
                ["response_format"],
            json({{"type", "json_object"}}));
  EXPECT_FALSE(json::parse(request_body("m", InputKind::user_prompt, "Hi", options("{}"))).contains("response_format"));
  expect_nn_error(ErrorCode::invalid_argument,
                  [] { request_body("m", InputKind::user_prompt, "Hi", options(R"({"json-schema": false})")); });
}

TEST(OpenAIProtocol, MessagesGoAsTheyAreAndMustBeAList) {
  std::string messages = R"([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])";
  auto body = json::parse(request_body("m", InputKind::messages, messages, options("{}")));
  EXPECT_EQ(body["messages"], json::parse(messages));
  expect_nn_error(ErrorCode::invalid_argument, [] { request_body("m", InputKind::messages, "{\"role\": 1}", {}); });
  expect_nn_error(ErrorCode::invalid_argument, [] { request_body("m", InputKind::messages, "[1, 2]", {}); });
  EXPECT_EQ(endpoint_for(InputKind::raw_prompt), Endpoint::completions);
  EXPECT_EQ(endpoint_for(InputKind::user_prompt), Endpoint::chat_completions);
  EXPECT_EQ(endpoint_for(InputKind::messages), Endpoint::chat_completions);
}

TEST(OpenAIProtocol, ChunksGiveTextFinishReasonAndUsage) {
  auto c = parse_chunk({"", R"({"choices": [{"delta": {"content": "Hel"}, "finish_reason": null}]})"}, "u");
  EXPECT_EQ(c.text, "Hel");
  EXPECT_FALSE(c.finish_reason);
  c = parse_chunk({"", R"({"choices": [{"text": "lo", "finish_reason": "length"}],
                          "usage": {"prompt_tokens": 4, "completion_tokens": 5}})"}, "u");
  EXPECT_EQ(c.text, "lo");
  EXPECT_EQ(c.finish_reason, "length");
  EXPECT_EQ(c.prompt_tokens, 4u);
  EXPECT_EQ(c.completion_tokens, 5u);
  c = parse_chunk({"", R"({"choices": [{"delta": {"role": "assistant", "content": null}}]})"}, "u");
  EXPECT_EQ(c.text, "");
  EXPECT_TRUE(parse_chunk({"", "[DONE]"}, "u").done);
}

TEST(OpenAIProtocol, MalformedChunksAndErrorEventsAreRuntimeErrorsNamingTheURL) {
  auto m = expect_nn_error(ErrorCode::runtime_error, [] { parse_chunk({"", "{\"choices\": [ oops"}, "http://e/v1"); });
  EXPECT_NE(m.find("http://e/v1"), std::string::npos) << m;
  EXPECT_NE(m.find("malformed JSON"), std::string::npos) << m;
  m = expect_nn_error(ErrorCode::runtime_error,
                      [] { parse_chunk({"", R"({"error": {"message": "out of memory"}})"}, "http://e/v1"); });
  EXPECT_NE(m.find("out of memory"), std::string::npos) << m;
  expect_nn_error(ErrorCode::runtime_error,
                  [] { parse_chunk({"", R"({"choices": [{"delta": {"content": 5}}]})"}, "http://e/v1"); });
}

TEST(OpenAIProtocol, EngineErrorMessagesInTheirUsualShapes) {
  EXPECT_EQ(engine_error_message(R"({"error": {"message": "no such model", "code": 404}})"), "no such model");
  EXPECT_EQ(engine_error_message(R"({"error": "overloaded"})"), "overloaded");
  EXPECT_EQ(engine_error_message(R"({"detail": "Not Found"})"), "Not Found");
  EXPECT_EQ(engine_error_message("plain text\n"), "plain text");
  EXPECT_EQ(engine_error_message(std::string(1000, 'x')).size(), 303u);
  EXPECT_EQ(model_ids(R"({"data": [{"id": "a"}, {"id": "b"}]})", "u"), (std::vector<std::string>{"a", "b"}));
  expect_nn_error(ErrorCode::runtime_error, [] { model_ids("<html>", "u"); });
}

// --- Configuration and dispatch -----------------------------------------------------------

TEST(RemoteModel, LocationsAndRemoteJson) {
  auto m = RemoteModel::from_location("http://127.0.0.1:8000/v1#org/model-7b");
  EXPECT_EQ(m.url, "http://127.0.0.1:8000/v1");
  EXPECT_EQ(m.model, "org/model-7b");
  EXPECT_EQ(RemoteModel::from_location("https://engine.example/v1").model, "");
  expect_nn_error(ErrorCode::invalid_argument, [] { RemoteModel::from_location("ftp://x/v1"); });
  expect_nn_error(ErrorCode::invalid_argument, [] { RemoteModel::from_location("http://x/v1#"); });
  expect_nn_error(ErrorCode::invalid_argument, [] { RemoteModel::from_location("http://"); });

  m = RemoteModel::from_json(R"({"url": "http://h/v1", "model": "x", "api_key_env": "KEY_1",
                                 "connect_timeout": 0.5, "idle_timeout": 2})", "r.json");
  EXPECT_EQ(m.connect_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(m.idle_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(m.api_key_env, "KEY_1");
  for (const char* bad : {R"({"model": "x"})", R"({"url": 5})", R"({"url": "http://h/v1", "idle_timeout": 0})",
                          R"({"url": "http://h/v1", "api_key_env": "A B"})", "[1]", "{"}) {
    auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { RemoteModel::from_json(bad, "r.json"); });
    EXPECT_NE(message.find("r.json"), std::string::npos) << message;
  }
}

class NamedGraph : public nn::Graph {
 public:
  explicit NamedGraph(std::string name) : who(std::move(name)) {}
  std::unique_ptr<nn::ExecutionContext> init_execution_context() override { return nullptr; }
  std::string who;
};

class Recorder : public nn::NameLoaderBackend {
 public:
  explicit Recorder(std::string who) : who_(std::move(who)) {}
  std::shared_ptr<nn::Graph> load_by_name(std::string_view name, std::string_view) override {
    return std::make_shared<NamedGraph>(who_ + ":" + std::string(name));
  }

 private:
  std::string who_;
};

TEST(NameDispatch, RoutedNamesGoToTheirBackendAndTheRestToTheFallback) {
  nn::NameDispatch dispatch(std::make_shared<Recorder>("genai"));
  dispatch.route([](std::string_view n) { return n == "cluster"; }, std::make_shared<Recorder>("remote"));
  auto who = [&](const char* name) { return std::static_pointer_cast<NamedGraph>(dispatch.load_by_name(name, ""))->who; };
  EXPECT_EQ(who("cluster"), "remote:cluster");
  EXPECT_EQ(who("local"), "genai:local");
  nn::NameDispatch none(nullptr);
  expect_nn_error(ErrorCode::not_found, [&] { none.load_by_name("x", ""); });
}

TEST(RemoteBackend, RootsServeDirectoriesHoldingRemoteJson) {
  test::TempDir root;
  std::filesystem::create_directories(root.path() / "cluster");
  std::filesystem::create_directories(root.path() / "local");  // a GenAI model's place: not ours
  std::ofstream(root.path() / "cluster" / "remote.json") << R"({"url": "http://127.0.0.1:9/v1", "model": "m"})";
  RemoteBackend backend;
  backend.add_root(root.path());
  backend.add("preloaded", RemoteModel::from_location("http://127.0.0.1:9/v1"));
  EXPECT_TRUE(backend.serves("cluster"));
  EXPECT_TRUE(backend.serves("preloaded"));
  EXPECT_FALSE(backend.serves("local"));
  EXPECT_FALSE(backend.serves("../cluster"));
  auto list = backend.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "preloaded");
  EXPECT_EQ(list[1].name, "cluster");
  EXPECT_EQ(list[1].model.model, "m");
  expect_nn_error(ErrorCode::not_found, [&] { backend.load_by_name("local", ""); });
}

TEST(RemoteBackend, AnEngineThatIsDownIsARuntimeErrorNamingTheURL) {
  RemoteBackend backend;
  backend.add("down", RemoteModel::from_location("http://127.0.0.1:1/v1#m"));  // nothing listens on port 1
  auto message = expect_nn_error(ErrorCode::runtime_error, [&] { backend.load_by_name("down", ""); });
  EXPECT_NE(message.find("http://127.0.0.1:1/v1/models"), std::string::npos) << message;
}

TEST(RemoteBackend, AnUnsetApiKeyVariableIsNamedNeverItsValue) {
  RemoteBackend backend;
  auto m = RemoteModel::from_location("http://127.0.0.1:1/v1#m");
  m.api_key_env = "WASINN_TEST_UNSET_KEY_VARIABLE";
  backend.add("keyed", m);
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { backend.load_by_name("keyed", ""); });
  EXPECT_NE(message.find("WASINN_TEST_UNSET_KEY_VARIABLE"), std::string::npos) << message;
}

// --- Against llama.cpp's server -----------------------------------------------------------

// engine.py in a child process that dies with this one (PR_SET_PDEATHSIG), killed after the suite.
class Engine {
 public:
  Engine() {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::string script = std::string(WASINN_TEST_REMOTE_DIR) + "/engine.py";
      execl(WASINN_TEST_PYTHON, WASINN_TEST_PYTHON, script.c_str(), "--gguf", WASINN_TEST_GGUF, nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    if (line.rfind("port ", 0) != 0) throw std::runtime_error("engine.py did not start: '" + line + "'");
    url_ = "http://127.0.0.1:" + line.substr(5) + "/v1";
  }
  ~Engine() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  const std::string& url() const { return url_; }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

size_t append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The engine's answer to a plain non-streamed request, with libcurl directly.
json direct(const std::string& url, const json& body) {
  CURL* curl = curl_easy_init();
  std::string out, text = body.dump();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  return json::parse(out);
}

class RemoteEngine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { engine_ = new Engine(); }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  std::shared_ptr<nn::Graph> load(const std::string& config = "") {
    RemoteBackend backend;
    backend.add("smol", RemoteModel::from_location(engine_->url()));
    return backend.load_by_name("smol", config);
  }
  static std::string url() { return engine_->url(); }
  static Engine* engine_;
};
Engine* RemoteEngine::engine_ = nullptr;

const char* kQuestion = "What is the capital of France?";

json metadata_of(nn::ExecutionContext& ctx) { return json::parse(ctx.get_output("metadata").as_string()); }

TEST_F(RemoteEngine, AWholeAnswerIsTheEnginesAnswerWithUsageInTheMetadata) {
  auto ctx = load()->init_execution_context();
  ctx->set_input("prompt", nn::Tensor::from_bytes(kQuestion));
  ctx->set_input("options", nn::Tensor::from_bytes(R"({"max_tokens": 5})"));
  ctx->compute();
  auto expected = direct(url() + "/chat/completions",
                         {{"model", "smollm2"}, {"messages", {{{"role", "user"}, {"content", kQuestion}}}},
                          {"max_tokens", 5}, {"temperature", 0}});
  EXPECT_EQ(ctx->get_output("response").as_string(), expected["choices"][0]["message"]["content"].get<std::string>());
  auto meta = metadata_of(*ctx);
  EXPECT_EQ(meta["output_tokens"], expected["usage"]["completion_tokens"]);
  EXPECT_LE(meta["output_tokens"].get<int>(), 5);
  EXPECT_EQ(meta["input_tokens"], expected["usage"]["prompt_tokens"]);
  EXPECT_EQ(meta["stop_reason"], "max_length");
  EXPECT_EQ(meta["provider"], "remote");
}

TEST_F(RemoteEngine, AStreamIsTheSameAnswerPieceByPiece) {
  auto graph = load(R"({"max_tokens": 12})");
  auto whole = graph->init_execution_context();
  whole->set_input("prompt", nn::Tensor::from_bytes(kQuestion));
  whole->compute();
  auto ctx = graph->init_execution_context();
  ctx->set_input("prompt", nn::Tensor::from_bytes(kQuestion));
  std::string streamed;
  size_t pieces = 0;
  for (;;) {
    try {
      ctx->compute_single();
    } catch (const nn::Error& e) {
      ASSERT_EQ(e.code(), ErrorCode::end_of_sequence) << e.what();
      break;
    }
    streamed += ctx->get_output_single("response").as_string();
    ++pieces;
  }
  ctx->fini_single();
  EXPECT_EQ(streamed, whole->get_output("response").as_string());
  EXPECT_GT(pieces, 1u);
  EXPECT_EQ(metadata_of(*ctx)["output_tokens"], metadata_of(*whole)["output_tokens"]);
}

TEST_F(RemoteEngine, AnIndexAddressedPromptGoesRawToCompletions) {
  auto ctx = load()->init_execution_context();
  const char* prompt = "1, 2, 3, 4,";
  ctx->set_input(0u, nn::Tensor::from_bytes(prompt));
  ctx->set_input(1u, nn::Tensor::from_bytes(R"({"n-predict": 6})"));
  ctx->compute();
  auto expected = direct(url() + "/completions",
                         {{"model", "smollm2"}, {"prompt", prompt}, {"max_tokens", 6}, {"temperature", 0}});
  EXPECT_EQ(ctx->get_output(0u).as_string(), expected["choices"][0]["text"].get<std::string>());
  EXPECT_EQ(metadata_of(*ctx)["input_tokens"], expected["usage"]["prompt_tokens"]);
}

TEST_F(RemoteEngine, AJsonSchemaGivesJsonTheSchemaAccepts) {
  json schema = {{"type", "object"},
                 {"properties", {{"capital", {{"type", "string"}}}}},
                 {"required", {"capital"}},
                 {"additionalProperties", false}};
  auto ctx = load()->init_execution_context();
  ctx->set_input("prompt", nn::Tensor::from_bytes("What is the capital of France? Answer in JSON."));
  ctx->set_input("options", nn::Tensor::from_bytes(json{{"json-schema", schema}, {"max_tokens", 48}}.dump()));
  ctx->compute();
  auto answer = json::parse(ctx->get_output("response").as_string(), nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(answer.is_object()) << ctx->get_output("response").as_string();
  ASSERT_EQ(answer.size(), 1u) << answer;
  EXPECT_TRUE(answer["capital"].is_string()) << answer;
}

TEST_F(RemoteEngine, MessagesGoAsTheyAre) {
  json messages = {{{"role", "system"}, {"content", "Answer in French."}}, {{"role", "user"}, {"content", "Hello!"}}};
  auto ctx = load(R"({"max_tokens": 8})")->init_execution_context();
  ctx->set_input("messages", nn::Tensor::from_bytes(messages.dump()));
  ctx->compute();
  auto expected = direct(url() + "/chat/completions",
                         {{"model", "smollm2"}, {"messages", messages}, {"max_tokens", 8}, {"temperature", 0}});
  EXPECT_EQ(ctx->get_output("response").as_string(), expected["choices"][0]["message"]["content"].get<std::string>());
}

TEST_F(RemoteEngine, OneClientReusesItsConnection) {
  HttpClient client;
  auto request = make_request(RemoteModel::from_location(url()), {}, "/models", "");
  auto first = get(client, request);
  EXPECT_EQ(client.new_connections(), 1);
  EXPECT_EQ(model_ids(get(client, request), "u"), model_ids(first, "u"));
  EXPECT_EQ(client.new_connections(), 0);  // the kept connection served it
}

TEST_F(RemoteEngine, ContextsMakeRequestsInParallel) {
  auto graph = load(R"({"max_tokens": 6})");
  auto ask = [&](std::string& out) {
    auto ctx = graph->init_execution_context();
    for (int i = 0; i < 2; ++i) {  // twice on one context: the second request reuses the connection
      ctx->set_input("prompt", nn::Tensor::from_bytes(kQuestion));
      ctx->compute();
      out += std::string(ctx->get_output("response").as_string()) + "|";
    }
  };
  std::string a, b, alone;
  std::thread ta(ask, std::ref(a)), tb(ask, std::ref(b));
  ta.join();
  tb.join();
  ask(alone);
  EXPECT_EQ(a, alone);
  EXPECT_EQ(b, alone);
}

TEST_F(RemoteEngine, InputIdsAreUnsupportedSayingWhy) {
  auto ctx = load()->init_execution_context();
  auto m = expect_nn_error(ErrorCode::unsupported_operation,
                           [&] { ctx->set_input("input_ids", test::i64_tensor({1, 2}, {1, 2})); });
  EXPECT_NE(m.find("logits"), std::string::npos) << m;
  expect_nn_error(ErrorCode::unsupported_operation, [&] { ctx->set_input(0u, test::i64_tensor({1, 2}, {1, 2})); });
}

TEST_F(RemoteEngine, AModelIdTheEngineDoesNotServeIsInvalidArgument) {
  RemoteBackend backend;
  backend.add("wrong", RemoteModel::from_location(url() + "#no-such-model"));
  auto m = expect_nn_error(ErrorCode::invalid_argument, [&] { backend.load_by_name("wrong", ""); });
  EXPECT_NE(m.find("no-such-model"), std::string::npos) << m;
  EXPECT_NE(m.find("smollm2"), std::string::npos) << m;  // what the engine does serve
}

TEST_F(RemoteEngine, ACancellationStopsAStreamBetweenPieces) {
  auto ctx = load(R"({"max_tokens": 200})")->init_execution_context();
  ctx->set_input(0u, nn::Tensor::from_bytes("1, 2, 3, 4, 5, 6, 7, 8, 9, 10,"));
  nn::Cancellation cancellation;
  nn::CancellationScope scope(&cancellation);
  ctx->compute_single();
  cancellation.cancel("deadline of 1s", ErrorCode::timeout);
  auto m = expect_nn_error(ErrorCode::timeout, [&] { ctx->compute_single(); });
  EXPECT_EQ(m, "deadline of 1s");
  // The context still works after a cancelled request.
  nn::CancellationScope none(nullptr);
  ctx->set_input(1u, nn::Tensor::from_bytes(R"({"max_tokens": 3})"));
  ctx->compute();
  EXPECT_LE(metadata_of(*ctx)["output_tokens"].get<int>(), 3);
}

}  // namespace
}  // namespace wasinn::remote
