/* A WasmEdge-style LLM guest: one prompt in, the whole response out.
 *
 *   chat.wasm MODEL PROMPT [OPTIONS_JSON]
 *
 * Prints the response and a newline to stdout, and `metadata: {...}` (output 1) and
 * `request_ms: <ms from set_input to the response read>` to stderr (the ABI benchmark compares
 * it with a native request). On a failed call it prints `error: <function> <errno>` and exits
 * with the error number. */
#include <time.h>

#include "nn_guest.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: chat MODEL PROMPT [OPTIONS_JSON]\n");
    return 2;
  }
  const char* model = argv[1];
  const char* prompt = argv[2];
  const char* options = argc > 3 ? argv[3] : NULL;
  const char* config = options != NULL ? options : "{}";

  uint32_t graph, ctx;
  nn_check("load_by_name_with_config",
           wasi_nn_load_by_name_with_config(model, strlen(model), config, strlen(config), &graph));
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  /* dims [1] whatever the length, exactly as WasmEdge's published LLM guests send a prompt. */
  uint32_t dims[1] = {1};
  double start = now_ms();
  wasi_nn_tensor_t input = {dims, 1, WASI_NN_TYPE_U8, (const uint8_t*)prompt, strlen(prompt)};
  nn_check("set_input", wasi_nn_set_input(ctx, 0, &input));
  if (options != NULL) nn_check("set_input", nn_set_text(ctx, 1, options));
  nn_check("compute", wasi_nn_compute(ctx));

  uint8_t* text;
  uint32_t len;
  nn_check("get_output", nn_read_output(wasi_nn_get_output, ctx, 0, &text, &len));
  double request_ms = now_ms() - start;
  fwrite(text, 1, len, stdout);
  fputc('\n', stdout);
  uint8_t* metadata;
  nn_check("get_output", nn_read_output(wasi_nn_get_output, ctx, 1, &metadata, &len));
  fprintf(stderr, "metadata: %s\nrequest_ms: %.3f\n", (const char*)metadata, request_ms);

  free(text);
  free(metadata);
  nn_check("finalize_execution_context", wasi_nn_finalize_execution_context(ctx));
  nn_check("unload", wasi_nn_unload(graph));
  return 0;
}
