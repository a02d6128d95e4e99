/* Test guest: loads a model, opens two execution contexts, starts a streamed generation in one
 * and a whole one in the other, and exits without fini_single, finalize_execution_context or
 * unload, so a host test can check that what a careless guest leaves behind dies with its
 * instance.
 *
 *   abandon.wasm MODEL PROMPT     prints "abandoned", exit 0 */
#include "nn_guest.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: abandon MODEL PROMPT\n");
    return 2;
  }
  uint32_t graph, streaming, whole;
  nn_check("load_by_name", wasi_nn_load_by_name(argv[1], (uint32_t)strlen(argv[1]), &graph));
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &streaming));
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &whole));
  nn_check("set_input", nn_set_text(streaming, 0, argv[2]));
  nn_check("compute_single", wasi_nn_compute_single(streaming));
  nn_check("set_input", nn_set_text(whole, 0, argv[2]));
  nn_check("compute", wasi_nn_compute(whole));
  printf("abandoned\n");
  return 0;
}
