// GGUF import (issue 10): the content hash against coreutils, the hash record, the converter's
// errors reaching load-by-name and a guest while another model keeps serving, and the messages
// for a missing Python or converter. The real SmolLM2 GGUF's first use, cache hit, interrupted
// and concurrent conversions run through the CLI (tests/gguf/*.sh).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "gguf/content_hash.h"
#include "host/wasm_runner.h"
#include "test_support.h"
#include "wasinn/genai/backend.h"
#include "wasinn/gguf/importer.h"

namespace wasinn::gguf {
namespace {

namespace fs = std::filesystem;
const fs::path kBadGgufs = WASINN_TEST_BAD_GGUF_DIR;
const std::string kGuestDir = WASINN_TEST_GUEST_DIR;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// coreutils' sha256sum: an implementation independent of OpenSSL's.
std::string sha256sum(const fs::path& file) {
  std::string command = "sha256sum '" + file.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  char hex[65] = {};
  if (pipe == nullptr || std::fread(hex, 1, 64, pipe) != 64) ADD_FAILURE() << "sha256sum failed";
  if (pipe != nullptr) ::pclose(pipe);
  return hex;
}

void write_bytes(const fs::path& file, size_t n, unsigned seed) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  std::mt19937 rng(seed);
  for (size_t i = 0; i < n; ++i) out.put(static_cast<char>(rng()));
}

TEST(GgufContentHash, MatchesCoreutilsSha256sumAcrossReadBuffers) {
  test::TempDir tmp;
  // Sizes around the 1 MiB read buffer, and empty.
  for (size_t size : {size_t{0}, size_t{1}, size_t{(1 << 20) - 1}, size_t{1 << 20}, size_t{(1 << 20) + 7}}) {
    fs::path file = tmp.path() / ("f" + std::to_string(size));
    write_bytes(file, size, static_cast<unsigned>(size));
    EXPECT_EQ(sha256_of_file(file), sha256sum(file)) << size << " bytes";
  }
}

TEST(GgufContentHash, RecordIsTrustedOnlyWhileTheFileIsUnchanged) {
  test::TempDir tmp;
  fs::path file = tmp.path() / "model.gguf";
  fs::path memo = tmp.path() / "memo";
  write_bytes(file, 4096, 1);
  std::string real = sha256sum(file);
  ASSERT_EQ(content_hash(file, memo), real);
  // Overwrite the recorded hash: an unchanged file is not read again, so the record answers.
  ASSERT_EQ(std::distance(fs::directory_iterator(memo), fs::directory_iterator{}), 1);
  fs::path record = fs::directory_iterator(memo)->path();
  std::string text = slurp(record);
  std::string planted(64, 'a');
  text.replace(text.find(real), real.size(), planted);
  std::ofstream(record, std::ios::trunc) << text;
  EXPECT_EQ(content_hash(file, memo), planted);
  // Any change to the file (here its content and so its mtime) makes it hash again.
  write_bytes(file, 4096, 2);
  EXPECT_EQ(content_hash(file, memo), sha256sum(file));
  EXPECT_NE(sha256sum(file), real);
}

TEST(GgufContentHash, UnreadableFileIsInvalidArgument) {
  test::expect_nn_error(nn::ErrorCode::invalid_argument, [] { sha256_of_file("/nonexistent/model.gguf"); });
}

ImportOptions options_in(const fs::path& cache) {
  auto o = Importer::options_from_environment();
  o.cache_dir = cache;
  return o;
}

TEST(GgufImporter, MissingPythonSaysWhatIsMissingAndHowToGetIt) {
  test::TempDir tmp;
  auto o = options_in(tmp.path());
  o.converter.python = "/nonexistent/venv/bin/python";
  Importer importer(o);
  auto message = test::expect_nn_error(nn::ErrorCode::runtime_error,
                                       [&] { importer.converted(kBadGgufs / "mamba.gguf"); });
  EXPECT_NE(message.find("Python interpreter /nonexistent/venv/bin/python is missing"), std::string::npos) << message;
  EXPECT_NE(message.find("WASINN_PYTHON"), std::string::npos) << message;
  EXPECT_NE(message.find("make deps"), std::string::npos) << message;
}

TEST(GgufImporter, MissingConverterSaysWhereItWasLookedFor) {
  test::TempDir tmp;
  auto o = options_in(tmp.path());
  o.converter.script.clear();
  o.converter.script_search = "/opt/wasinn/share/wasinn/converter/convert_gguf.py";
  Importer importer(o);
  auto message = test::expect_nn_error(nn::ErrorCode::runtime_error,
                                       [&] { importer.converted(kBadGgufs / "mamba.gguf"); });
  EXPECT_NE(message.find("converter convert_gguf.py is missing (looked for /opt/wasinn/share/wasinn/converter"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("WASINN_CONVERTER"), std::string::npos) << message;
}

TEST(GgufImporter, MissingGgufFileIsInvalidArgument) {
  test::TempDir tmp;
  Importer importer(options_in(tmp.path()));
  auto message = test::expect_nn_error(nn::ErrorCode::invalid_argument,
                                       [&] { importer.converted(tmp.path() / "absent.gguf"); });
  EXPECT_NE(message.find("absent.gguf does not exist"), std::string::npos) << message;
}

struct BadFile {
  const char* file;
  const char* says;  // what the converter's error line must name (the host contract)
};

class GgufBadFile : public testing::TestWithParam<BadFile> {};

// A bad GGUF fails only the load that names it, with the converter's reason, through the nn
// core and through a guest; the tiny model keeps serving in the same process; the cache holds
// no entry for it.
TEST_P(GgufBadFile, FailsOnlyItsLoadWhileAnotherModelKeepsServing) {
  test::TempDir cache;
  auto importer = std::make_shared<const Importer>(options_in(cache.path()));
  std::vector<std::string> progress;
  genai::ModelRegistry registry;
  registry.add("tiny", test::kTinyModel);
  registry.add("bad", kBadGgufs / GetParam().file);
  registry.set_gguf_converter([importer](const fs::path& f) { return importer->converted(f); });
  auto genai = std::make_shared<genai::GenAIBackend>(std::move(registry));

  auto message = test::expect_nn_error(nn::ErrorCode::invalid_argument, [&] { genai->load_by_name("bad", "{}"); });
  EXPECT_NE(message.find(GetParam().says), std::string::npos) << message;
  EXPECT_NE(message.find(GetParam().file), std::string::npos) << "the message names the file: " << message;
  EXPECT_NE(genai->load_by_name("tiny", "{}"), nullptr);
  test::expect_nn_error(nn::ErrorCode::not_found, [&] { genai->load_by_name("unknown", "{}"); });

  auto backends = std::make_shared<nn::Backends>();
  backends->set_name_loader(genai);
  auto run_chat = [&](const std::string& model) {
    test::TempDir out;
    host::RunOptions options;
    options.wasm_path = kGuestDir + "/chat.wasm";
    options.args = {model, "Hello", R"({"n-predict": 4})"};
    options.stdout_path = (out.path() / "stdout").string();
    options.stderr_path = (out.path() / "stderr").string();
    int status = host::run(options, backends);
    return std::make_pair(status, slurp(*options.stdout_path) + slurp(*options.stderr_path));
  };
  auto [bad_status, bad_output] = run_chat("bad");
  EXPECT_EQ(bad_status, 1) << "wasi-nn invalid_argument; " << bad_output;
  EXPECT_NE(bad_output.find("error: load_by_name_with_config 1"), std::string::npos) << bad_output;
  auto [tiny_status, tiny_output] = run_chat("tiny");
  EXPECT_EQ(tiny_status, 0) << tiny_output;
  EXPECT_NE(tiny_output.find("\"output_tokens\":4"), std::string::npos) << tiny_output;

  // Only lock files: no entry and no staging directory.
  for (const auto& child : fs::directory_iterator(importer->entries_dir()))
    EXPECT_EQ(child.path().extension(), ".lock") << child.path();
}

INSTANTIATE_TEST_SUITE_P(
    Files, GgufBadFile,
    testing::Values(BadFile{"not_gguf.gguf", "not a GGUF file (bad magic)"},
                    BadFile{"truncated.gguf", "truncated (tensor token_embd.weight ends at byte "},
                    BadFile{"mamba.gguf", "architecture 'mamba' is not supported (supported: "},
                    BadFile{"no_tokenizer.gguf", "no tokenizer (tokenizer.ggml.tokens missing)"}),
    [](const auto& p) { return fs::path(p.param.file).stem().string(); });

TEST(GgufRegistry, RootGgufFilesAreModelsNamedAfterTheirStem) {
  test::TempDir root;
  fs::copy(kBadGgufs / "mamba.gguf", root.path() / "phi-mini.gguf");
  fs::copy(kBadGgufs / "mamba.gguf", root.path() / "bad name .gguf.gguf");  // the stem has a dot: still a name
  fs::create_directories(root.path() / "dir-model");
  std::ofstream(root.path() / "dir-model" / "genai_config.json") << "{}";
  fs::copy(kBadGgufs / "mamba.gguf", root.path() / "dir-model.gguf");  // the directory wins
  genai::ModelRegistry registry;
  registry.add_root(root.path());
  auto models = registry.list();
  std::map<std::string, genai::ModelEntry> by_name;
  for (const auto& m : models) by_name[m.name] = m;
  ASSERT_EQ(by_name.count("phi-mini"), 1u);
  EXPECT_EQ(by_name["phi-mini"].gguf, root.path() / "phi-mini.gguf");
  EXPECT_TRUE(by_name["phi-mini"].dir.empty());
  ASSERT_EQ(by_name.count("dir-model"), 1u);
  EXPECT_TRUE(by_name["dir-model"].gguf.empty());
  EXPECT_EQ(models.size(), 3u);
  // Without a converter, a GGUF-backed name says so instead of loading something else.
  auto message = test::expect_nn_error(nn::ErrorCode::invalid_argument, [&] { registry.resolve("phi-mini"); });
  EXPECT_NE(message.find("converts no GGUF files"), std::string::npos) << message;
  // With one, resolving hands it the file and checks what comes back.
  fs::path asked;
  registry.set_gguf_converter([&](const fs::path& f) {
    asked = f;
    return root.path() / "dir-model";
  });
  EXPECT_EQ(registry.resolve("phi-mini"), root.path() / "dir-model");
  EXPECT_EQ(asked, root.path() / "phi-mini.gguf");
  test::expect_nn_error(nn::ErrorCode::not_found, [&] { registry.resolve("absent"); });
}

}  // namespace
}  // namespace wasinn::gguf
