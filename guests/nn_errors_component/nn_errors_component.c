// Error cases of the component wasi:nn ABI, from inside a component (world in
// ../chat_component/wit/world.wit). Each case prints `<case> <error-code index>` on stdout
// (`<case> ok` if the call unexpectedly succeeded) and `<case>: <error data>` on stderr, and the
// guest carries on: a bad call must give an `error` resource, never end the guest.
//
//   nn_errors_component MODEL      (MODEL: a GenAI model the host serves by name)
//
// A first line `tensor_round_trip ok|mismatch` checks that a tensor's accessors give back what
// its constructor was given.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

typedef wasi_nn_errors_own_error_t nn_error_t;

static void report_error(const char* name, nn_error_t error) {
  wasi_nn_errors_borrow_error_t borrowed = wasi_nn_errors_borrow_error(error);
  chat_string_t data;
  wasi_nn_errors_method_error_data(borrowed, &data);
  printf("%s %d\n", name, wasi_nn_errors_method_error_code(borrowed));
  fprintf(stderr, "%s: %.*s\n", name, (int)data.len, (const char*)data.ptr);
  chat_string_free(&data);
  wasi_nn_errors_error_drop_own(error);
}

static wasi_nn_tensor_own_tensor_t make_tensor(const uint32_t* dims, size_t rank, wasi_nn_tensor_tensor_type_t type,
                                               const void* bytes, size_t len) {
  wasi_nn_tensor_tensor_dimensions_t dimensions = {(uint32_t*)dims, rank};
  wasi_nn_tensor_tensor_data_t data = {(uint8_t*)bytes, len};
  return wasi_nn_tensor_constructor_tensor(&dimensions, type, &data);
}

static wasi_nn_tensor_own_tensor_t text_tensor(const char* text) {
  uint32_t dims[1] = {(uint32_t)strlen(text)};
  return make_tensor(dims, 1, WASI_NN_TENSOR_TENSOR_TYPE_U8, text, strlen(text));
}

static void check_load_by_name(const char* name, const char* model) {
  chat_string_t model_name;
  chat_string_set(&model_name, model);
  wasi_nn_graph_own_graph_t graph;
  nn_error_t error;
  if (wasi_nn_graph_load_by_name(&model_name, &graph, &error)) {
    printf("%s ok\n", name);
    wasi_nn_graph_graph_drop_own(graph);
  } else {
    report_error(name, error);
  }
}

static void check_load(const char* name, wasi_nn_graph_graph_encoding_t encoding) {
  static const char kGarbage[] = "this is not a model";
  wasi_nn_graph_graph_builder_t builder = {(uint8_t*)kGarbage, sizeof kGarbage - 1};
  wasi_nn_graph_list_graph_builder_t builders = {&builder, 1};
  wasi_nn_graph_own_graph_t graph;
  nn_error_t error;
  if (wasi_nn_graph_load(&builders, encoding, WASI_NN_GRAPH_EXECUTION_TARGET_CPU, &graph, &error)) {
    printf("%s ok\n", name);
    wasi_nn_graph_graph_drop_own(graph);
  } else {
    report_error(name, error);
  }
}

// Computes with one input on a fresh context (the tensor moves to the host either way).
static void check_compute(const char* name, wasi_nn_graph_own_graph_t graph, const char* input_name,
                          wasi_nn_tensor_own_tensor_t tensor) {
  wasi_nn_graph_own_graph_execution_context_t context;
  nn_error_t error;
  if (!wasi_nn_graph_method_graph_init_execution_context(wasi_nn_graph_borrow_graph(graph), &context, &error)) {
    report_error(name, error);
    wasi_nn_tensor_tensor_drop_own(tensor);
    return;
  }
  wasi_nn_inference_named_tensor_t input;
  chat_string_set(&input.f0, input_name);
  input.f1 = tensor;
  wasi_nn_inference_list_named_tensor_t inputs = {&input, 1};
  wasi_nn_inference_list_named_tensor_t outputs;
  if (wasi_nn_inference_method_graph_execution_context_compute(
          wasi_nn_inference_borrow_graph_execution_context(context), &inputs, &outputs, &error)) {
    printf("%s ok\n", name);
    wasi_nn_inference_list_named_tensor_free(&outputs);
  } else {
    report_error(name, error);
  }
  wasi_nn_inference_graph_execution_context_drop_own(context);
}

static void check_tensor_round_trip(void) {
  const uint32_t dims[2] = {1, 2};
  const int64_t values[2] = {-1, 1234567890123};
  wasi_nn_tensor_own_tensor_t tensor = make_tensor(dims, 2, WASI_NN_TENSOR_TENSOR_TYPE_I64, values, sizeof values);
  wasi_nn_tensor_borrow_tensor_t borrowed = wasi_nn_tensor_borrow_tensor(tensor);
  wasi_nn_tensor_tensor_dimensions_t got_dims;
  wasi_nn_tensor_tensor_data_t got_data;
  wasi_nn_tensor_method_tensor_dimensions(borrowed, &got_dims);
  wasi_nn_tensor_method_tensor_data(borrowed, &got_data);
  int same = wasi_nn_tensor_method_tensor_ty(borrowed) == WASI_NN_TENSOR_TENSOR_TYPE_I64 && got_dims.len == 2 &&
             memcmp(got_dims.ptr, dims, sizeof dims) == 0 && got_data.len == sizeof values &&
             memcmp(got_data.ptr, values, sizeof values) == 0;
  printf("tensor_round_trip %s\n", same ? "ok" : "mismatch");
  wasi_nn_tensor_tensor_dimensions_free(&got_dims);
  wasi_nn_tensor_tensor_data_free(&got_data);
  wasi_nn_tensor_tensor_drop_own(tensor);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL\n", argv[0]);
    return 2;
  }
  check_tensor_round_trip();
  check_load_by_name("unknown_model", "no-such-model");
  check_load_by_name("path_traversal", "../etc");

  chat_string_t model;
  chat_string_set(&model, argv[1]);
  wasi_nn_graph_own_graph_t graph;
  nn_error_t error;
  if (!wasi_nn_graph_load_by_name(&model, &graph, &error)) {
    report_error("load_model", error);
    return 1;
  }

  const uint32_t four[1] = {4};
  check_compute("data_length_mismatch", graph, "prompt", make_tensor(four, 1, WASI_NN_TENSOR_TENSOR_TYPE_U8, "abc", 3));
  uint32_t ones[17];
  for (size_t i = 0; i < 17; ++i) ones[i] = 1;
  check_compute("rank_too_large", graph, "prompt", make_tensor(ones, 17, WASI_NN_TENSOR_TENSOR_TYPE_U8, "a", 1));
  const uint32_t absurd[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
  check_compute("absurd_dims", graph, "prompt", make_tensor(absurd, 4, WASI_NN_TENSOR_TENSOR_TYPE_U8, "a", 1));
  check_compute("invalid_utf8", graph, "prompt", text_tensor("caf\xc3(\xff"));
  check_compute("unknown_input", graph, "no_such_input", text_tensor("hello"));
  const uint32_t one_by_one[2] = {1, 1};
  const int64_t out_of_vocabulary[1] = {1000000000};
  check_compute("input_ids_out_of_vocabulary", graph, "input_ids",
                make_tensor(one_by_one, 2, WASI_NN_TENSOR_TENSOR_TYPE_I64, out_of_vocabulary, sizeof out_of_vocabulary));
  check_load("garbage_onnx", WASI_NN_GRAPH_GRAPH_ENCODING_ONNX);
  check_load("openvino", WASI_NN_GRAPH_GRAPH_ENCODING_OPENVINO);

  wasi_nn_graph_graph_drop_own(graph);
  return 0;
}
