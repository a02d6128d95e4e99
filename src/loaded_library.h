// Which shared library a symbol was loaded from, and that library's version. GenAI's C API and
// the prebuilt wasmtime C API have no version call, so bootstrap writes a note beside each
// library (`<library>.version`) when it installs it.
#pragma once

#include <string>

namespace wasinn {

struct LoadedLibrary {
  std::string path;     // canonical path, or "?" when the loader cannot say
  std::string version;  // from the note beside it, or "unknown"
};

LoadedLibrary library_of(const void* symbol);

}  // namespace wasinn
