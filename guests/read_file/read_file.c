// Test guest: prints the contents of the files named on the command line (paths as the guest
// sees them), or `cannot open PATH` and exit 3, so tests can check `--dir` mappings.
#include <stdio.h>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    FILE* f = fopen(argv[i], "rb");
    if (f == NULL) {
      printf("cannot open %s\n", argv[i]);
      return 3;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
  }
  return 0;
}
