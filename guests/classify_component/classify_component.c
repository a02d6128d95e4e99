// The component twin of classify.wasm: loads an ONNX model's bytes with wasi:nn's `load`, runs
// one f32 input through it by name ("input"), prints the first output's values.
//
//   classify_component MODEL.onnx X...     (the file in a preopened directory)
//
// REPEAT=N in the environment computes N times (the ABI benchmark measures per-compute cost as
// the difference between runs with different N). Errors: `error: <code> <data>`, exit 1.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_files.h"
#include "nn_component_guest.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: classify_component MODEL.onnx X...\n");
    return 2;
  }
  wasi_nn_graph_graph_builder_t builder;
  builder.ptr = read_whole_file(argv[1], &builder.len);
  wasi_nn_graph_list_graph_builder_t builders = {&builder, 1};
  wasi_nn_graph_own_graph_t graph;
  wasi_nn_errors_own_error_t error;
  if (!wasi_nn_graph_load(&builders, WASI_NN_GRAPH_GRAPH_ENCODING_ONNX, WASI_NN_GRAPH_EXECUTION_TARGET_CPU, &graph,
                          &error))
    nn_fail(error);
  free(builder.ptr);
  wasi_nn_graph_own_graph_execution_context_t context;
  if (!wasi_nn_graph_method_graph_init_execution_context(wasi_nn_graph_borrow_graph(graph), &context, &error))
    nn_fail(error);

  uint32_t count = (uint32_t)(argc - 2);
  float* x = malloc(count * sizeof(float));
  for (uint32_t i = 0; i < count; ++i) x[i] = strtof(argv[2 + i], NULL);
  uint32_t dims[2] = {1, count};
  const char* repeat_env = getenv("REPEAT");
  long repeat = repeat_env ? strtol(repeat_env, NULL, 10) : 1;
  wasi_nn_inference_list_named_tensor_t outputs = {NULL, 0};
  for (long r = 0; r < repeat; ++r) {
    if (outputs.ptr != NULL) nn_free_outputs(&outputs);
    wasi_nn_tensor_tensor_dimensions_t dimensions = {dims, 2};
    wasi_nn_tensor_tensor_data_t data = {(uint8_t*)x, count * sizeof(float)};
    wasi_nn_inference_named_tensor_t input;
    chat_string_set(&input.f0, "input");
    input.f1 = wasi_nn_tensor_constructor_tensor(&dimensions, WASI_NN_TENSOR_TENSOR_TYPE_FP32, &data);
    wasi_nn_inference_list_named_tensor_t inputs = {&input, 1};
    if (!wasi_nn_inference_method_graph_execution_context_compute(
            wasi_nn_inference_borrow_graph_execution_context(context), &inputs, &outputs, &error))
      nn_fail(error);
  }
  if (outputs.len == 0) {
    fprintf(stderr, "no outputs\n");
    return 1;
  }
  wasi_nn_tensor_tensor_data_t y;
  wasi_nn_tensor_method_tensor_data(wasi_nn_tensor_borrow_tensor(outputs.ptr[0].f1), &y);
  for (size_t i = 0; i < y.len / sizeof(float); ++i) {
    float v;
    memcpy(&v, y.ptr + i * sizeof(float), sizeof v);
    printf(i == 0 ? "%.6f" : " %.6f", (double)v);
  }
  printf("\n");
  wasi_nn_tensor_tensor_data_free(&y);
  nn_free_outputs(&outputs);
  wasi_nn_inference_graph_execution_context_drop_own(context);
  wasi_nn_graph_graph_drop_own(graph);
  return 0;
}
