// Smoke-test guest for the host's plumbing: argv, environment, stdin, stdout, stderr and the
// exit status must all cross the boundary, as a core module and as a component.
//   hello NAME [STATUS]   greets NAME ("-": the first line of stdin) and exits with STATUS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  char name[256] = "nobody";
  if (argc > 1 && strcmp(argv[1], "-") == 0) {
    if (fgets(name, sizeof name, stdin) != NULL) name[strcspn(name, "\n")] = '\0';
  } else if (argc > 1) {
    snprintf(name, sizeof name, "%s", argv[1]);
  }
  printf("hello from wasm, %s\n", name);
  const char* greeting = getenv("GREETING");
  if (greeting != NULL) fprintf(stderr, "greeting: %s\n", greeting);
  return argc > 2 ? atoi(argv[2]) : 0;
}
