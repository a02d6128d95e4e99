#include "loaded_library.h"

#include <dlfcn.h>

#include <filesystem>
#include <fstream>

namespace wasinn {

LoadedLibrary library_of(const void* symbol) {
  LoadedLibrary lib{"?", "unknown"};
  Dl_info info{};
  if (dladdr(symbol, &info) == 0 || info.dli_fname == nullptr) return lib;
  std::error_code ec;
  auto path = std::filesystem::canonical(info.dli_fname, ec);
  lib.path = ec ? std::string(info.dli_fname) : path.string();
  std::ifstream note(lib.path + ".version");
  std::string version;
  if (note >> version) lib.version = version;
  return lib;
}

}  // namespace wasinn
