// wasinn: run WebAssembly guests whose wasi-nn calls reach ONNX Runtime GenAI and ONNX Runtime.
#include <wasmtime.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "host/wasm_runner.h"
#include "loaded_library.h"
#include "wasinn/runtime_versions.h"

namespace {

void print_versions() {
  auto v = wasinn::runtime_versions();
  // The wasmtime library this process loaded (from its note), and the headers' version if they
  // differ: the two must agree, or struct layouts may not.
  auto wasmtime = wasinn::library_of(reinterpret_cast<const void*>(&wasm_engine_new));
  std::string headers = wasmtime.version == WASMTIME_VERSION ? "" : std::string(", built with headers ") + WASMTIME_VERSION;
  std::cout << "wasinn " << v.wasinn << "\n"
            << "wasmtime " << wasmtime.version << " (" << wasmtime.path << headers << ")\n"
            << "onnxruntime " << v.onnxruntime << "\n"
            << "onnxruntime-genai " << v.genai << " (" << v.genai_library << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wasinn: a wasi-nn host serving ONNX Runtime GenAI models to WebAssembly guests", "wasinn"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("-V,--version", version, "Print the versions of wasinn, wasmtime, ONNX Runtime and GenAI");
  std::vector<wasinn::cli::Action> actions = {wasinn::cli::add_run_command(app), wasinn::cli::add_models_command(app),
                                              wasinn::cli::add_generate_command(app)};
  actions.push_back(wasinn::cli::add_convert_command(app));  // gguf-import
  CLI11_PARSE(app, argc, argv);
  try {
    wasinn::verify_runtime();
    if (version) {
      print_versions();
      return 0;
    }
    for (const auto& action : actions) {
      if (int status = action(); status >= 0) return status;
    }
    std::cout << app.help();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "wasinn: error: " << e.what() << "\n";
    return 1;
  }
}
