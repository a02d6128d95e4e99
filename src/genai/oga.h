// A small RAII layer over the ONNX Runtime GenAI C API (declared in oga_api.h), in the style of
// GenAI's own ort_genai.h: every handle is owned by one move-only type, and every failing call
// becomes one exception type, oga::Error, in one place (check()).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "genai/oga_api.h"

namespace wasinn::oga {

// A failed GenAI call, carrying GenAI's own message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error (and frees the result) when a GenAI call failed.
void check(OgaResult* result);

// The names in WASINN_OGA_FUNCTIONS that the loaded GenAI library does not export.
std::vector<std::string> missing_symbols();
// Throws Error naming every missing symbol: call once at start-up before any other GenAI call.
void verify_symbols();
// Path of the GenAI shared library this process loaded.
std::string loaded_library_path();
// Version of that library, from the note scripts/bootstrap.sh writes beside it ("unknown" if
// absent): GenAI's C API has no version call.
std::string loaded_version();

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Destroy(p); }
};
template <typename T, void (*Destroy)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Destroy>>;

class Config {
 public:
  explicit Config(const std::string& model_dir);
  void clear_providers();
  void append_provider(const std::string& provider);
  void set_provider_option(const std::string& provider, const std::string& key, const std::string& value);
  OgaConfig* get() const { return handle_.get(); }

 private:
  Owned<OgaConfig, OgaDestroyConfig> handle_;
};

class Model {
 public:
  explicit Model(const Config& config);
  std::string type() const;
  const OgaModel* get() const { return handle_.get(); }

 private:
  Owned<OgaModel, OgaDestroyModel> handle_;
};

class Tokenizer {
 public:
  explicit Tokenizer(const Model& model);
  std::vector<int32_t> encode(const std::string& text) const;
  std::string decode(std::span<const int32_t> tokens) const;
  // Renders `messages_json` ([{"role":..,"content":..}]) with the model's own template.
  std::string apply_chat_template(const std::string& messages_json, bool add_generation_prompt) const;
  std::vector<int32_t> eos_token_ids() const;
  const OgaTokenizer* get() const { return handle_.get(); }

 private:
  Owned<OgaTokenizer, OgaDestroyTokenizer> handle_;
};

// Decodes one token at a time into text pieces, holding back incomplete UTF-8 sequences.
class TokenizerStream {
 public:
  explicit TokenizerStream(const Tokenizer& tokenizer);
  // The piece is valid until the next call.
  std::string_view decode(int32_t token);

 private:
  Owned<OgaTokenizerStream, OgaDestroyTokenizerStream> handle_;
};

class GeneratorParams {
 public:
  explicit GeneratorParams(const Model& model);
  void set_search(const char* name, double value);
  void set_search(const char* name, bool value);
  // Constrained decoding by llguidance: `type` is "json_schema", "regex" or "lark_grammar".
  // GenAI checks `data` only when a Generator is made from these params.
  void set_guidance(const std::string& type, const std::string& data);
  const OgaGeneratorParams* get() const { return handle_.get(); }

 private:
  Owned<OgaGeneratorParams, OgaDestroyGeneratorParams> handle_;
};

// A CPU copy of a model tensor, owned by this object.
class Tensor {
 public:
  explicit Tensor(OgaTensor* raw) : handle_(raw) {}
  OgaElementType type() const;
  std::vector<int64_t> shape() const;
  const void* data() const;

 private:
  Owned<OgaTensor, OgaDestroyTensor> handle_;
};

class Generator {
 public:
  Generator(const Model& model, const GeneratorParams& params);
  void append_tokens(std::span<const int32_t> tokens);
  void generate_next_token();
  bool is_done() const;
  int32_t next_token() const;  // batch of one
  std::span<const int32_t> sequence(size_t index = 0) const;
  Tensor output(const char* name) const;

 private:
  Owned<OgaGenerator, OgaDestroyGenerator> handle_;
};

}  // namespace wasinn::oga
