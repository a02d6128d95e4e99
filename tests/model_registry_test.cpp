#include <gtest/gtest.h>

#include <fstream>

#include "test_support.h"
#include "wasinn/genai/model_registry.h"

namespace wasinn::genai {
namespace {

using nn::ErrorCode;
using test::expect_nn_error;
using test::TempDir;

void make_model_dir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "genai_config.json") << "{}";
}

TEST(ModelRegistry, RejectsNamesThatCouldEscapeTheModelRoots) {
  // The root and its parent are model directories themselves, so "." and ".." would resolve
  // to a valid model if the name checks were missing (a root of "/" refuses them anyway).
  TempDir parent;
  make_model_dir(parent.path());
  make_model_dir(parent.path() / "root");
  make_model_dir(parent.path() / "etc");          // what "../etc" would reach
  make_model_dir(parent.path() / "root" / "a" / "b");  // what "a/b" would reach
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("../etc"),
                          std::string("a/b"), std::string("/etc/passwd"), std::string("a\\b"),
                          std::string("nul\0byte", 8), std::string("tab\there"), std::string(300, 'x')}) {
    ModelRegistry registry;
    registry.add_root(parent.path() / "root");
    expect_nn_error(ErrorCode::invalid_argument, [&] { registry.resolve(bad); });
  }
}

TEST(ModelRegistry, RootSubdirectoriesWithGenAIConfigAreModelsNamedAfterTheirDirectory) {
  TempDir root;
  make_model_dir(root.path() / "alpha");
  make_model_dir(root.path() / "beta");
  std::filesystem::create_directories(root.path() / "not-a-model");
  ModelRegistry registry;
  registry.add_root(root.path());
  EXPECT_EQ(registry.resolve("alpha"), root.path() / "alpha");
  auto models = registry.list();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].name, "alpha");
  EXPECT_EQ(models[1].name, "beta");
}

TEST(ModelRegistry, UnknownNameIsNotFound) {
  TempDir root;
  ModelRegistry registry;
  registry.add_root(root.path());
  auto message = expect_nn_error(ErrorCode::not_found, [&] { registry.resolve("missing"); });
  EXPECT_NE(message.find("missing"), std::string::npos);
}

TEST(ModelRegistry, NamesMatchExactlyNotCaseInsensitively) {
  TempDir root;
  make_model_dir(root.path() / "Model");
  ModelRegistry registry;
  registry.add_root(root.path());
  expect_nn_error(ErrorCode::not_found, [&] { registry.resolve("model"); });
}

TEST(ModelRegistry, DirectoryWithoutGenAIConfigIsInvalidArgumentNamingThePath) {
  TempDir root;
  std::filesystem::create_directories(root.path() / "empty");
  ModelRegistry registry;
  registry.add_root(root.path());
  auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { registry.resolve("empty"); });
  EXPECT_NE(message.find((root.path() / "empty").string()), std::string::npos) << message;

  ModelRegistry explicit_entry;
  explicit_entry.add("x", root.path() / "nowhere");
  expect_nn_error(ErrorCode::invalid_argument, [&] { explicit_entry.resolve("x"); });
}

TEST(ModelRegistry, ExplicitEntriesWinOverTheResolverWhichWinsOverRoots) {
  TempDir root;
  make_model_dir(root.path() / "m");
  make_model_dir(root.path() / "explicit");
  make_model_dir(root.path() / "resolved");
  ModelRegistry registry;
  registry.add_root(root.path());
  registry.set_resolver([&](std::string_view name) -> std::optional<std::filesystem::path> {
    if (name == "m") return root.path() / "resolved";
    return std::nullopt;
  });
  EXPECT_EQ(registry.resolve("m"), root.path() / "resolved");
  registry.add("m", root.path() / "explicit");
  EXPECT_EQ(registry.resolve("m"), root.path() / "explicit");
}


// --- names that would resolve to a real model directory if the checks were missing ---------
// The root and its parent both hold genai_config.json, so root/"." and root/".." ARE model
// directories: only the name checks can refuse them (a root of "/" would refuse them anyway,
// for want of a genai_config.json, and prove nothing).
TEST(ModelRegistry, DotAndDotDotAreRejectedEvenWhereTheyWouldNameAModelDirectory) {
  TempDir parent;
  make_model_dir(parent.path());
  const auto root = parent.path() / "models";
  make_model_dir(root);
  make_model_dir(root / "real");
  make_model_dir(root / "sub");
  ModelRegistry registry;
  registry.add_root(root);
  ASSERT_EQ(registry.resolve("real"), root / "real");  // the set-up resolves names at all
  for (std::string bad : {".", "..", "sub/.", "sub/..", "../models", "./real"}) {
    auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { registry.resolve(bad); });
    EXPECT_NE(message.find("invalid model name"), std::string::npos) << bad << ": " << message;
  }
  // Nor may an explicit entry or the resolver be registered or asked under those names.
  expect_nn_error(ErrorCode::invalid_argument, [&] { registry.add("..", root / "real"); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { registry.add(".", root / "real"); });
  registry.set_resolver([&](std::string_view) -> std::optional<std::filesystem::path> { return root / "real"; });
  expect_nn_error(ErrorCode::invalid_argument, [&] { registry.resolve(".."); });
  expect_nn_error(ErrorCode::invalid_argument, [&] { registry.resolve("."); });
  EXPECT_EQ(registry.resolve("..."), root / "real");  // three dots is an ordinary name
}

TEST(ModelRegistry, EveryRejectedNameIsRejectedBeforeTheFileSystem) {
  TempDir root;
  make_model_dir(root.path() / "ok");
  ModelRegistry registry;
  registry.add_root(root.path());
  // A resolver that accepts anything: only validate_name stands between a name and a path.
  registry.set_resolver([&](std::string_view) -> std::optional<std::filesystem::path> { return root.path() / "ok"; });
  for (std::string bad : {std::string(""), std::string("a/b"), std::string("/abs"), std::string("a\\b"),
                          std::string("nul\0byte", 8), std::string("tab\there"), std::string("\x1f"),
                          std::string(256, 'x')}) {
    auto message = expect_nn_error(ErrorCode::invalid_argument, [&] { registry.resolve(bad); });
    EXPECT_NE(message.find("invalid model name"), std::string::npos) << message;
  }
  EXPECT_EQ(registry.resolve(std::string(255, 'x')), root.path() / "ok");  // 255 bytes is allowed
  EXPECT_EQ(registry.resolve("name with spaces \x7f \xc3\xa9"), root.path() / "ok");
}

TEST(ModelRegistry, RootsAreSearchedInOrderAndListedWithoutDuplicates) {
  TempDir first, second;
  make_model_dir(first.path() / "shared");
  make_model_dir(second.path() / "shared");
  make_model_dir(second.path() / "only-second");
  ModelRegistry registry;
  registry.add_root(first.path());
  registry.add_root(second.path());
  EXPECT_EQ(registry.resolve("shared"), first.path() / "shared");
  EXPECT_EQ(registry.resolve("only-second"), second.path() / "only-second");
  registry.add("explicit", first.path() / "shared");
  auto models = registry.list();
  ASSERT_EQ(models.size(), 3u);
  EXPECT_EQ(models[0].name, "explicit");
  EXPECT_EQ(models[1].name, "shared");
  EXPECT_EQ(models[1].dir, first.path() / "shared");
  EXPECT_EQ(models[2].name, "only-second");
}

TEST(ModelRegistry, EnvironmentRootsAreColonSeparatedAndBothVariablesCount) {
  TempDir a, b, c;
  make_model_dir(a.path() / "from-a");
  make_model_dir(b.path() / "from-b");
  make_model_dir(c.path() / "from-c");
  // setenv is process-wide: each CTest test is its own process, so this does not leak.
  ::setenv("WASINN_MODELS", (a.path().string() + "::" + b.path().string()).c_str(), 1);
  ::setenv("WACS_WASINN_GENAI_DIR", c.path().string().c_str(), 1);
  auto registry = ModelRegistry::from_environment();
  ::unsetenv("WASINN_MODELS");
  ::unsetenv("WACS_WASINN_GENAI_DIR");
  EXPECT_EQ(registry.resolve("from-a"), a.path() / "from-a");
  EXPECT_EQ(registry.resolve("from-b"), b.path() / "from-b");
  EXPECT_EQ(registry.resolve("from-c"), c.path() / "from-c");
  EXPECT_EQ(registry.list().size(), 3u);
  EXPECT_TRUE(ModelRegistry::from_environment().list().empty());
}

}  // namespace
}  // namespace wasinn::genai
