/* Helpers the wasi_ephemeral_nn test guests share. A failed call ends the guest with the error
 * number as its exit status, so a host test can tell which error a guest met. */
#ifndef NN_GUEST_H
#define NN_GUEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_ephemeral_nn.h"

static inline void nn_check(const char* function, int32_t err) {
  if (err != WASI_NN_SUCCESS) {
    fprintf(stderr, "error: %s %d\n", function, (int)err);
    exit((int)err);
  }
}

/* Sets input `index` to `text` as a u8 tensor with dims [len]. */
static inline int32_t nn_set_text(uint32_t ctx, uint32_t index, const char* text) {
  uint32_t dims[1] = {(uint32_t)strlen(text)};
  wasi_nn_tensor_t tensor = {dims, 1, WASI_NN_TYPE_U8, (const uint8_t*)text, dims[0]};
  return wasi_nn_set_input(ctx, index, &tensor);
}

typedef int32_t (*nn_get_output_fn)(uint32_t ctx, uint32_t index, uint8_t* buf, uint32_t max_len, uint32_t* written);

/* Reads output `index` whole (with wasi_nn_get_output or wasi_nn_get_output_single) into a
 * malloc'd buffer with a NUL after it, starting small and growing to the length the host
 * reports with too-large. Returns the error number; *out and *len are set on success. */
static inline int32_t nn_read_output(nn_get_output_fn get, uint32_t ctx, uint32_t index, uint8_t** out,
                                     uint32_t* len) {
  uint32_t capacity = 16;
  uint8_t* buf = malloc(capacity + 1);
  for (;;) {
    if (buf == NULL) nn_check("malloc", WASI_NN_RUNTIME_ERROR);
    uint32_t written = 0;
    int32_t err = get(ctx, index, buf, capacity, &written);
    if (err == WASI_NN_TOO_LARGE && written > capacity) {
      capacity = written;
      buf = realloc(buf, capacity + 1);
      continue;
    }
    if (err != WASI_NN_SUCCESS) {
      free(buf);
      return err;
    }
    buf[written] = 0;
    *out = buf;
    *len = written;
    return WASI_NN_SUCCESS;
  }
}

#endif
