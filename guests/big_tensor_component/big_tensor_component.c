// Hands the host one large u8 tensor through wasi:nn's tensor constructor, to measure what a
// big `list<u8>` costs the host (the component ABI lifts it value by value before the host's
// size limit can look at it), then reads its size back.
//
//   big_tensor_component KIB      prints "tensor of N bytes", exit 0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_component_guest.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: big_tensor_component KIB\n");
    return 2;
  }
  uint32_t bytes = (uint32_t)strtoul(argv[1], NULL, 10) << 10;
  uint8_t* payload = malloc(bytes ? bytes : 1);
  if (payload == NULL) {
    fprintf(stderr, "cannot allocate %u bytes\n", bytes);
    return 1;
  }
  memset(payload, 7, bytes);
  uint32_t dims[1] = {bytes};
  wasi_nn_tensor_tensor_dimensions_t dimensions = {dims, 1};
  wasi_nn_tensor_tensor_data_t data = {payload, bytes};
  wasi_nn_tensor_own_tensor_t tensor = wasi_nn_tensor_constructor_tensor(&dimensions, WASI_NN_TENSOR_TENSOR_TYPE_U8, &data);
  free(payload);
  wasi_nn_tensor_tensor_dimensions_t back;
  wasi_nn_tensor_method_tensor_dimensions(wasi_nn_tensor_borrow_tensor(tensor), &back);
  printf("tensor of %u bytes\n", back.len == 1 ? back.ptr[0] : 0);
  wasi_nn_tensor_tensor_dimensions_free(&back);
  wasi_nn_tensor_tensor_drop_own(tensor);
  return 0;
}
