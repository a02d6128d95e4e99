// Oracle helper: greedy-decodes one prompt through our C++ GenAI layer and prints the result as
// JSON ({"input": [...], "output": [...], "text": "..."}) for check_greedy.py to compare with
// the GenAI Python API.
//   greedy-tokens MODEL_DIR MAX_LENGTH chat|raw PROMPT
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "genai/oga.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: greedy-tokens MODEL_DIR MAX_LENGTH chat|raw PROMPT\n";
    return 2;
  }
  using namespace wasinn;
  oga::verify_symbols();
  int exit_code = 0;
  {
    oga::Config config(argv[1]);
    oga::Model model(config);
    oga::Tokenizer tokenizer(model);
    std::string prompt = argv[4];
    if (std::string(argv[3]) == "chat")
      prompt = tokenizer.apply_chat_template(
          nlohmann::json::array({{{"role", "user"}, {"content", prompt}}}).dump(), true);
    auto input = tokenizer.encode(prompt);
    oga::GeneratorParams params(model);
    params.set_search("max_length", std::atof(argv[2]));
    params.set_search("do_sample", false);
    oga::Generator generator(model, params);
    generator.append_tokens(input);
    while (!generator.is_done()) generator.generate_next_token();
    auto seq = generator.sequence();
    std::vector<int32_t> output(seq.begin() + static_cast<std::ptrdiff_t>(input.size()), seq.end());
    std::cout << nlohmann::json{{"input", input}, {"output", output}, {"text", tokenizer.decode(output)}}.dump()
              << "\n";
  }
  OgaShutdown();
  return exit_code;
}
