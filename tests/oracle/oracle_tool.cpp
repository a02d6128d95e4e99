// Oracle helper: runs one request through our C++ code and prints what check_*.py compare with
// the GenAI Python API and ONNX Runtime's own session.
//
//   oracle-tool oga     MODEL_DIR MAX_LENGTH chat|raw PROMPT   greedy tokens via the oga layer
//   oracle-tool backend MODEL_DIR MAX_NEW    chat|raw PROMPT   greedy text via the GenAI backend
//   oracle-tool logits  MODEL_DIR OUT_FILE stateless|incremental ID...
//        logits for every position, as raw f32, via input_ids (incremental: one id per call)
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "genai/oga.h"
#include "wasinn/genai/backend.h"

namespace {

using namespace wasinn;

std::string chat_or_raw(const oga::Tokenizer& tokenizer, const std::string& mode, const std::string& prompt) {
  if (mode != "chat") return prompt;
  return tokenizer.apply_chat_template(nlohmann::json::array({{{"role", "user"}, {"content", prompt}}}).dump(), true);
}

int run_oga(char** argv) {
  oga::Config config(argv[2]);
  oga::Model model(config);
  oga::Tokenizer tokenizer(model);
  auto input = tokenizer.encode(chat_or_raw(tokenizer, argv[4], argv[5]));
  oga::GeneratorParams params(model);
  params.set_search("max_length", std::atof(argv[3]));
  params.set_search("do_sample", false);
  oga::Generator generator(model, params);
  generator.append_tokens(input);
  while (!generator.is_done()) generator.generate_next_token();
  auto seq = generator.sequence();
  std::vector<int32_t> output(seq.begin() + static_cast<std::ptrdiff_t>(input.size()), seq.end());
  std::cout << nlohmann::json{{"input", input}, {"output", output}, {"text", tokenizer.decode(output)}}.dump() << "\n";
  return 0;
}

std::shared_ptr<genai::GenAIBackend> backend_for(const char* dir) {
  genai::ModelRegistry registry;
  registry.add("model", dir);
  return std::make_shared<genai::GenAIBackend>(std::move(registry), genai::BackendOptions{});
}

int run_backend(char** argv) {
  auto options = nlohmann::json{{"max_tokens", std::atoi(argv[3])}, {"chat_template", std::string(argv[4]) == "chat"}};
  auto ctx = backend_for(argv[2])->load_by_name("model", options.dump())->init_execution_context();
  ctx->set_input("prompt", nn::Tensor::from_bytes(argv[5]));
  ctx->compute();
  auto metadata = nlohmann::json::parse(ctx->get_output("metadata").as_string());
  metadata["text"] = ctx->get_output("response").as_string();
  std::cout << metadata.dump() << "\n";
  return 0;
}

int run_logits(int argc, char** argv) {
  bool incremental = std::string(argv[4]) == "incremental";
  std::vector<int64_t> ids;
  for (int i = 5; i < argc; ++i) ids.push_back(std::atoll(argv[i]));
  auto config = nlohmann::json{{"incremental_logits", incremental}};
  auto ctx = backend_for(argv[2])->load_by_name("model", config.dump())->init_execution_context();
  std::ofstream out(argv[3], std::ios::binary);
  auto write = [&](const std::vector<int64_t>& prefix) {
    ctx->set_input("input_ids",
                   nn::Tensor::from_values<int64_t>(nn::TensorType::i64, {1, static_cast<uint32_t>(prefix.size())}, prefix));
    ctx->compute();
    auto logits = ctx->get_output("logits");
    out.write(reinterpret_cast<const char*>(logits.data.data()), static_cast<std::streamsize>(logits.data.size()));
  };
  if (!incremental) {
    write(ids);
  } else {  // a guest's decode loop: the first id, then one more per call
    for (size_t n = 1; n <= ids.size(); ++n) write({ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n)});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "oga" || mode == "backend") && argc == 6) && !(mode == "logits" && argc >= 6)) {
    std::cerr << "usage: see the comment at the top of oracle_tool.cpp\n";
    return 2;
  }
  oga::verify_symbols();
  int status = mode == "oga" ? run_oga(argv) : mode == "backend" ? run_backend(argv) : run_logits(argc, argv);
  OgaShutdown();
  return status;
}
