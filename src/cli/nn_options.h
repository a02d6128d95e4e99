// The model and execution-provider flags `wasinn run` and `wasinn models` share, and the nn
// backends they configure.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasinn/genai/backend.h"
#include "wasinn/gguf/importer.h"
#include "wasinn/nn/host.h"
#include "wasinn/remote/backend.h"

namespace wasinn::cli {

struct NnOptions {
  std::vector<std::string> model_roots;  // --models (in addition to WASINN_MODELS / WACS_WASINN_GENAI_DIR)
  std::vector<std::string> preloads;     // --nn-preload NAME:ENCODING:TARGET:PATH
  std::optional<std::string> ep;         // --ep
  bool strict_ep = false;                // --strict-ep

  void add_flags(CLI::App& command);

  struct Configured {
    std::shared_ptr<genai::GenAIBackend> genai;
    std::shared_ptr<remote::RemoteBackend> remote;  // remote-backend: names pointed at an engine
    std::shared_ptr<nn::Backends> backends;
    std::shared_ptr<const gguf::Importer> gguf;  // converts GGUF-backed models on first use
  };
  // The GenAI backend (load-by-name) and the ONNX backend (load from bytes). Throws
  // std::invalid_argument with a message for the user on a bad flag or missing directory.
  Configured configure() const;
};

}  // namespace wasinn::cli
