// Test guest: prints a line, then traps (wasm `unreachable`), so tests can check that a trap
// ends `wasinn run` with status 134 and a message on stderr, after the guest's output.
#include <stdio.h>

int main(void) {
  printf("about to trap\n");
  fflush(stdout);
  __builtin_trap();
}
