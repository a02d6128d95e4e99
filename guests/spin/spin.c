// Test guest: prints a line, then spins forever in wasm code, so tests can check that a
// deadline (-W timeout) stops a guest that never calls the host.
#include <stdio.h>

int main(void) {
  printf("spinning\n");
  fflush(stdout);
  volatile unsigned long n = 0;
  for (;;) ++n;
}
