// The cost of the wasm boundary, measured against native calls in the same run:
//   1. prompt -> response tokens/s from a guest (core module and component chat guests, run by
//      the same host code as `wasinn run`) over tokens/s of the native backend, same model,
//      prompt and options (the model stays loaded across runs, as in a long-lived host). The
//      guests time their request (inputs in to response out) with the WASI clock, the native
//      side the same span; whole guest runs, instantiation included, are reported too;
//   2. the time of one `compute` on a tiny ONNX model through each ABI vs a native compute:
//      guests run N computes in a loop, and the per-compute time is the difference between a
//      run with N + 1 computes and a run with 1, over N (so start-up cancels out).
//
//   wasinn-abi-bench --model DIR --onnx-dir DIR --guests DIR [--new-tokens N] [--reps N] [--computes N]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host/wasm_runner.h"
#include "wasinn/genai/backend.h"
#include "wasinn/onnx/onnx_backend.h"
#include "wasinn/runtime_versions.h"

namespace {

using namespace wasinn;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

const char* kPrompt = "The history of the printing press begins in the fifteenth century, when a goldsmith in Mainz";

double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct GuestRun {
  double seconds;
  std::string out, err;
};

GuestRun run_guest(const fs::path& wasm, std::vector<std::string> args, std::shared_ptr<const nn::Backends> backends,
                   std::vector<std::pair<std::string, std::string>> env = {}, std::vector<host::DirMapping> dirs = {}) {
  fs::path out = fs::temp_directory_path() / "wasinn-abi-bench.out", err = fs::temp_directory_path() / "wasinn-abi-bench.err";
  host::RunOptions o;
  o.wasm_path = wasm.string();
  o.args = std::move(args);
  o.env = std::move(env);
  o.dirs = std::move(dirs);
  o.stdout_path = out.string();
  o.stderr_path = err.string();
  auto t0 = clock_type::now();
  int status = host::run(o, std::move(backends));
  double s = seconds_since(t0);
  GuestRun r{s, slurp(out), slurp(err)};
  if (status != 0) throw std::runtime_error(wasm.string() + " exited " + std::to_string(status) + ": " + r.err);
  return r;
}

// The rest of the line after `key` in the guest's stderr.
std::string line_after(const std::string& guest_stderr, const std::string& key) {
  auto at = guest_stderr.find(key);
  if (at == std::string::npos) throw std::runtime_error("guest printed no '" + key + "': " + guest_stderr);
  at += key.size();
  return guest_stderr.substr(at, guest_stderr.find('\n', at) - at);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wasinn-abi-bench: the wasm boundary's cost against native calls"};
  std::string model_dir, onnx_dir, guest_dir;
  int new_tokens = 64, reps = 5, computes = 20000;
  app.add_option("--model", model_dir, "GenAI model for prompt -> response")->required()->check(CLI::ExistingDirectory);
  app.add_option("--onnx-dir", onnx_dir, "directory holding classifier.onnx")->required()->check(CLI::ExistingDirectory);
  app.add_option("--guests", guest_dir, "directory of the built guests")->required()->check(CLI::ExistingDirectory);
  app.add_option("--new-tokens", new_tokens, "tokens to generate per prompt")->check(CLI::Range(1, 4096));
  app.add_option("--reps", reps, "repetitions (medians are reported)")->check(CLI::Range(1, 1000));
  app.add_option("--computes", computes, "ONNX computes per guest run")->check(CLI::Range(1, 1000000));
  CLI11_PARSE(app, argc, argv);
  try {
    verify_runtime();
    genai::ModelRegistry registry;
    registry.add("default", model_dir);
    genai::BackendOptions options;
    options.max_length = 4096;
    auto genai_backend = std::make_shared<genai::GenAIBackend>(std::move(registry), options);
    auto backends = std::make_shared<nn::Backends>();
    backends->set_name_loader(genai_backend);
    auto onnx_backend = std::make_shared<onnx::OnnxBackend>();
    backends->add_byte_loader(nn::GraphEncoding::onnx, onnx_backend);
    auto keep_loaded = genai_backend->open("default");

    // 1. prompt -> response
    std::string request = nlohmann::json{{"max_tokens", new_tokens}, {"chat_template", false}}.dump();
    auto graph = backends->load_by_name("default", request);
    struct Rate {
      double request, whole_run;  // tokens/s over the request, and over the whole guest run
    };
    auto native = [&] {
      auto ctx = graph->init_execution_context();
      auto t0 = clock_type::now();
      ctx->set_input(0u, nn::Tensor::from_bytes(kPrompt));
      ctx->set_input(1u, nn::Tensor::from_bytes(request));
      ctx->compute();
      ctx->get_output(0u);
      double seconds = seconds_since(t0);
      auto tokens = nlohmann::json::parse(ctx->get_output(1u).as_string())["output_tokens"].get<double>();
      return Rate{tokens / seconds, tokens / seconds};
    };
    auto guest = [&](const char* wasm) {
      auto r = run_guest(fs::path(guest_dir) / wasm, {"default", kPrompt, request}, backends);
      auto tokens = nlohmann::json::parse(line_after(r.err, "metadata: "))["output_tokens"].get<double>();
      double request_s = std::stod(line_after(r.err, "request_ms: ")) / 1e3;
      return Rate{tokens / request_s, tokens / r.seconds};
    };
    native();  // warm-up, and wasmtime's compilation cache for both guests
    guest("chat.wasm");
    guest("chat_component.component.wasm");
    std::vector<double> n_rate, core_rate, comp_rate, core_run, comp_run;
    for (int r = 0; r < reps; ++r) {
      n_rate.push_back(native().request);
      auto c = guest("chat.wasm");
      auto p = guest("chat_component.component.wasm");
      core_rate.push_back(c.request);
      core_run.push_back(c.whole_run);
      comp_rate.push_back(p.request);
      comp_run.push_back(p.whole_run);
    }
    double n = median(n_rate), c = median(core_rate), p = median(comp_rate);
    std::cout << std::fixed << std::setprecision(2) << "prompt -> response (" << model_dir << ", " << new_tokens
              << " new tokens, median of " << reps << ")\n"
              << "  native backend           " << std::setw(8) << n << " tokens/s\n"
              << "  core-module guest        " << std::setw(8) << c << " tokens/s   guest / native "
              << std::setprecision(4) << c / n << std::setprecision(2) << "   (whole run with instantiation "
              << median(core_run) << " tokens/s)\n"
              << "  component guest          " << std::setw(8) << p << " tokens/s   guest / native "
              << std::setprecision(4) << p / n << std::setprecision(2) << "   (whole run with instantiation "
              << median(comp_run) << " tokens/s)\n";

    // 2. one compute on a tiny ONNX model
    fs::path onnx_file = fs::path(onnx_dir) / "classifier.onnx";
    std::ifstream in(onnx_file, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    std::vector<std::span<const uint8_t>> builders{bytes};
    auto onnx_graph = onnx_backend->load(builders, nn::ExecutionTarget::cpu);
    std::vector<float> x = {0.1f, 0.2f, 0.3f, 0.4f};
    auto native_compute_us = [&] {
      auto ctx = onnx_graph->init_execution_context();
      auto t0 = clock_type::now();
      for (int i = 0; i < computes; ++i) {
        ctx->set_input("input", nn::Tensor::from_values<float>(nn::TensorType::f32, {1, 4}, x));
        ctx->compute();
        ctx->get_output(0u);
      }
      return seconds_since(t0) * 1e6 / computes;
    };
    auto guest_compute_us = [&](const char* wasm) {
      std::vector<std::string> args = {"/models/classifier.onnx", "0.1", "0.2", "0.3", "0.4"};
      std::vector<host::DirMapping> dirs = {{onnx_dir, "/models"}};
      auto once = run_guest(fs::path(guest_dir) / wasm, args, backends, {{"REPEAT", "1"}}, dirs);
      auto many = run_guest(fs::path(guest_dir) / wasm, args, backends, {{"REPEAT", std::to_string(computes + 1)}}, dirs);
      return (many.seconds - once.seconds) * 1e6 / computes;
    };
    std::vector<double> n_us, core_us, comp_us;
    for (int r = 0; r < reps; ++r) {
      n_us.push_back(native_compute_us());
      core_us.push_back(guest_compute_us("classify.wasm"));
      comp_us.push_back(guest_compute_us("classify_component.component.wasm"));
    }
    double nu = median(n_us), cu = median(core_us), pu = median(comp_us);
    std::cout << std::setprecision(2) << "one compute on classifier.onnx (set input, compute, read output; median of "
              << reps << ", " << computes << " computes per run)\n"
              << "  native                   " << std::setw(8) << nu << " us\n"
              << "  core-module ABI          " << std::setw(8) << cu << " us   boundary +" << cu - nu << " us\n"
              << "  component ABI            " << std::setw(8) << pu << " us   boundary +" << pu - nu << " us\n";
  } catch (const std::exception& e) {
    std::cerr << "wasinn-abi-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
