// GGUF files in, GenAI model directories out: runs the converter (scripts/models/convert_gguf.py,
// under the bootstrap's Python) on first use and keeps its output in a cache keyed by the GGUF's
// content, the converter's version and the precision, so later runs load the directory directly.
//
// Cache: $WASINN_CACHE_DIR/converted/<key>/ (default ${XDG_CACHE_HOME:-~/.cache}/wasinn), with
// key = <sha256 of the file>-v<converter version>-<precision>. A conversion writes into a
// staging directory beside the entry and renames it into place, under a per-key flock, so two
// processes converting the same file wait for one another and an interrupted conversion leaves
// no entry. The file's hash is remembered by (path, size, mtime, inode), so a multi-GB GGUF is
// hashed once.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace wasinn::gguf {

// Where the converter comes from; from_environment() fills it.
struct ConverterCommand {
  std::filesystem::path python;     // the interpreter with gguf, onnx, numpy (the bootstrap's venv)
  std::filesystem::path script;     // convert_gguf.py; empty when none was found
  std::string script_search;        // where the script was looked for, for the error message
};

struct ImportOptions {
  std::filesystem::path cache_dir;  // entries go in cache_dir/converted
  std::string precision = "auto";   // auto | int4 | int8 | fp16 | fp32 (the converter decides)
  ConverterCommand converter;
  // Each `progress: ` line of the converter (default: copied to stderr).
  std::function<void(std::string_view line)> on_progress;
};

// True for a path whose extension is .gguf (any case).
bool is_gguf_path(const std::filesystem::path& path);

class Importer {
 public:
  explicit Importer(ImportOptions options);
  // The options of an Importer as the CLI makes it. Python: $WASINN_PYTHON, else the build's. Script: $WASINN_CONVERTER, else
  // <libwasinn's dir>/../share/wasinn/converter/convert_gguf.py (an installed tree), else the
  // source tree's. Cache: $WASINN_CACHE_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/wasinn.
  static ImportOptions options_from_environment();

  // The converted directory for `gguf`, converting it on first use (progress to on_progress).
  // Errors (nn::Error): invalid_argument for a file that is missing or that the converter
  // rejects (its `error:` line); runtime_error for a missing Python or converter (saying how to
  // get them) and for a converter that fails otherwise (with the tail of its output).
  std::filesystem::path converted(const std::filesystem::path& gguf) const;
  // The cache entry if `gguf` was converted already; converts nothing.
  std::optional<std::filesystem::path> cached(const std::filesystem::path& gguf) const;
  // `wasinn convert`: converts `gguf` into `out_dir` (absent or empty), atomically, no cache.
  void convert_to(const std::filesystem::path& gguf, const std::filesystem::path& out_dir) const;

  // The converter's `--version` line (asked once per Importer).
  std::string converter_version() const;
  std::filesystem::path entries_dir() const { return options_.cache_dir / "converted"; }
  const ImportOptions& options() const { return options_; }

 private:
  std::string cache_key(const std::filesystem::path& gguf) const;
  void run_converter(const std::filesystem::path& gguf, const std::filesystem::path& out_dir) const;

  ImportOptions options_;
  mutable std::once_flag version_once_;
  mutable std::string version_;
};

}  // namespace wasinn::gguf
