// Declarations of the ONNX Runtime GenAI C API functions wasinn calls.
//
// GenAI publishes ort_genai_c.h only in its NuGet package and GitHub release archives, which
// our machines cannot reach, so this header declares exactly what we use, written from the
// documented C API of the pinned version (deps/versions.env: ORT_GENAI_VERSION). Every
// function is listed once, in WASINN_OGA_FUNCTIONS; the same list drives the start-up check
// (oga::verify_symbols) that resolves each name in the loaded library, so a version drift
// fails loudly instead of corrupting memory. Add a function here, never elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

typedef enum OgaElementType {
  OgaElementType_undefined,
  OgaElementType_float32,
  OgaElementType_uint8,
  OgaElementType_int8,
  OgaElementType_uint16,
  OgaElementType_int16,
  OgaElementType_int32,
  OgaElementType_int64,
  OgaElementType_string,
  OgaElementType_bool,
  OgaElementType_float16,
  OgaElementType_float64,
  OgaElementType_uint32,
  OgaElementType_uint64,
  OgaElementType_complex64,
  OgaElementType_complex128,
  OgaElementType_bfloat16,
} OgaElementType;

typedef struct OgaResult OgaResult;
typedef struct OgaConfig OgaConfig;
typedef struct OgaModel OgaModel;
typedef struct OgaGeneratorParams OgaGeneratorParams;
typedef struct OgaGenerator OgaGenerator;
typedef struct OgaSequences OgaSequences;
typedef struct OgaTokenizer OgaTokenizer;
typedef struct OgaTokenizerStream OgaTokenizerStream;
typedef struct OgaTensor OgaTensor;

}  // extern "C"

// X(return type, name, parameter list)
#define WASINN_OGA_FUNCTIONS(X)                                                                   \
  X(void, OgaShutdown, ())                                                                        \
  X(const char*, OgaResultGetError, (const OgaResult* result))                                    \
  X(void, OgaDestroyResult, (OgaResult * result))                                                 \
  X(void, OgaDestroyString, (const char* str))                                                    \
  /* configuration and models */                                                                  \
  X(OgaResult*, OgaCreateConfig, (const char* config_path, OgaConfig** out))                      \
  X(void, OgaDestroyConfig, (OgaConfig * config))                                                 \
  X(OgaResult*, OgaConfigClearProviders, (OgaConfig * config))                                    \
  X(OgaResult*, OgaConfigAppendProvider, (OgaConfig * config, const char* provider))             \
  X(OgaResult*, OgaConfigSetProviderOption,                                                       \
    (OgaConfig * config, const char* provider, const char* key, const char* value))               \
  X(OgaResult*, OgaCreateModelFromConfig, (const OgaConfig* config, OgaModel** out))              \
  X(void, OgaDestroyModel, (OgaModel * model))                                                    \
  X(OgaResult*, OgaModelGetType, (const OgaModel* model, const char** out))                       \
  /* token sequences */                                                                           \
  X(OgaResult*, OgaCreateSequences, (OgaSequences * *out))                                        \
  X(void, OgaDestroySequences, (OgaSequences * sequences))                                        \
  X(size_t, OgaSequencesCount, (const OgaSequences* sequences))                                   \
  X(size_t, OgaSequencesGetSequenceCount, (const OgaSequences* sequences, size_t index))          \
  X(const int32_t*, OgaSequencesGetSequenceData, (const OgaSequences* sequences, size_t index))   \
  /* tokenizer */                                                                                 \
  X(OgaResult*, OgaCreateTokenizer, (const OgaModel* model, OgaTokenizer** out))                  \
  X(void, OgaDestroyTokenizer, (OgaTokenizer * tokenizer))                                        \
  X(OgaResult*, OgaTokenizerEncode, (const OgaTokenizer* tokenizer, const char* str,              \
                                     OgaSequences* sequences))                                    \
  X(OgaResult*, OgaTokenizerDecode, (const OgaTokenizer* tokenizer, const int32_t* tokens,        \
                                     size_t token_count, const char** out_string))                \
  X(OgaResult*, OgaTokenizerApplyChatTemplate,                                                    \
    (const OgaTokenizer* tokenizer, const char* template_str, const char* messages,               \
     const char* tools, bool add_generation_prompt, const char** out_string))                     \
  X(OgaResult*, OgaTokenizerGetEosTokenIds,                                                       \
    (const OgaTokenizer* tokenizer, const int32_t** eos_token_ids, size_t* token_count))          \
  X(OgaResult*, OgaCreateTokenizerStream, (const OgaTokenizer* tokenizer, OgaTokenizerStream** out)) \
  X(void, OgaDestroyTokenizerStream, (OgaTokenizerStream * stream))                               \
  X(OgaResult*, OgaTokenizerStreamDecode, (OgaTokenizerStream * stream, int32_t token,            \
                                           const char** out))                                     \
  /* generation */                                                                                \
  X(OgaResult*, OgaCreateGeneratorParams, (const OgaModel* model, OgaGeneratorParams** out))      \
  X(void, OgaDestroyGeneratorParams, (OgaGeneratorParams * params))                               \
  X(OgaResult*, OgaGeneratorParamsSetSearchNumber,                                                \
    (OgaGeneratorParams * params, const char* name, double value))                                \
  X(OgaResult*, OgaGeneratorParamsSetSearchBool,                                                  \
    (OgaGeneratorParams * params, const char* name, bool value))                                  \
  X(OgaResult*, OgaGeneratorParamsSetGuidance,                                                    \
    (OgaGeneratorParams * params, const char* type, const char* data, bool enable_ff_tokens))     \
  X(OgaResult*, OgaCreateGenerator,                                                               \
    (const OgaModel* model, const OgaGeneratorParams* params, OgaGenerator** out))                \
  X(void, OgaDestroyGenerator, (OgaGenerator * generator))                                        \
  X(bool, OgaGenerator_IsDone, (OgaGenerator * generator))                                        \
  X(OgaResult*, OgaGenerator_AppendTokens,                                                        \
    (OgaGenerator * generator, const int32_t* input_ids, size_t input_ids_count))                 \
  X(OgaResult*, OgaGenerator_GenerateNextToken, (OgaGenerator * generator))                       \
  X(OgaResult*, OgaGenerator_GetNextTokens,                                                       \
    (const OgaGenerator* generator, const int32_t** out, size_t* out_count))                      \
  X(OgaResult*, OgaGenerator_GetOutput,                                                           \
    (const OgaGenerator* generator, const char* name, OgaTensor** out))                           \
  X(size_t, OgaGenerator_GetSequenceCount, (const OgaGenerator* generator, size_t index))         \
  X(const int32_t*, OgaGenerator_GetSequenceData, (const OgaGenerator* generator, size_t index))  \
  /* tensors */                                                                                   \
  X(void, OgaDestroyTensor, (OgaTensor * tensor))                                                 \
  X(OgaResult*, OgaTensorGetType, (OgaTensor * tensor, OgaElementType* out))                      \
  X(OgaResult*, OgaTensorGetShapeRank, (OgaTensor * tensor, size_t* out))                         \
  X(OgaResult*, OgaTensorGetShape, (OgaTensor * tensor, int64_t* shape_dims, size_t count))       \
  X(OgaResult*, OgaTensorGetData, (OgaTensor * tensor, void** out))

extern "C" {
#define WASINN_OGA_DECLARE(ret, name, params) ret name params;
WASINN_OGA_FUNCTIONS(WASINN_OGA_DECLARE)
#undef WASINN_OGA_DECLARE
}
