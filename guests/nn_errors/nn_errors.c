/* Misuses of wasi_ephemeral_nn from inside a guest. Prints `<case> <errno>` per line (some with
 * extra `key=value` facts after it) and carries on after each, so one run shows the host answers
 * every misuse with an error number and keeps running.
 *
 *   nn_errors.wasm MODEL      (a GenAI model name) */
#include "nn_guest.h"

/* Far beyond any wasm32 guest's memory, but valid i32 values. */
#define OUTSIDE_MEMORY(type) ((type)0xFFFFFF00u)

static void report(const char* name, int32_t err) { printf("%s %d\n", name, (int)err); }

static int32_t load_named(const char* name, uint32_t* graph) {
  return wasi_nn_load_by_name(name, strlen(name), graph);
}

static int32_t set_tensor(uint32_t ctx, uint32_t type, const uint32_t* dims, uint32_t dims_len, const void* data,
                          uint32_t data_len) {
  wasi_nn_tensor_t tensor = {dims, dims_len, type, data, data_len};
  return wasi_nn_set_input(ctx, 0, &tensor);
}

static void loading(void) {
  uint32_t graph;
  report("unknown_model", load_named("no-such-model", &graph));
  report("dotdot_name", load_named("../etc", &graph));
  report("invalid_utf8_name", load_named("\xff\xfe", &graph));
  report("name_out_of_bounds", wasi_nn_load_by_name(OUTSIDE_MEMORY(const char*), 16, &graph));
  report("out_graph_out_of_bounds", wasi_nn_load_by_name("x", 1, OUTSIDE_MEMORY(uint32_t*)));

  static const uint8_t not_a_model[] = {1, 2, 3, 4};
  wasi_nn_graph_builder_t builder = {not_a_model, sizeof not_a_model};
  report("unknown_encoding", wasi_nn_load(&builder, 1, 42, WASI_NN_TARGET_CPU, &graph));
  report("unknown_target", wasi_nn_load(&builder, 1, WASI_NN_ENCODING_ONNX, 9, &graph));
  wasi_nn_graph_builder_t outside = {OUTSIDE_MEMORY(const uint8_t*), 0x200};
  report("builder_out_of_bounds", wasi_nn_load(&outside, 1, WASI_NN_ENCODING_ONNX, WASI_NN_TARGET_CPU, &graph));
}

static void inputs(uint32_t ctx) {
  static const uint32_t one[1] = {1};
  static const uint32_t many[1000];
  static const float number = 1.0f;
  report("wrong_prompt_type", set_tensor(ctx, WASI_NN_TYPE_F32, one, 1, &number, sizeof number));
  report("unknown_tensor_type", set_tensor(ctx, 9, one, 1, "x", 1));
  report("too_many_dims", set_tensor(ctx, WASI_NN_TYPE_U8, many, 1000, "x", 1));
  report("huge_data_len", set_tensor(ctx, WASI_NN_TYPE_U8, one, 1, "x", 0x7FFFFFFFu));
  report("tensor_out_of_bounds", wasi_nn_set_input(ctx, 0, (const wasi_nn_tensor_t*)0xFFFFFFF0u));
  report("data_out_of_bounds", set_tensor(ctx, WASI_NN_TYPE_U8, one, 1, OUTSIDE_MEMORY(const void*), 16));
  static const char bad_utf8[] = "\xc3\x28";
  uint32_t len = sizeof bad_utf8 - 1;
  report("invalid_utf8_prompt", set_tensor(ctx, WASI_NN_TYPE_U8, &len, 1, bad_utf8, len));
}

static void outputs(uint32_t ctx) {
  uint8_t buf[64];
  uint32_t written = 0;
  nn_check("set_input", nn_set_text(ctx, 0, "Hello"));
  report("get_output_before_compute", wasi_nn_get_output(ctx, 0, buf, sizeof buf, &written));
  nn_check("compute", wasi_nn_compute(ctx));

  /* The metadata output: never empty, so a 4-byte buffer is always too small. */
  memset(buf, 0xAA, sizeof buf);
  int32_t err = wasi_nn_get_output(ctx, 1, buf, 4, &written);
  int untouched = 1;
  for (size_t i = 0; i < sizeof buf; ++i) untouched &= buf[i] == 0xAA;
  printf("small_output_buffer %d reported=%u untouched=%d\n", (int)err, (unsigned)written, untouched);
  uint8_t* exact = malloc(written);
  uint32_t reported = written;
  err = wasi_nn_get_output(ctx, 1, exact, reported, &written);
  printf("retry_with_reported_size %d written=%u\n", (int)err, (unsigned)written);
  free(exact);

  report("written_ptr_out_of_bounds", wasi_nn_get_output(ctx, 1, buf, sizeof buf, OUTSIDE_MEMORY(uint32_t*)));
  report("buffer_out_of_bounds", wasi_nn_get_output(ctx, 1, OUTSIDE_MEMORY(uint8_t*), 0x1000, &written));
  report("unknown_output_index", wasi_nn_get_output(ctx, 7, buf, sizeof buf, &written));
}

static void handles(uint32_t graph) {
  uint32_t ctx;
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  static const uint32_t dims[2] = {1, 2};
  static const int64_t ids[2] = {1, 450};
  nn_check("set_input", set_tensor(ctx, WASI_NN_TYPE_I64, dims, 2, ids, sizeof ids));
  report("compute_single_on_input_ids", wasi_nn_compute_single(ctx));
  nn_check("finalize_execution_context", wasi_nn_finalize_execution_context(ctx));
  report("finalized_context", wasi_nn_compute(ctx));
  report("finalize_twice", wasi_nn_finalize_execution_context(ctx));
  report("unknown_context", wasi_nn_compute(12345));
  report("out_ctx_out_of_bounds", wasi_nn_init_execution_context(graph, OUTSIDE_MEMORY(uint32_t*)));

  /* A context keeps its graph alive after unload; the graph's handle is gone. */
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  report("unload", wasi_nn_unload(graph));
  nn_check("set_input", nn_set_text(ctx, 0, "Hello"));
  report("compute_after_unload", wasi_nn_compute(ctx));
  report("unloaded_graph", wasi_nn_init_execution_context(graph, &ctx));
  report("unload_twice", wasi_nn_unload(graph));
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: nn_errors MODEL\n");
    return 2;
  }
  static const char config[] = "{\"n-predict\": 4}";
  loading();
  uint32_t graph, ctx;
  nn_check("load_by_name_with_config",
           wasi_nn_load_by_name_with_config(argv[1], strlen(argv[1]), config, sizeof config - 1, &graph));
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  inputs(ctx);
  outputs(ctx);
  handles(graph);
  return 0;
}
