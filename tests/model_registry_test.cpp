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
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("../etc"),
                          std::string("a/b"), std::string("/etc/passwd"), std::string("a\\b"),
                          std::string("nul\0byte", 8), std::string("tab\there"), std::string(300, 'x')}) {
    ModelRegistry registry;
    registry.add_root("/");
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

}  // namespace
}  // namespace wasinn::genai
