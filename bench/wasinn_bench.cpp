// Benchmarks of the GenAI backend against native GenAI, measured in the same run:
//   1. prompt -> response tokens/s through the backend vs a direct GenAI C API loop doing the
//      same work (same prompt, greedy, same length, streamed detokenisation);
//   2. a guest-style greedy decode loop over input_ids -> logits, 128 and 256 tokens,
//      stateless (the reference: the whole sequence every call) vs incremental.
// Runs alternate between the two sides of each comparison and report medians.
//
//   wasinn-bench --model DIR [--decode-model DIR] [--new-tokens N] [--reps N]
#include <algorithm>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include "genai/loaded_model.h"
#include "genai/oga.h"
#include "wasinn/genai/backend.h"

namespace {

using namespace wasinn;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

const char* kPrompt =
    "The history of the printing press begins in the fifteenth century, when a goldsmith in Mainz";

struct Result {
  size_t tokens = 0;
  double seconds = 0;
};

// The baseline: what an application would write against GenAI's C API directly.
Result direct_genai(const oga::Model& model, const oga::Tokenizer& tokenizer, int new_tokens) {
  auto t0 = clock_type::now();
  auto ids = tokenizer.encode(kPrompt);
  oga::GeneratorParams params(model);
  params.set_search("max_length", static_cast<double>(ids.size() + static_cast<size_t>(new_tokens)));
  params.set_search("do_sample", false);
  oga::Generator generator(model, params);
  oga::TokenizerStream stream(tokenizer);
  generator.append_tokens(ids);
  std::string text;
  size_t produced = 0;
  while (!generator.is_done()) {
    generator.generate_next_token();
    text += stream.decode(generator.next_token());
    ++produced;
  }
  return {produced, seconds_since(t0)};
}

Result through_backend(nn::Graph& graph) {
  auto t0 = clock_type::now();
  auto ctx = graph.init_execution_context();
  ctx->set_input(0u, nn::Tensor::from_bytes(kPrompt));
  ctx->compute();
  auto metadata = nlohmann::json::parse(ctx->get_output(1u).as_string());
  return {metadata["output_tokens"].get<size_t>(), seconds_since(t0)};
}

// A guest driving its own greedy decode: ids in, logits out, argmax of the last position.
std::pair<double, std::vector<int64_t>> decode_loop(nn::Graph& graph, int steps) {
  auto ctx = graph.init_execution_context();
  std::vector<int64_t> ids = {1, 450, 4955, 310, 278, 14832, 3965, 16410};
  auto t0 = clock_type::now();
  for (int i = 0; i < steps; ++i) {
    ctx->set_input("input_ids", nn::Tensor::from_values<int64_t>(nn::TensorType::i64,
                                                                 {1, static_cast<uint32_t>(ids.size())}, ids));
    ctx->compute();
    auto logits = ctx->get_output("logits");
    size_t vocab = logits.dims[2];
    const float* last = reinterpret_cast<const float*>(logits.data.data()) + (logits.dims[1] - 1) * vocab;
    ids.push_back(std::max_element(last, last + vocab) - last);
  }
  return {seconds_since(t0), ids};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wasinn-bench: the GenAI backend against native GenAI"};
  std::string model_dir, decode_model_dir;
  int new_tokens = 64, reps = 5;
  app.add_option("--model", model_dir, "GenAI model for prompt -> response")->required()->check(CLI::ExistingDirectory);
  app.add_option("--decode-model", decode_model_dir, "model for the logits decode loop (default: --model)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--new-tokens", new_tokens, "tokens to generate per prompt")->check(CLI::Range(1, 4096));
  app.add_option("--reps", reps, "repetitions (medians are reported)")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  if (decode_model_dir.empty()) decode_model_dir = model_dir;
  oga::verify_symbols();
  {
    genai::ModelRegistry registry;
    registry.add("bench", model_dir);
    registry.add("decode", decode_model_dir);
    genai::BackendOptions options;
    options.max_length = 4096;
    auto backend = std::make_shared<genai::GenAIBackend>(std::move(registry), options);

    // 1. prompt -> response
    // Both sides run on the one loaded model, so the comparison is of code paths, not of where
    // two copies of the weights happen to sit in memory.
    auto loaded = backend->open("bench");
    const oga::Model& model = loaded->model();
    oga::Tokenizer tokenizer(model);
    auto graph = backend->load_by_name("bench", nlohmann::json{{"max_tokens", new_tokens}}.dump());
    direct_genai(model, tokenizer, new_tokens);  // warm-up both sides
    through_backend(*graph);
    std::vector<double> direct_rate, backend_rate;
    size_t direct_tokens = 0, backend_tokens = 0;
    for (int r = 0; r < reps; ++r) {
      // Alternate which side goes first, so neither always runs on a warmer cache.
      Result d, b;
      if (r % 2 == 0) {
        d = direct_genai(model, tokenizer, new_tokens);
        b = through_backend(*graph);
      } else {
        b = through_backend(*graph);
        d = direct_genai(model, tokenizer, new_tokens);
      }
      direct_rate.push_back(static_cast<double>(d.tokens) / d.seconds);
      backend_rate.push_back(static_cast<double>(b.tokens) / b.seconds);
      direct_tokens = d.tokens;
      backend_tokens = b.tokens;
    }
    double d = median(direct_rate), b = median(backend_rate);
    std::cout << std::fixed << std::setprecision(2) << "prompt -> response (" << model_dir << ", " << new_tokens
              << " new tokens, median of " << reps << ", prefill included)\n"
              << "  direct GenAI C API loop  " << std::setw(9) << d << " tokens/s (" << direct_tokens << " tokens)\n"
              << "  wasinn GenAI backend     " << std::setw(9) << b << " tokens/s (" << backend_tokens << " tokens)\n"
              << "  backend / direct         " << std::setw(9) << std::setprecision(4) << b / d
              << "   (overhead " << std::setprecision(2) << (d / b - 1.0) * 100.0 << "%)\n";

    // 2. guest-style decode over logits
    auto stateless = backend->load_by_name("decode", "");
    auto incremental = backend->load_by_name("decode", R"({"incremental_logits": true})");
    std::cout << "guest-style greedy decode over input_ids -> logits (" << decode_model_dir << ", median of "
              << reps << ")\n";
    for (int steps : {128, 256}) {
      std::vector<double> s_times, i_times;
      bool same = true;
      for (int r = 0; r < reps; ++r) {
        auto [s_time, s_ids] = decode_loop(*stateless, steps);
        auto [i_time, i_ids] = decode_loop(*incremental, steps);
        same = same && s_ids == i_ids;
        s_times.push_back(s_time);
        i_times.push_back(i_time);
      }
      double st = median(s_times), it = median(i_times);
      std::cout << std::setprecision(1) << "  " << steps << " tokens: stateless " << st * 1000 << " ms ("
                << steps / st << " tokens/s), incremental " << it * 1000 << " ms (" << steps / it
                << " tokens/s), speed-up " << std::setprecision(2) << st / it << "x"
                << (same ? "" : "  WARNING: the two modes chose different tokens") << "\n";
    }
  }
  OgaShutdown();
  return 0;
}
