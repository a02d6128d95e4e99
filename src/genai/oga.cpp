#include "genai/oga.h"

#include <dlfcn.h>

#include "loaded_library.h"

namespace wasinn::oga {
namespace {

// Takes ownership of a string GenAI allocated.
std::string take_string(const char* s) {
  if (s == nullptr) return {};
  std::string copy(s);
  OgaDestroyString(s);
  return copy;
}

template <typename T>
T* created(OgaResult* result, T* const& out) {  // by reference: read after the call filled it
  check(result);
  if (out == nullptr) throw Error("GenAI returned no object and no error");
  return out;
}

}  // namespace

void check(OgaResult* result) {
  if (result == nullptr) return;
  std::string message = OgaResultGetError(result);
  OgaDestroyResult(result);
  throw Error(message);
}

std::vector<std::string> missing_symbols() {
  std::vector<std::string> missing;
  // dlsym on the library that defines OgaCreateConfig, the one this process really uses.
  Dl_info info{};
  void* lib = nullptr;
  if (dladdr(reinterpret_cast<void*>(&OgaCreateConfig), &info) != 0 && info.dli_fname != nullptr)
    lib = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
#define WASINN_OGA_CHECK(ret, name, params) \
  if (lib == nullptr || dlsym(lib, #name) == nullptr) missing.emplace_back(#name);
  WASINN_OGA_FUNCTIONS(WASINN_OGA_CHECK)
#undef WASINN_OGA_CHECK
  if (lib != nullptr) dlclose(lib);
  return missing;
}

void verify_symbols() {
  auto missing = missing_symbols();
  if (missing.empty()) return;
  std::string names;
  for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
  throw Error("the loaded ONNX Runtime GenAI library (" + loaded_library_path() + ", version " +
              loaded_version() + ") lacks functions wasinn declares: " + names);
}

std::string loaded_library_path() { return library_of(reinterpret_cast<const void*>(&OgaCreateConfig)).path; }

std::string loaded_version() { return library_of(reinterpret_cast<const void*>(&OgaCreateConfig)).version; }

Config::Config(const std::string& model_dir) {
  OgaConfig* out = nullptr;
  handle_.reset(created(OgaCreateConfig(model_dir.c_str(), &out), out));
}

void Config::clear_providers() { check(OgaConfigClearProviders(get())); }

void Config::append_provider(const std::string& provider) {
  check(OgaConfigAppendProvider(get(), provider.c_str()));
}

void Config::set_provider_option(const std::string& provider, const std::string& key, const std::string& value) {
  check(OgaConfigSetProviderOption(get(), provider.c_str(), key.c_str(), value.c_str()));
}

Model::Model(const Config& config) {
  OgaModel* out = nullptr;
  handle_.reset(created(OgaCreateModelFromConfig(config.get(), &out), out));
}

std::string Model::type() const {
  const char* out = nullptr;
  check(OgaModelGetType(get(), &out));
  return take_string(out);
}

Tokenizer::Tokenizer(const Model& model) {
  OgaTokenizer* out = nullptr;
  handle_.reset(created(OgaCreateTokenizer(model.get(), &out), out));
}

std::vector<int32_t> Tokenizer::encode(const std::string& text) const {
  OgaSequences* raw = nullptr;
  Owned<OgaSequences, OgaDestroySequences> sequences(created(OgaCreateSequences(&raw), raw));
  check(OgaTokenizerEncode(get(), text.c_str(), sequences.get()));
  if (OgaSequencesCount(sequences.get()) == 0) return {};
  const int32_t* data = OgaSequencesGetSequenceData(sequences.get(), 0);
  return {data, data + OgaSequencesGetSequenceCount(sequences.get(), 0)};
}

std::string Tokenizer::decode(std::span<const int32_t> tokens) const {
  const char* out = nullptr;
  check(OgaTokenizerDecode(get(), tokens.data(), tokens.size(), &out));
  return take_string(out);
}

std::string Tokenizer::apply_chat_template(const std::string& messages_json, bool add_generation_prompt) const {
  const char* out = nullptr;
  check(OgaTokenizerApplyChatTemplate(get(), nullptr, messages_json.c_str(), nullptr, add_generation_prompt, &out));
  return take_string(out);
}

std::vector<int32_t> Tokenizer::eos_token_ids() const {
  const int32_t* ids = nullptr;
  size_t count = 0;
  check(OgaTokenizerGetEosTokenIds(get(), &ids, &count));
  return {ids, ids + count};
}

TokenizerStream::TokenizerStream(const Tokenizer& tokenizer) {
  OgaTokenizerStream* out = nullptr;
  handle_.reset(created(OgaCreateTokenizerStream(tokenizer.get(), &out), out));
}

std::string_view TokenizerStream::decode(int32_t token) {
  const char* out = nullptr;
  check(OgaTokenizerStreamDecode(handle_.get(), token, &out));
  return out == nullptr ? std::string_view{} : std::string_view{out};
}

GeneratorParams::GeneratorParams(const Model& model) {
  OgaGeneratorParams* out = nullptr;
  handle_.reset(created(OgaCreateGeneratorParams(model.get(), &out), out));
}

void GeneratorParams::set_search(const char* name, double value) {
  check(OgaGeneratorParamsSetSearchNumber(handle_.get(), name, value));
}

void GeneratorParams::set_search(const char* name, bool value) {
  check(OgaGeneratorParamsSetSearchBool(handle_.get(), name, value));
}

void GeneratorParams::set_guidance(const std::string& type, const std::string& data) {
  // Fast-forward tokens off: sessions read one token per step (GetNextTokens), as they decode.
  check(OgaGeneratorParamsSetGuidance(handle_.get(), type.c_str(), data.c_str(), /*enable_ff_tokens=*/false));
}

OgaElementType Tensor::type() const {
  OgaElementType type = OgaElementType_undefined;
  check(OgaTensorGetType(handle_.get(), &type));
  return type;
}

std::vector<int64_t> Tensor::shape() const {
  size_t rank = 0;
  check(OgaTensorGetShapeRank(handle_.get(), &rank));
  std::vector<int64_t> dims(rank);
  check(OgaTensorGetShape(handle_.get(), dims.data(), dims.size()));
  return dims;
}

const void* Tensor::data() const {
  void* out = nullptr;
  check(OgaTensorGetData(handle_.get(), &out));
  return out;
}

Generator::Generator(const Model& model, const GeneratorParams& params) {
  OgaGenerator* out = nullptr;
  handle_.reset(created(OgaCreateGenerator(model.get(), params.get(), &out), out));
}

void Generator::append_tokens(std::span<const int32_t> tokens) {
  check(OgaGenerator_AppendTokens(handle_.get(), tokens.data(), tokens.size()));
}

void Generator::generate_next_token() { check(OgaGenerator_GenerateNextToken(handle_.get())); }

bool Generator::is_done() const { return OgaGenerator_IsDone(handle_.get()); }

int32_t Generator::next_token() const {
  const int32_t* tokens = nullptr;
  size_t count = 0;
  check(OgaGenerator_GetNextTokens(handle_.get(), &tokens, &count));
  if (count == 0) throw Error("GenAI returned no next token");
  return tokens[0];
}

std::span<const int32_t> Generator::sequence(size_t index) const {
  return {OgaGenerator_GetSequenceData(handle_.get(), index), OgaGenerator_GetSequenceCount(handle_.get(), index)};
}

Tensor Generator::output(const char* name) const {
  OgaTensor* out = nullptr;
  return Tensor(created(OgaGenerator_GetOutput(handle_.get(), name, &out), out));
}

}  // namespace wasinn::oga
