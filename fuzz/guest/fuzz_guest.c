// The component ABI's fuzz guest: it runs a program the fuzzer wrote against wasi:nn, through
// the canonical ABI as any component guest would, so that arbitrary tensors (ranks, dimensions,
// types, data sizes), names, graph builders and call orders reach our host functions.
//
// The guest keeps its handles valid (it never passes a dropped handle): a stale handle is a
// guest fault that wasmtime itself traps on, and the point is to fuzz the host's checks.
//
// Program format (fuzz/make_seed_corpus.py writes it too). Bytes are read in order; reading past
// the end gives zeros, so every byte string is a valid program. An operation is one byte, taken
// modulo kOps:
//   0 tensor      rank:u8 (mod 20) dims:value*rank type:u8 (mod 7) len:u16 data:len bytes
//   1 load-by-name  name
//   2 load        count:u8 (mod 4) {len:u16 bytes}*count encoding:u8 (mod 7) target:u8 (mod 3)
//   3 init-execution-context  graph:u8
//   4 compute     context:u8 count:u8 (mod 5) {name tensor:u8}*count
//   5 tensor.dimensions t   6 tensor.ty t   7 tensor.data t
//   8 drop tensor t   9 drop graph g   10 drop context c
// where a slot byte (t, g, c) is taken modulo kSlots and an empty slot skips the operation; a
// name is a byte k: k < 8 picks a well-known name, otherwise len:u8 bytes, made printable ASCII
// (strings must be valid UTF-8 in the canonical ABI); a value is a selector byte s: s < 0x80 is
// s itself, s < 0xc0 is followed by a u16, otherwise by a u32 (little-endian). Every error is
// read (code and data) and dropped.
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

enum { kOps = 11, kSlots = 16, kMaxRank = 20, kNames = 8 };

static const char* const kWellKnownNames[kNames] = {"prompt", "messages", "options", "input_ids",
                                                    "X",      "input",    "metadata", "logits"};

typedef struct {
  const uint8_t* data;
  size_t len;
  size_t pos;
} Reader;

static uint8_t u8(Reader* r) { return r->pos < r->len ? r->data[r->pos++] : 0; }
static uint16_t u16(Reader* r) { return (uint16_t)(u8(r) | (u8(r) << 8)); }
static uint32_t u32(Reader* r) { return (uint32_t)u16(r) | ((uint32_t)u16(r) << 16); }
static uint32_t value(Reader* r) {
  uint8_t s = u8(r);
  return s < 0x80 ? s : s < 0xc0 ? u16(r) : u32(r);
}
// `len` bytes of the program (zeros past its end) in a new allocation.
static uint8_t* bytes(Reader* r, size_t len) {
  uint8_t* out = calloc(len ? len : 1, 1);
  for (size_t i = 0; i < len; ++i) out[i] = u8(r);
  return out;
}
static void name(Reader* r, fuzz_string_t* out) {
  uint8_t k = u8(r);
  if (k < kNames) {
    fuzz_string_dup(out, kWellKnownNames[k]);
    return;
  }
  size_t len = u8(r);
  uint8_t* text = bytes(r, len);
  for (size_t i = 0; i < len; ++i) text[i] = (uint8_t)(0x20 + text[i] % 0x5f);
  out->ptr = text;
  out->len = len;
}

static wasi_nn_tensor_own_tensor_t tensors[kSlots];
static wasi_nn_graph_own_graph_t graphs[kSlots];
static wasi_nn_inference_own_graph_execution_context_t contexts[kSlots];
static uint32_t calls;

// Handles are never 0 in the component model, so 0 marks an empty slot.
#define EMPTY(slot) ((slot).__handle == 0)

// A free slot; when all are taken, the oldest value is dropped with `drop`.
#define FREE_SLOT(table, drop)                                         \
  ({                                                                   \
    int found_ = 0;                                                    \
    while (found_ < kSlots && !EMPTY(table[found_])) ++found_;         \
    if (found_ == kSlots) {                                            \
      drop(table[0]);                                                  \
      ++calls;                                                         \
      table[0].__handle = 0;                                           \
      found_ = 0;                                                      \
    }                                                                  \
    found_;                                                            \
  })

static void consume_error(wasi_nn_errors_own_error_t error) {
  wasi_nn_errors_borrow_error_t borrowed = wasi_nn_errors_borrow_error(error);
  (void)wasi_nn_errors_method_error_code(borrowed);
  fuzz_string_t data;
  wasi_nn_errors_method_error_data(borrowed, &data);
  fuzz_string_free(&data);
  wasi_nn_errors_error_drop_own(error);
  calls += 3;
}

static void op_tensor(Reader* r) {
  uint32_t dims[kMaxRank];
  size_t rank = u8(r) % kMaxRank;
  for (size_t i = 0; i < rank; ++i) dims[i] = value(r);
  wasi_nn_tensor_tensor_type_t type = u8(r) % 7;
  size_t len = u16(r);
  wasi_nn_tensor_tensor_dimensions_t dim_list = {dims, rank};
  wasi_nn_tensor_tensor_data_t data = {bytes(r, len), len};
  int slot = FREE_SLOT(tensors, wasi_nn_tensor_tensor_drop_own);
  tensors[slot] = wasi_nn_tensor_constructor_tensor(&dim_list, type, &data);
  ++calls;
  free(data.ptr);
}

static void keep_graph(bool ok, wasi_nn_graph_own_graph_t graph, wasi_nn_graph_own_error_t error) {
  ++calls;
  if (!ok) {
    consume_error(error);
    return;
  }
  int slot = FREE_SLOT(graphs, wasi_nn_graph_graph_drop_own);
  graphs[slot] = graph;
}

static void op_load_by_name(Reader* r) {
  fuzz_string_t model;
  name(r, &model);
  wasi_nn_graph_own_graph_t graph;
  wasi_nn_graph_own_error_t error;
  bool ok = wasi_nn_graph_load_by_name(&model, &graph, &error);
  keep_graph(ok, graph, error);
  fuzz_string_free(&model);
}

static void op_load(Reader* r) {
  wasi_nn_graph_graph_builder_t builders[4];
  size_t count = u8(r) % 4;
  for (size_t i = 0; i < count; ++i) {
    builders[i].len = u16(r);
    builders[i].ptr = bytes(r, builders[i].len);
  }
  wasi_nn_graph_graph_encoding_t encoding = u8(r) % 7;
  wasi_nn_graph_execution_target_t target = u8(r) % 3;
  wasi_nn_graph_list_graph_builder_t list = {builders, count};
  wasi_nn_graph_own_graph_t graph;
  wasi_nn_graph_own_error_t error;
  bool ok = wasi_nn_graph_load(&list, encoding, target, &graph, &error);
  keep_graph(ok, graph, error);
  for (size_t i = 0; i < count; ++i) free(builders[i].ptr);
}

static void op_init_execution_context(Reader* r) {
  int g = u8(r) % kSlots;
  if (EMPTY(graphs[g])) return;
  wasi_nn_graph_own_graph_execution_context_t context;
  wasi_nn_graph_own_error_t error;
  bool ok = wasi_nn_graph_method_graph_init_execution_context(wasi_nn_graph_borrow_graph(graphs[g]), &context, &error);
  ++calls;
  if (!ok) {
    consume_error(error);
    return;
  }
  int slot = FREE_SLOT(contexts, wasi_nn_inference_graph_execution_context_drop_own);
  contexts[slot] = context;
}

static void op_compute(Reader* r) {
  int c = u8(r) % kSlots;
  size_t count = u8(r) % 5;
  wasi_nn_inference_named_tensor_t inputs[5];
  size_t used = 0;
  for (size_t i = 0; i < count; ++i) {
    fuzz_string_t input_name;
    name(r, &input_name);
    int t = u8(r) % kSlots;
    if (EMPTY(tensors[t])) {  // no tensor there: this input is left out
      fuzz_string_free(&input_name);
      continue;
    }
    inputs[used].f0 = input_name;
    inputs[used].f1 = tensors[t];  // an own handle: it moves to the host
    tensors[t].__handle = 0;
    ++used;
  }
  if (EMPTY(contexts[c])) {
    // Nothing to compute on: the tensors taken above go back to the host as drops.
    for (size_t i = 0; i < used; ++i) {
      wasi_nn_tensor_tensor_drop_own(inputs[i].f1);
      ++calls;
      fuzz_string_free(&inputs[i].f0);
    }
    return;
  }
  wasi_nn_inference_list_named_tensor_t list = {inputs, used}, outputs;
  wasi_nn_inference_own_error_t error;
  bool ok = wasi_nn_inference_method_graph_execution_context_compute(
      wasi_nn_inference_borrow_graph_execution_context(contexts[c]), &list, &outputs, &error);
  ++calls;
  for (size_t i = 0; i < used; ++i) fuzz_string_free(&inputs[i].f0);
  if (!ok) {
    consume_error(error);
    return;
  }
  for (size_t i = 0; i < outputs.len; ++i) {
    fuzz_string_free(&outputs.ptr[i].f0);
    int slot = FREE_SLOT(tensors, wasi_nn_tensor_tensor_drop_own);
    tensors[slot] = outputs.ptr[i].f1;
  }
  free(outputs.ptr);
}

static void op_tensor_query(Reader* r, int which) {
  int t = u8(r) % kSlots;
  if (EMPTY(tensors[t])) return;
  wasi_nn_tensor_borrow_tensor_t borrowed = wasi_nn_tensor_borrow_tensor(tensors[t]);
  ++calls;
  if (which == 0) {
    wasi_nn_tensor_tensor_dimensions_t dims;
    wasi_nn_tensor_method_tensor_dimensions(borrowed, &dims);
    wasi_nn_tensor_tensor_dimensions_free(&dims);
  } else if (which == 1) {
    (void)wasi_nn_tensor_method_tensor_ty(borrowed);
  } else {
    wasi_nn_tensor_tensor_data_t data;
    wasi_nn_tensor_method_tensor_data(borrowed, &data);
    wasi_nn_tensor_tensor_data_free(&data);
  }
}

#define DROP_SLOT(r, table, drop)        \
  do {                                   \
    int s_ = u8(r) % kSlots;             \
    if (!EMPTY(table[s_])) {             \
      drop(table[s_]);                   \
      ++calls;                           \
      table[s_].__handle = 0;            \
    }                                    \
  } while (0)

uint32_t exports_fuzz_run_program(fuzz_list_u8_t* program) {
  Reader r = {program->ptr, program->len, 0};
  calls = 0;
  while (r.pos < r.len) {
    switch (u8(&r) % kOps) {
      case 0: op_tensor(&r); break;
      case 1: op_load_by_name(&r); break;
      case 2: op_load(&r); break;
      case 3: op_init_execution_context(&r); break;
      case 4: op_compute(&r); break;
      case 5: op_tensor_query(&r, 0); break;
      case 6: op_tensor_query(&r, 1); break;
      case 7: op_tensor_query(&r, 2); break;
      case 8: DROP_SLOT(&r, tensors, wasi_nn_tensor_tensor_drop_own); break;
      case 9: DROP_SLOT(&r, graphs, wasi_nn_graph_graph_drop_own); break;
      case 10: DROP_SLOT(&r, contexts, wasi_nn_inference_graph_execution_context_drop_own); break;
    }
  }
  // Contexts first: a context keeps its graph's model in use.
  for (int i = 0; i < kSlots; ++i) {
    if (!EMPTY(contexts[i])) wasi_nn_inference_graph_execution_context_drop_own(contexts[i]), ++calls;
    if (!EMPTY(tensors[i])) wasi_nn_tensor_tensor_drop_own(tensors[i]), ++calls;
    contexts[i].__handle = tensors[i].__handle = 0;
  }
  for (int i = 0; i < kSlots; ++i) {
    if (!EMPTY(graphs[i])) wasi_nn_graph_graph_drop_own(graphs[i]), ++calls;
    graphs[i].__handle = 0;
  }
  fuzz_list_u8_free(program);
  return calls;
}

// No WASI and no crt: constructors (none here, but the libc's) run once from here, which the
// component model calls when it instantiates the guest.
extern void __wasm_call_ctors(void);
__attribute__((export_name("_initialize"))) void _initialize(void) { __wasm_call_ctors(); }
