// The wasinn command line. For now: versions, and native generation from a GenAI model
// directory (the demo until `wasinn run` hosts guests).
#include <wasmtime.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/native_generate.h"
#include "genai/oga.h"
#include "wasinn/runtime_versions.h"

namespace {

void print_versions() {
  auto v = wasinn::runtime_versions();
  std::cout << "wasinn " << v.wasinn << "\n"
            << "wasmtime " << WASMTIME_VERSION << "\n"
            << "onnxruntime " << v.onnxruntime << "\n"
            << "onnxruntime-genai " << v.genai << " (" << v.genai_library << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wasinn: a wasi-nn host serving ONNX Runtime GenAI models to WebAssembly guests", "wasinn"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("-V,--version", version, "Print the versions of wasinn, wasmtime, ONNX Runtime and GenAI");

  wasinn::cli::GenerateOptions gen;
  auto* generate = app.add_subcommand("generate", "Generate text natively from a GenAI model directory");
  generate->add_option("--model", gen.model_dir, "GenAI model directory (holds genai_config.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  generate->add_option("--max-length", gen.max_length, "Cap on prompt + response tokens")->check(CLI::Range(1, 1 << 20));
  generate->add_flag("--raw", gen.raw, "Send the prompt as is, without the model's chat template");
  generate->add_option("prompt", gen.prompt, "The prompt")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    wasinn::oga::verify_symbols();
    if (version) {
      print_versions();
      return 0;
    }
    if (generate->parsed()) return wasinn::cli::native_generate(gen, std::cout, std::cerr);
    std::cout << app.help();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "wasinn: error: " << e.what() << "\n";
    return 1;
  }
}
