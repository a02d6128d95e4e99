/* A guest for the byte-loaded ONNX backend: loads a model file's bytes with `load` and runs
 * one f32 input through it.
 *
 *   classify.wasm MODEL.onnx X...      (the file in a preopened directory)
 *
 * Sets input 0 to f32 [1, count of X], computes, and prints output 0's f32 values (%.6f,
 * space-separated) on one line. REPEAT=N in the environment computes N times (the ABI
 * benchmark measures per-compute cost as the difference between runs with different N). */
#include "guest_files.h"
#include "nn_guest.h"


int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: classify MODEL.onnx X...\n");
    return 2;
  }
  wasi_nn_graph_builder_t builder;
  size_t model_len;
  uint8_t* model = read_whole_file(argv[1], &model_len);
  builder.data = model;
  builder.len = (uint32_t)model_len;
  uint32_t count = (uint32_t)(argc - 2);
  float* x = malloc(count * sizeof(float));
  for (uint32_t i = 0; i < count; ++i) x[i] = strtof(argv[2 + i], NULL);

  uint32_t graph, ctx;
  nn_check("load", wasi_nn_load(&builder, 1, WASI_NN_ENCODING_ONNX, WASI_NN_TARGET_CPU, &graph));
  free(model);
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  uint32_t dims[2] = {1, count};
  wasi_nn_tensor_t input = {dims, 2, WASI_NN_TYPE_F32, (const uint8_t*)x, count * (uint32_t)sizeof(float)};
  const char* repeat_env = getenv("REPEAT");
  long repeat = repeat_env ? strtol(repeat_env, NULL, 10) : 1;
  uint8_t* bytes = NULL;
  uint32_t len = 0;
  for (long r = 0; r < repeat; ++r) {
    free(bytes);
    nn_check("set_input", wasi_nn_set_input(ctx, 0, &input));
    nn_check("compute", wasi_nn_compute(ctx));
    nn_check("get_output", nn_read_output(wasi_nn_get_output, ctx, 0, &bytes, &len));
  }
  const float* y = (const float*)bytes;
  for (uint32_t i = 0; i < len / sizeof(float); ++i) printf(i == 0 ? "%.6f" : " %.6f", (double)y[i]);
  printf("\n");
  return 0;
}
