// Where GenAI models come from, by name: explicit name-to-directory entries (the CLI's
// --nn-preload), an embedder's resolver function, and roots whose first-level subdirectories
// holding genai_config.json are models named after their directory. Names are matched exactly
// (case-sensitive file systems make the reference's case-insensitive match ambiguous) and are
// validated before they touch the file system.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasinn::genai {

struct ModelEntry {
  std::string name;
  std::filesystem::path dir;   // empty for a GGUF-backed model (known once converted)
  std::filesystem::path gguf;  // the GGUF file a model is converted from, or empty
};

class ModelRegistry {
 public:
  using Resolver = std::function<std::optional<std::filesystem::path>(std::string_view name)>;
  // GGUF-backed models: a .gguf file in, its converted GenAI directory out (gguf::Importer).
  using GgufConverter = std::function<std::filesystem::path(const std::filesystem::path& gguf)>;

  // Roots from WASINN_MODELS / WACS_WASINN_GENAI_DIR (each may hold several paths separated by ':').
  static ModelRegistry from_environment();

  void add_root(std::filesystem::path root);
  // `dir` is a GenAI model directory, or a .gguf file converted when the name is first resolved.
  void add(std::string name, std::filesystem::path dir);
  void set_resolver(Resolver resolver);
  // Without one, resolving a GGUF-backed name is an error saying so.
  void set_gguf_converter(GgufConverter converter);

  // Order: explicit entries, the resolver, then roots in the order added (in a root, a
  // directory NAME before a file NAME.gguf). A GGUF-backed name is converted here on first use,
  // so only the load that names a bad GGUF fails.
  // Errors: nn::Error(invalid_argument) for a bad name, a directory without genai_config.json
  // (path in the message) or a GGUF the converter rejects; nn::Error(not_found) for an unknown name.
  std::filesystem::path resolve(std::string_view name) const;
  // Every model a guest can name: explicit entries, then each root's models, sorted (a root's
  // NAME.gguf files are models named NAME).
  std::vector<ModelEntry> list() const;
  // The roots, in the order added (other backends read model directories from them too).
  const std::vector<std::filesystem::path>& roots() const { return roots_; }

  // nn::Error(invalid_argument) unless `name` is a plain directory name.
  static void validate_name(std::string_view name);

 private:
  std::filesystem::path converted(const std::filesystem::path& gguf, std::string_view name) const;

  std::vector<ModelEntry> entries_;
  std::vector<std::filesystem::path> roots_;
  Resolver resolver_;
  GgufConverter gguf_converter_;
};

}  // namespace wasinn::genai
