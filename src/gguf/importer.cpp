#include "wasinn/gguf/importer.h"

#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gguf/content_hash.h"
#include "gguf/converter_process.h"
#include "loaded_library.h"
#include "wasinn/nn/error.h"

namespace wasinn::gguf {
namespace {

namespace fs = std::filesystem;
using nn::Error;
using nn::ErrorCode;

constexpr const char* kConfigFile = "genai_config.json";

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

bool is_complete(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / kConfigFile, ec);
}

// A cache key component from the converter's version line: file-name safe, never empty.
std::string file_name_safe(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '+') c = '_';
  return s.empty() ? "unknown" : s;
}

// An exclusive flock on `path`, held for the object's lifetime. Locks on separate opens of the
// same file exclude each other within one process too, so threads wait like processes do.
class FileLock {
 public:
  FileLock(const fs::path& path, const std::string& waiting_message) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw Error(ErrorCode::runtime_error, "cannot open the lock " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    std::fprintf(stderr, "%s\n", waiting_message.c_str());
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd_);
        throw Error(ErrorCode::runtime_error, "cannot lock " + path.string() + ": " + std::strerror(errno));
      }
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

void require_gguf_file(const fs::path& gguf) {
  std::error_code ec;
  if (!fs::exists(gguf, ec)) throw Error(ErrorCode::invalid_argument, "GGUF file " + gguf.string() + " does not exist");
  if (!fs::is_regular_file(gguf, ec))
    throw Error(ErrorCode::invalid_argument, "GGUF file " + gguf.string() + " is not a regular file");
}

// Removes a staging directory when a conversion does not reach its rename.
struct StagingGuard {
  fs::path dir;
  ~StagingGuard() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

bool is_gguf_path(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".gguf";
}

Importer::Importer(ImportOptions options) : options_(std::move(options)) {
  if (!options_.on_progress)
    options_.on_progress = [](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
}

ImportOptions Importer::options_from_environment() {
  ImportOptions o;
  o.converter.python = env_or("WASINN_PYTHON", WASINN_BUILD_PYTHON);
  if (const char* script = std::getenv("WASINN_CONVERTER"); script != nullptr && *script != '\0') {
    o.converter.script = script;
    o.converter.script_search = script;
  } else {
    // An installed tree keeps the converter beside the library; the build tree uses the source's.
    auto library = library_of(reinterpret_cast<const void*>(&is_gguf_path)).path;
    std::vector<fs::path> candidates;
    if (library != "?") candidates.push_back((fs::path(library).parent_path() / WASINN_CONVERTER_FROM_LIBDIR / "convert_gguf.py").lexically_normal());
    candidates.emplace_back(WASINN_SOURCE_CONVERTER);
    for (const auto& c : candidates) {
      o.converter.script_search += (o.converter.script_search.empty() ? "" : ", ") + c.string();
      std::error_code ec;
      if (o.converter.script.empty() && fs::is_regular_file(c, ec)) o.converter.script = c;
    }
  }
  std::string xdg = env_or("XDG_CACHE_HOME", env_or("HOME", "/tmp") + "/.cache");
  o.cache_dir = env_or("WASINN_CACHE_DIR", xdg + "/wasinn");
  return o;
}

std::string Importer::converter_version() const {
  std::call_once(version_once_, [this] {
    const auto& c = options_.converter;
    std::error_code ec;
    if (!fs::exists(c.python, ec))
      throw Error(ErrorCode::runtime_error,
                  "cannot convert GGUF files: the Python interpreter " + c.python.string() +
                      " is missing. It is the virtual environment scripts/bootstrap.sh makes (run `make deps` in a "
                      "wasinn checkout), or set WASINN_PYTHON to a Python with the gguf, onnx and numpy packages "
                      "pinned in deps/versions.env");
    if (c.script.empty())
      throw Error(ErrorCode::runtime_error,
                  "cannot convert GGUF files: the converter convert_gguf.py is missing (looked for " + c.script_search +
                      "). `cmake --install` puts it in <prefix>/share/wasinn/converter; or set WASINN_CONVERTER to "
                      "scripts/models/convert_gguf.py of a wasinn checkout");
    auto result = run_process({c.python.string(), c.script.string(), "--version"}, {});
    if (result.exit_status != 0 || result.first_line.empty())
      throw Error(ErrorCode::runtime_error, "the GGUF converter " + c.script.string() + " under " + c.python.string() +
                                                " did not report its version:\n" + result.tail);
    version_ = result.first_line;
  });
  return version_;
}

std::string Importer::cache_key(const fs::path& gguf) const {
  std::string version = converter_version();
  return content_hash(gguf, options_.cache_dir / "gguf-hashes") + "-v" + file_name_safe(version) + "-" +
         file_name_safe(options_.precision);
}

std::optional<fs::path> Importer::cached(const fs::path& gguf) const {
  require_gguf_file(gguf);
  fs::path entry = entries_dir() / cache_key(gguf);
  if (is_complete(entry)) return entry;
  return std::nullopt;
}

fs::path Importer::converted(const fs::path& gguf) const {
  require_gguf_file(gguf);
  std::string key = cache_key(gguf);
  fs::path entries = entries_dir();
  fs::path entry = entries / key;
  if (is_complete(entry)) return entry;

  std::error_code ec;
  fs::create_directories(entries, ec);
  if (ec) throw Error(ErrorCode::runtime_error, "cannot make the conversion cache " + entries.string() + ": " + ec.message());
  FileLock lock(entries / (key + ".lock"), "wasinn: waiting for another process converting " + gguf.string());
  if (is_complete(entry)) return entry;  // the process we waited for made it
  // Under the lock, what is left of this key is an interrupted conversion's: clear it.
  fs::remove_all(entry, ec);
  for (const auto& child : fs::directory_iterator(entries, ec))
    if (child.path().filename().string().starts_with(".staging-" + key + "-")) fs::remove_all(child.path(), ec);

  StagingGuard staging{entries / (".staging-" + key + "-" + std::to_string(::getpid()))};
  fs::create_directories(staging.dir, ec);
  options_.on_progress("progress: converting " + gguf.string() + " (first use) into " + entry.string());
  run_converter(gguf, staging.dir / "model");
  fs::rename(staging.dir / "model", entry, ec);
  if (ec) throw Error(ErrorCode::runtime_error, "cannot move the converted model into " + entry.string() + ": " + ec.message());
  return entry;
}

void Importer::convert_to(const fs::path& gguf, const fs::path& out_dir) const {
  require_gguf_file(gguf);
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !(fs::is_directory(out_dir, ec) && fs::is_empty(out_dir, ec)))
    throw Error(ErrorCode::invalid_argument, out_dir.string() + " exists and is not an empty directory");
  fs::path target = fs::absolute(out_dir, ec).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  StagingGuard staging{target.parent_path() / ("." + target.filename().string() + ".converting-" + std::to_string(::getpid()))};
  fs::remove_all(staging.dir, ec);
  fs::create_directories(staging.dir, ec);
  if (ec) throw Error(ErrorCode::invalid_argument, "cannot write beside " + target.string() + ": " + ec.message());
  run_converter(gguf, staging.dir / "model");
  fs::remove(target, ec);  // an empty directory; rename(2) would replace it too
  fs::rename(staging.dir / "model", target, ec);
  if (ec) throw Error(ErrorCode::runtime_error, "cannot move the converted model into " + target.string() + ": " + ec.message());
}

void Importer::run_converter(const fs::path& gguf, const fs::path& out_dir) const {
  converter_version();  // says clearly what is missing, if anything
  const auto& c = options_.converter;
  auto result = run_process({c.python.string(), c.script.string(), gguf.string(), out_dir.string(), "--precision",
                             options_.precision},
                            options_.on_progress);
  if (result.exit_status == 0 && is_complete(out_dir)) return;
  if (result.exit_status == 2 && !result.error_line.empty()) throw Error(ErrorCode::invalid_argument, result.error_line);
  std::string how = result.signal != 0 ? "was killed by signal " + std::to_string(result.signal)
                    : result.exit_status == 0 ? "exited 0 without writing " + std::string(kConfigFile)
                                              : "exited with status " + std::to_string(result.exit_status);
  throw Error(ErrorCode::runtime_error, "the GGUF converter " + how + " converting " + gguf.string() +
                                            (result.tail.empty() ? "" : ":\n" + result.tail));
}

}  // namespace wasinn::gguf
