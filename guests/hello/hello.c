// Smoke-test guest: greets its first argument on stdout, so a host can check that argv and
// stdout cross the boundary, both as a core module and as a component.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("hello from wasm, %s\n", argc > 1 ? argv[1] : "nobody");
  return 0;
}
