// Test guest: allocates 1 MiB blocks (touching each) until malloc returns NULL or LIMIT_MIB is
// reached, gives them back, and prints how many it got, so tests can check that
// -W max-memory-size caps linear memory the way wasm specifies (memory.grow returns -1, malloc
// returns NULL) and the guest goes on running.
//
//   grow [LIMIT_MIB]     prints "allocated N MiB, then malloc returned NULL" or "allocated N MiB"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  long limit = argc > 1 ? strtol(argv[1], NULL, 10) : 4096;
  long n = 0;
  int refused = 0;
  void* chain = NULL;  // every block stays reachable, so the compiler cannot drop the mallocs
  for (; n < limit; ++n) {
    char* block = malloc(1 << 20);
    if (block == NULL) {
      refused = 1;
      break;
    }
    memset(block, 1, 1 << 20);
    memcpy(block, &chain, sizeof chain);
    chain = block;
  }
  // Give the memory back before printing: as a component, the WASI adapter needs some of it.
  while (chain != NULL) {
    void* next;
    memcpy(&next, chain, sizeof next);
    free(chain);
    chain = next;
  }
  printf(refused ? "allocated %ld MiB, then malloc returned NULL\n" : "allocated %ld MiB\n", n);
  return 0;
}
