#include "cli/native_generate.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "genai/oga.h"

namespace wasinn::cli {

int native_generate(const GenerateOptions& options, std::ostream& out, std::ostream& summary) {
  using clock = std::chrono::steady_clock;
  auto ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };

  auto t0 = clock::now();
  oga::Config config(options.model_dir);
  oga::Model model(config);
  oga::Tokenizer tokenizer(model);
  auto t_loaded = clock::now();

  std::string prompt = options.prompt;
  if (!options.raw) {
    nlohmann::json messages = nlohmann::json::array({{{"role", "user"}, {"content", options.prompt}}});
    try {
      prompt = tokenizer.apply_chat_template(messages.dump(), true);
    } catch (const oga::Error&) {
      // No template (or one GenAI cannot render): plain text is the only thing left to send.
    }
  }
  auto input = tokenizer.encode(prompt);

  oga::GeneratorParams params(model);
  params.set_search("max_length", static_cast<double>(options.max_length));
  oga::Generator generator(model, params);
  oga::TokenizerStream stream(tokenizer);
  generator.append_tokens(input);

  auto t_start = clock::now();
  clock::time_point t_first{};
  int generated = 0;
  while (!generator.is_done()) {
    generator.generate_next_token();
    if (generated++ == 0) t_first = clock::now();
    out << stream.decode(generator.next_token()) << std::flush;
  }
  auto t_end = clock::now();
  out << "\n";

  double decode_s = generated > 1 ? std::chrono::duration<double>(t_end - t_first).count() : 0.0;
  summary << "[wasinn] load " << static_cast<int>(ms(t_loaded - t0)) << " ms, prompt " << input.size()
          << " tokens, generated " << generated << " tokens, first token "
          << static_cast<int>(ms(t_first - t_start)) << " ms, "
          << (decode_s > 0 ? (generated - 1) / decode_s : 0.0) << " tokens/s\n";
  return 0;
}

}  // namespace wasinn::cli
