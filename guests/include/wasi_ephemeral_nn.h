/* The core-module wasi-nn ABI as a C guest sees it: module `wasi_ephemeral_nn` with WasmEdge's
 * LLM extensions (load_by_name_with_config, compute_single, get_output_single, fini_single).
 * Written from docs/wasi-nn-abi.md for wasm32: pointers are 32-bit, every function returns an
 * error number (0 = success). Strings are pointer + byte length, not NUL-terminated. */
#ifndef WASI_EPHEMERAL_NN_H
#define WASI_EPHEMERAL_NN_H

#include <stdint.h>

/* Error numbers: wasi-nn's, then WasmEdge's LLM extensions. */
enum {
  WASI_NN_SUCCESS = 0,
  WASI_NN_INVALID_ARGUMENT = 1,
  WASI_NN_INVALID_ENCODING = 2,
  WASI_NN_MISSING_MEMORY = 3,
  WASI_NN_BUSY = 4,
  WASI_NN_RUNTIME_ERROR = 5,
  WASI_NN_UNSUPPORTED_OPERATION = 6,
  WASI_NN_TOO_LARGE = 7,
  WASI_NN_NOT_FOUND = 8,
  WASI_NN_END_OF_SEQUENCE = 100,
  WASI_NN_CONTEXT_FULL = 101,
  WASI_NN_PROMPT_TOO_LONG = 102,
  WASI_NN_MODEL_NOT_FOUND = 103,
};

enum {
  WASI_NN_TYPE_F16 = 0,
  WASI_NN_TYPE_F32 = 1,
  WASI_NN_TYPE_F64 = 2,
  WASI_NN_TYPE_U8 = 3,
  WASI_NN_TYPE_I32 = 4,
  WASI_NN_TYPE_I64 = 5,
};

enum {
  WASI_NN_ENCODING_OPENVINO = 0,
  WASI_NN_ENCODING_ONNX = 1,
  WASI_NN_ENCODING_TENSORFLOW = 2,
  WASI_NN_ENCODING_PYTORCH = 3,
  WASI_NN_ENCODING_TENSORFLOWLITE = 4,
  WASI_NN_ENCODING_AUTODETECT = 5,
  WASI_NN_ENCODING_GGML = 6,
};

enum {
  WASI_NN_TARGET_CPU = 0,
  WASI_NN_TARGET_GPU = 1,
  WASI_NN_TARGET_TPU = 2,
  WASI_NN_TARGET_AUTO = 3,
};

/* 20 bytes on wasm32; dims are u32. */
typedef struct {
  const uint32_t* dims;
  uint32_t dims_len;
  uint32_t type;
  const uint8_t* data;
  uint32_t data_len;
} wasi_nn_tensor_t;

/* One entry of load's builder array: 8 bytes on wasm32. */
typedef struct {
  const uint8_t* data;
  uint32_t len;
} wasi_nn_graph_builder_t;

_Static_assert(sizeof(wasi_nn_tensor_t) == 20, "the ABI's tensor struct is 20 bytes");
_Static_assert(sizeof(wasi_nn_graph_builder_t) == 8, "the ABI's builder entry is 8 bytes");

#define WASI_NN_IMPORT(name) __attribute__((import_module("wasi_ephemeral_nn"), import_name(name)))

int32_t wasi_nn_load(const wasi_nn_graph_builder_t* builders, uint32_t builders_len, uint32_t encoding,
                     uint32_t target, uint32_t* out_graph) WASI_NN_IMPORT("load");
int32_t wasi_nn_load_by_name(const char* name, uint32_t name_len, uint32_t* out_graph) WASI_NN_IMPORT("load_by_name");
int32_t wasi_nn_load_by_name_with_config(const char* name, uint32_t name_len, const char* config, uint32_t config_len,
                                         uint32_t* out_graph) WASI_NN_IMPORT("load_by_name_with_config");
int32_t wasi_nn_init_execution_context(uint32_t graph, uint32_t* out_ctx) WASI_NN_IMPORT("init_execution_context");
int32_t wasi_nn_set_input(uint32_t ctx, uint32_t index, const wasi_nn_tensor_t* tensor) WASI_NN_IMPORT("set_input");
int32_t wasi_nn_compute(uint32_t ctx) WASI_NN_IMPORT("compute");
/* A buffer too small for the output: WASI_NN_TOO_LARGE, the buffer untouched, and the length
 * needed in *out_bytes_written. */
int32_t wasi_nn_get_output(uint32_t ctx, uint32_t index, uint8_t* out_buf, uint32_t out_buf_max_len,
                           uint32_t* out_bytes_written) WASI_NN_IMPORT("get_output");
int32_t wasi_nn_compute_single(uint32_t ctx) WASI_NN_IMPORT("compute_single");
int32_t wasi_nn_get_output_single(uint32_t ctx, uint32_t index, uint8_t* out_buf, uint32_t out_buf_max_len,
                                  uint32_t* out_bytes_written) WASI_NN_IMPORT("get_output_single");
int32_t wasi_nn_fini_single(uint32_t ctx) WASI_NN_IMPORT("fini_single");
int32_t wasi_nn_unload(uint32_t graph) WASI_NN_IMPORT("unload");
int32_t wasi_nn_finalize_execution_context(uint32_t ctx) WASI_NN_IMPORT("finalize_execution_context");

#endif
