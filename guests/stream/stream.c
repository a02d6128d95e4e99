/* A streaming LLM guest: prints each piece of the response as soon as the host produces it.
 *
 *   stream.wasm MODEL PROMPT [OPTIONS_JSON]
 *
 * compute_single until end-of-sequence (100), get_output_single after each, then fini_single;
 * ends the response with a newline. Any other error: `error: <function> <errno>` on stderr and
 * the error number as exit status. */
#include "nn_guest.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: stream MODEL PROMPT [OPTIONS_JSON]\n");
    return 2;
  }
  const char* model = argv[1];
  uint32_t graph, ctx;
  nn_check("load_by_name", wasi_nn_load_by_name(model, strlen(model), &graph));
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
  nn_check("fini_single", wasi_nn_fini_single(ctx));
  return 0;
}
