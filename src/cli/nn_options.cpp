#include "cli/nn_options.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "wasinn/nn/name_dispatch.h"
#include "wasinn/onnx/onnx_backend.h"

namespace wasinn::cli {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// WasmEdge's --nn-preload NAME:ENCODING:TARGET:PATH. The encoding must name a format this host
// loads by name: GenAI (also ONNX, ORT-GenAI, GGML, AUTO so WasmEdge's instructions carry over).
// The target is accepted for compatibility; the provider comes from --ep / WASINN_EP.
void add_preload(genai::ModelRegistry& registry, remote::RemoteBackend& remote, const std::string& spec) {
  auto first = spec.find(':');
  auto second = first == std::string::npos ? first : spec.find(':', first + 1);
  auto third = second == std::string::npos ? second : spec.find(':', second + 1);
  if (third == std::string::npos)
    throw std::invalid_argument("--nn-preload '" + spec + "': expected NAME:ENCODING:TARGET:PATH");
  std::string name = spec.substr(0, first);
  std::string encoding = lower(spec.substr(first + 1, second - first - 1));
  std::string target = lower(spec.substr(second + 1, third - second - 1));
  std::string path = spec.substr(third + 1);
  // remote-backend: NAME:OpenAI:TARGET:URL[#MODEL] points NAME at an OpenAI-compatible engine.
  if (encoding == "openai") {
    if (target != "auto" && target != "cpu" && target != "gpu")
      throw std::invalid_argument("--nn-preload '" + spec + "': target must be AUTO, CPU or GPU (the engine decides where it runs)");
    try {
      remote.add(name, remote::RemoteModel::from_location(path));
    } catch (const nn::Error& e) {
      throw std::invalid_argument("--nn-preload '" + spec + "': " + e.what());
    }
    return;
  }
  static const std::vector<std::string> kEncodings = {"genai", "onnx-genai", "ort-genai", "onnx", "ggml", "auto", "autodetect"};
  if (std::find(kEncodings.begin(), kEncodings.end(), encoding) == kEncodings.end())
    throw std::invalid_argument("--nn-preload '" + spec + "': encoding '" + encoding +
                                "' is not served by name here (use GenAI, or OpenAI for an engine's URL)");
  static const std::vector<std::string> kTargets = {"cpu", "gpu", "tpu", "auto"};
  if (std::find(kTargets.begin(), kTargets.end(), target) == kTargets.end())
    throw std::invalid_argument("--nn-preload '" + spec + "': target must be CPU, GPU, TPU or AUTO");
  std::error_code ec;
  if (gguf::is_gguf_path(path) && !std::filesystem::is_directory(path, ec)) {
    // gguf-import: converted on first load, so a bad file fails only the load that names it.
    if (!std::filesystem::is_regular_file(path, ec))
      throw std::invalid_argument("--nn-preload '" + spec + "': GGUF file " + path + " does not exist");
  } else if (!std::filesystem::is_directory(path, ec))
    throw std::invalid_argument("--nn-preload '" + spec + "': model directory " + path + " does not exist");
  else if (!std::filesystem::is_regular_file(std::filesystem::path(path) / "genai_config.json", ec))
    throw std::invalid_argument("--nn-preload '" + spec + "': " + path +
                                " is not a GenAI model directory (no genai_config.json)");
  try {
    registry.add(name, path);
  } catch (const nn::Error& e) {
    throw std::invalid_argument("--nn-preload '" + spec + "': " + e.what());
  }
}

}  // namespace

void NnOptions::add_flags(CLI::App& command) {
  command.add_option("--models", model_roots, "Directory of GenAI models, one per subdirectory or NAME.gguf file (repeatable)")
      ->check(CLI::ExistingDirectory)
      ->allow_extra_args(false);
  command.add_option("--nn-preload", preloads, "Register a model: NAME:ENCODING:TARGET:PATH (WasmEdge's format)")
      ->allow_extra_args(false);
  command.add_option("--ep", ep, "Execution provider: auto, cpu, cuda, dml, coreml, rocm");
  command.add_flag("--strict-ep", strict_ep, "Fail instead of falling back to CPU when the provider cannot attach");
}

NnOptions::Configured NnOptions::configure() const {
  auto registry = genai::ModelRegistry::from_environment();
  for (const auto& root : model_roots) registry.add_root(root);
  auto remote = std::make_shared<remote::RemoteBackend>();
  for (const auto& spec : preloads) add_preload(registry, *remote, spec);
  for (const auto& root : registry.roots()) remote->add_root(root);  // directories holding remote.json
  auto importer = std::make_shared<const gguf::Importer>(gguf::Importer::options_from_environment());
  // The guest sees a wasi-nn error number; the user also gets the converter's reason, one line.
  registry.set_gguf_converter([importer](const std::filesystem::path& file) {
    try {
      return importer->converted(file);
    } catch (const std::exception& e) {
      std::cerr << "wasinn: error: " << e.what() << "\n";
      throw;
    }
  });
  auto options = genai::BackendOptions::from_environment();
  if (ep) options.provider = genai::parse_execution_provider(*ep);
  if (strict_ep) options.strict_provider = true;

  Configured c;
  c.genai = std::make_shared<genai::GenAIBackend>(std::move(registry), options);
  c.backends = std::make_shared<nn::Backends>();
  // remote-backend: names pointed at an engine go to the remote backend, the rest to GenAI.
  c.remote = remote;
  auto names = std::make_shared<nn::NameDispatch>(c.genai);
  names->route([remote](std::string_view name) { return remote->serves(name); }, remote);
  c.backends->set_name_loader(names);
  c.backends->add_byte_loader(nn::GraphEncoding::onnx, std::make_shared<onnx::OnnxBackend>());
  c.gguf = importer;
  return c;
}

}  // namespace wasinn::cli
