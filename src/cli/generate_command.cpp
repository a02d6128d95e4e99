// `wasinn generate --model DIR PROMPT`: native generation, streamed, with a one-line summary on
// stderr. Useful to check a model directory before any guest is involved.
#include <chrono>
#include <iomanip>
#include <iostream>

#include "cli/commands.h"
#include "wasinn/genai/backend.h"
#include "wasinn/genai/generation_session.h"

namespace wasinn::cli {
namespace {

struct GenerateFlags {
  std::string model_dir;
  std::string prompt;
  int max_length = 512;
  int max_tokens = -1;
  bool raw = false;
};

int generate(const GenerateFlags& f) {
  using clock = std::chrono::steady_clock;
  genai::ModelRegistry registry;
  registry.add("model", f.model_dir);
  auto options = genai::BackendOptions::from_environment();
  options.max_length = f.max_length;
  genai::GenAIBackend backend(std::move(registry), options);

  auto t0 = clock::now();
  auto model = backend.open("model");
  auto load_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();

  genai::RequestOptions request;
  request.chat_template = !f.raw;
  if (f.max_tokens >= 0) request.max_new_tokens = f.max_tokens;
  auto session = genai::GenerationSession::from_prompt(model, f.prompt, genai::resolve(options, request));
  while (auto piece = session.next_piece()) std::cout << *piece << std::flush;
  std::cout << "\n";
  const auto& m = session.metadata();
  std::cerr << "[wasinn] load " << static_cast<long>(load_ms) << " ms, prompt " << m.input_tokens
            << " tokens, generated " << m.output_tokens << " tokens (" << genai::to_string(m.stop_reason)
            << "), first token " << static_cast<long>(m.time_to_first_token_ms) << " ms, " << std::fixed
            << std::setprecision(1) << m.decode_tokens_per_second << " tokens/s on " << m.provider << "\n";
  return 0;
}

}  // namespace

Action add_generate_command(CLI::App& app) {
  auto f = std::make_shared<GenerateFlags>();
  auto* cmd = app.add_subcommand("generate", "Generate text natively from a GenAI model directory");
  cmd->add_option("--model", f->model_dir, "GenAI model directory (holds genai_config.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--max-length", f->max_length, "Cap on prompt + response tokens")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--max-tokens", f->max_tokens, "Cap on generated tokens")->check(CLI::Range(0, 1 << 20));
  cmd->add_flag("--raw", f->raw, "Send the prompt as is, without the model's chat template");
  cmd->add_option("prompt", f->prompt, "The prompt")->required();
  return [cmd, f] { return cmd->parsed() ? generate(*f) : -1; };
}

}  // namespace wasinn::cli
