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
  std::filesystem::path dir;
};

class ModelRegistry {
 public:
  using Resolver = std::function<std::optional<std::filesystem::path>(std::string_view name)>;

  // Roots from WASINN_MODELS / WACS_WASINN_GENAI_DIR (each may hold several paths separated by ':').
  static ModelRegistry from_environment();

  void add_root(std::filesystem::path root);
  void add(std::string name, std::filesystem::path dir);
  void set_resolver(Resolver resolver);

  // Order: explicit entries, the resolver, then roots in the order added.
  // Errors: nn::Error(invalid_argument) for a bad name or a directory without
  // genai_config.json (path in the message); nn::Error(not_found) for an unknown name.
  std::filesystem::path resolve(std::string_view name) const;
  // Every model a guest can name: explicit entries, then each root's models, sorted.
  std::vector<ModelEntry> list() const;
  // The roots, in the order added (other backends read model directories from them too).
  const std::vector<std::filesystem::path>& roots() const { return roots_; }

  // nn::Error(invalid_argument) unless `name` is a plain directory name.
  static void validate_name(std::string_view name);

 private:
  std::vector<ModelEntry> entries_;
  std::vector<std::filesystem::path> roots_;
  Resolver resolver_;
};

}  // namespace wasinn::genai
