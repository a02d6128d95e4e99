// `wasinn models`: what a guest can load by name, and how each model loads here.
#include <iomanip>
#include <iostream>

#include "cli/commands.h"
#include "cli/nn_options.h"

namespace wasinn::cli {

Action add_models_command(CLI::App& app) {
  auto flags = std::make_shared<NnOptions>();
  auto* cmd = app.add_subcommand("models", "List the models guests can load by name (loads each to report it)");
  flags->add_flags(*cmd);
  return [cmd, flags] {
    if (!cmd->parsed()) return -1;
    auto configured = flags->configure();
    auto models = configured.genai->registry().list();
    auto remote_models = configured.remote->list();  // remote-backend
    if (models.empty() && remote_models.empty()) {
      std::cout << "no models: pass --models DIR or --nn-preload, or set WASINN_MODELS\n";
      return 0;
    }
    std::cout << std::left << std::setw(20) << "NAME" << std::setw(10) << "TYPE" << std::setw(9) << "CONTEXT"
              << std::setw(10) << "PROVIDER" << "DIRECTORY\n";
    int status = 0;
    for (const auto& m : models) {
      std::cout << std::setw(20) << m.name;
      try {
        // gguf-import: a GGUF-backed model is reported (and loaded) only once converted, since
        // listing must not start conversions.
        if (!m.gguf.empty()) {
          auto entry = configured.gguf->cached(m.gguf);
          if (!entry) {
            std::cout << std::setw(10) << "gguf" << std::setw(9) << "-" << std::setw(10) << "-" << m.gguf.string()
                      << " (not converted yet; converts on first use)\n";
            continue;
          }
          auto model = configured.genai->open(m.name);
          const auto& info = genai::GenAIBackend::info(*model);
          std::cout << std::setw(10) << info.type << std::setw(9) << info.context_length << std::setw(10)
                    << info.provider << m.gguf.string() << " (converted: " << entry->string() << ")\n";
          continue;
        }
        auto model = configured.genai->open(m.name);
        const auto& info = genai::GenAIBackend::info(*model);
        std::cout << std::setw(10) << info.type << std::setw(9) << info.context_length << std::setw(10)
                  << info.provider << m.dir.string() << "\n";
      } catch (const std::exception& e) {
        std::cout << "error: " << e.what() << "\n";
        status = 1;
      }
    }
    // remote-backend: models on an engine, listed without contacting it (the URL instead of a
    // directory; a guest's load checks the engine).
    for (const auto& m : remote_models)
      std::cout << std::setw(20) << m.name << std::setw(10) << "remote" << std::setw(9) << "-" << std::setw(10) << "-"
                << m.model.url << (m.model.model.empty() ? "" : "#" + m.model.model) << "\n";
    return status;
  };
}

}  // namespace wasinn::cli
