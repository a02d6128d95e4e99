// Runs the converter as a child process (fork + exec, no shell) and reads its output as the
// host contract defines it: `progress: ` lines, one `error: ` line with exit status 2 for a bad
// input, any other failure an internal error.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wasinn::gguf {

struct ProcessResult {
  int exit_status = -1;   // the exit status, or -1 when a signal ended it
  int signal = 0;         // the signal that ended it, or 0
  std::string error_line; // the first line starting with "error: ", without that prefix
  std::string first_line; // the first line that is neither progress nor error (`--version`)
  std::string tail;       // the last lines of output, for internal errors
};

// Runs `argv` (argv[0] an absolute path) with stdout and stderr read line by line; each
// `progress: ` line goes to `on_progress`. The child dies with the host (PR_SET_PDEATHSIG).
// nn::Error(runtime_error) when it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::function<void(std::string_view)>& on_progress);

}  // namespace wasinn::gguf
