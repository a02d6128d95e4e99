/* Helpers the wasi:nn component guests share (over wit-bindgen's bindings in chat.h). */
#ifndef NN_COMPONENT_GUEST_H
#define NN_COMPONENT_GUEST_H

#include <stdio.h>
#include <stdlib.h>

#include "chat.h"

/* Prints `error: <error-code index> <data>` on stderr and exits 1: a component's exit status
 * can only say success or failure, so the code travels on stderr. */
static inline void nn_fail(wasi_nn_errors_own_error_t error) {
  wasi_nn_errors_borrow_error_t borrowed = wasi_nn_errors_borrow_error(error);
  chat_string_t data;
  wasi_nn_errors_method_error_data(borrowed, &data);
  fprintf(stderr, "error: %d %.*s\n", wasi_nn_errors_method_error_code(borrowed), (int)data.len, (const char*)data.ptr);
  exit(1);
}

/* wit-bindgen's list free releases memory only: the tensor handles we own are dropped here. */
static inline void nn_free_outputs(wasi_nn_inference_list_named_tensor_t* outputs) {
  for (size_t i = 0; i < outputs->len; ++i) wasi_nn_tensor_tensor_drop_own(outputs->ptr[i].f1);
  wasi_nn_inference_list_named_tensor_free(outputs);
}

#endif
