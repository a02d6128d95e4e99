// Sentence embeddings through the component ABI: each sentence goes to compute with the
// `embedding` option, and the named f32 output `embedding` ([1, N], L2-normalized mean of the
// model's final hidden state) comes back; the guest prints the two vectors' cosine similarity.
//
//   embed_component MODEL SENTENCE_A SENTENCE_B
//
// Prints `cosine: <similarity>` on stdout and `n_embedding: <N>` on stderr. On a wasi:nn error
// it prints `error: <error-code index> <data>` on stderr and exits 1 (see chat_component.c).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_component_guest.h"

static wasi_nn_inference_named_tensor_t text_input(const char* name, const char* text) {
  uint32_t dims[1] = {(uint32_t)strlen(text)};
  wasi_nn_tensor_tensor_dimensions_t dimensions = {dims, 1};
  wasi_nn_tensor_tensor_data_t data = {(uint8_t*)text, strlen(text)};
  wasi_nn_inference_named_tensor_t input;
  chat_string_set(&input.f0, name);
  input.f1 = wasi_nn_tensor_constructor_tensor(&dimensions, WASI_NN_TENSOR_TENSOR_TYPE_U8, &data);
  return input;
}

static int is_named(const wasi_nn_inference_named_tensor_t* tensor, const char* name) {
  return tensor->f0.len == strlen(name) && memcmp(tensor->f0.ptr, name, tensor->f0.len) == 0;
}

// The embedding of `sentence` as a malloc'd array of *count floats.
static float* embed(wasi_nn_graph_own_graph_execution_context_t context, const char* sentence, size_t* count) {
  wasi_nn_inference_named_tensor_t inputs[2] = {text_input("prompt", sentence),
                                                text_input("options", "{\"embedding\": true}")};
  wasi_nn_inference_list_named_tensor_t input_list = {inputs, 2};
  wasi_nn_inference_list_named_tensor_t outputs;
  wasi_nn_errors_own_error_t error;
  if (!wasi_nn_inference_method_graph_execution_context_compute(
          wasi_nn_inference_borrow_graph_execution_context(context), &input_list, &outputs, &error))
    nn_fail(error);
  float* values = NULL;
  for (size_t i = 0; i < outputs.len && values == NULL; ++i) {
    if (!is_named(&outputs.ptr[i], "embedding")) continue;
    wasi_nn_tensor_tensor_data_t data;
    wasi_nn_tensor_method_tensor_data(wasi_nn_tensor_borrow_tensor(outputs.ptr[i].f1), &data);
    *count = data.len / sizeof(float);
    values = malloc(data.len);
    memcpy(values, data.ptr, data.len);  // little-endian f32, as wasm's own floats
    wasi_nn_tensor_tensor_data_free(&data);
  }
  nn_free_outputs(&outputs);
  if (values == NULL) {
    fprintf(stderr, "error: the host returned no 'embedding' output\n");
    exit(1);
  }
  return values;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s MODEL SENTENCE_A SENTENCE_B\n", argv[0]);
    return 2;
  }
  chat_string_t model;
  chat_string_set(&model, argv[1]);
  wasi_nn_graph_own_graph_t graph;
  wasi_nn_errors_own_error_t error;
  if (!wasi_nn_graph_load_by_name(&model, &graph, &error)) nn_fail(error);
  wasi_nn_graph_own_graph_execution_context_t context;
  if (!wasi_nn_graph_method_graph_init_execution_context(wasi_nn_graph_borrow_graph(graph), &context, &error))
    nn_fail(error);

  size_t n_a = 0, n_b = 0;
  float* a = embed(context, argv[2], &n_a);
  float* b = embed(context, argv[3], &n_b);
  if (n_a != n_b || n_a == 0) {
    fprintf(stderr, "error: embeddings of different sizes (%zu, %zu)\n", n_a, n_b);
    return 1;
  }
  double dot = 0, norm_a = 0, norm_b = 0;
  for (size_t i = 0; i < n_a; ++i) {
    dot += (double)a[i] * b[i];
    norm_a += (double)a[i] * a[i];
    norm_b += (double)b[i] * b[i];
  }
  printf("cosine: %.6f\n", dot / (sqrt(norm_a) * sqrt(norm_b)));
  fprintf(stderr, "n_embedding: %zu\n", n_a);
  free(a);
  free(b);
  wasi_nn_inference_graph_execution_context_drop_own(context);
  wasi_nn_graph_graph_drop_own(graph);
  return 0;
}
