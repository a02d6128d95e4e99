/* Reading a whole file from a preopened directory, for guests that load models from bytes. */
#ifndef GUEST_FILES_H
#define GUEST_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The file's bytes in a malloc'd buffer; prints why and exits 2 when it cannot be read. */
static inline uint8_t* read_whole_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  long size = f != NULL && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  uint8_t* bytes = size >= 0 ? malloc(size > 0 ? (size_t)size : 1) : NULL;
  if (bytes == NULL || fseek(f, 0, SEEK_SET) != 0 || fread(bytes, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  *len = (size_t)size;
  return bytes;
}

#endif
