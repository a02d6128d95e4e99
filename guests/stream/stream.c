/* A streaming LLM guest: prints each piece of the response as soon as the host produces it.
 *
 *   stream.wasm MODEL PROMPT [OPTIONS_JSON]
 *
 * compute_single until end-of-sequence (100), get_output_single after each, then fini_single;
 * ends the response with a newline, then prints a one-line summary on stderr from the metadata
 * (output 1) and its own clock: load time, prompt tokens, generated tokens and tokens/s. Any
 * other error: `error: <function> <errno>` on stderr and the error number as exit status. */
#include <time.h>

#include "nn_guest.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The number after "key": in a flat JSON object, or -1. */
static double json_number(const char* json, const char* key) {
  char quoted[64];
  snprintf(quoted, sizeof quoted, "\"%s\":", key);
  const char* at = strstr(json, quoted);
  return at ? strtod(at + strlen(quoted), NULL) : -1;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: stream MODEL PROMPT [OPTIONS_JSON]\n");
    return 2;
  }
  const char* model = argv[1];
  uint32_t graph, ctx;
  double start = now_ms();
  nn_check("load_by_name", wasi_nn_load_by_name(model, strlen(model), &graph));
  double load_ms = now_ms() - start;
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  nn_check("set_input", nn_set_text(ctx, 0, argv[2]));
  if (argc > 3) nn_check("set_input", nn_set_text(ctx, 1, argv[3]));

  for (;;) {
    int32_t err = wasi_nn_compute_single(ctx);
    if (err == WASI_NN_END_OF_SEQUENCE) break;
    nn_check("compute_single", err);
    uint8_t* piece;
    uint32_t len;
    nn_check("get_output_single", nn_read_output(wasi_nn_get_output_single, ctx, 0, &piece, &len));
    fwrite(piece, 1, len, stdout);
    fflush(stdout);
    free(piece);
  }
  fputc('\n', stdout);
  fflush(stdout);
  uint8_t* metadata;
  uint32_t len;
  nn_check("get_output_single", nn_read_output(wasi_nn_get_output_single, ctx, 1, &metadata, &len));
  fprintf(stderr, "[stream] load %.0f ms, prompt %.0f tokens, generated %.0f tokens, %.1f tokens/s\n", load_ms,
          json_number((const char*)metadata, "input_tokens"), json_number((const char*)metadata, "output_tokens"),
          json_number((const char*)metadata, "decode_tokens_per_second"));
  free(metadata);
  nn_check("fini_single", wasi_nn_fini_single(ctx));
  return 0;
}
