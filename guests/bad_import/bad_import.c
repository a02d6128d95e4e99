/* Imports a wasi_ephemeral_nn function that does not exist: the host must refuse to
 * instantiate it, naming the import, rather than fail later at the call. */
#include <stdint.h>

__attribute__((import_module("wasi_ephemeral_nn"), import_name("no_such_function"))) int32_t no_such_function(void);

int main(void) { return no_such_function(); }
