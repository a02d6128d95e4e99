// A chat guest built as a wasip2 component: one prompt through wasi:nn's component interfaces
// (load-by-name, init-execution-context, compute with named tensors), using wit-bindgen's C
// bindings for the world in wit/world.wit.
//
//   chat_component MODEL PROMPT [OPTIONS_JSON]
//
// Prints the `response` tensor's text and a newline on stdout, and `metadata: <json>` and
// `request_ms: <ms from building the inputs to the outputs' return>` on stderr (the ABI
// benchmark compares it with a native request).
// On a wasi:nn error it prints `error: <error-code index> <data>` on stderr and exits 1: a
// component's exit status can only say success or failure (wasi:cli/exit takes a `result`), so
// the code travels on stderr. Bad usage exits 2 (also seen by the host as failure).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn_component_guest.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// A named u8 tensor of `text`'s bytes, dims [len]; the host copies the arguments.
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

static void write_tensor_text(FILE* out, const wasi_nn_inference_named_tensor_t* tensor) {
  wasi_nn_tensor_tensor_data_t data;
  wasi_nn_tensor_method_tensor_data(wasi_nn_tensor_borrow_tensor(tensor->f1), &data);
  fwrite(data.ptr, 1, data.len, out);
  wasi_nn_tensor_tensor_data_free(&data);
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s MODEL PROMPT [OPTIONS_JSON]\n", argv[0]);
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

  double start = now_ms();
  wasi_nn_inference_named_tensor_t inputs[2];
  size_t input_count = 0;
  inputs[input_count++] = text_input("prompt", argv[2]);
  if (argc == 4) inputs[input_count++] = text_input("options", argv[3]);
  wasi_nn_inference_list_named_tensor_t input_list = {inputs, input_count};
  wasi_nn_inference_list_named_tensor_t outputs;
  if (!wasi_nn_inference_method_graph_execution_context_compute(
          wasi_nn_inference_borrow_graph_execution_context(context), &input_list, &outputs, &error))
    nn_fail(error);
  double request_ms = now_ms() - start;

  for (size_t i = 0; i < outputs.len; ++i) {
    if (is_named(&outputs.ptr[i], "response")) {
      write_tensor_text(stdout, &outputs.ptr[i]);
      fputc('\n', stdout);
    } else if (is_named(&outputs.ptr[i], "metadata")) {
      fputs("metadata: ", stderr);
      write_tensor_text(stderr, &outputs.ptr[i]);
      fputc('\n', stderr);
    }
  }
  fprintf(stderr, "request_ms: %.3f\n", request_ms);
  nn_free_outputs(&outputs);
  wasi_nn_inference_graph_execution_context_drop_own(context);
  wasi_nn_graph_graph_drop_own(graph);
  return 0;
}
