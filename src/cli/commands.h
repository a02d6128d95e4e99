// The subcommands of `wasinn`; each registers its flags on the app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace wasinn::cli {

// Returns the action to run if the subcommand was chosen (its exit status).
using Action = std::function<int()>;

Action add_run_command(CLI::App& app);
Action add_models_command(CLI::App& app);
Action add_generate_command(CLI::App& app);
Action add_convert_command(CLI::App& app);  // gguf-import

}  // namespace wasinn::cli
