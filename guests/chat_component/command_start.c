// The command entry point of current wasi-libc, for the 2022 wasi-libc these guests build with;
// every component guest links it (with -nostartfiles) in place of the libc's crt1-command.o.
//
// Why: the old crt1's `_start` leaves constructors and destructors to wasm-ld, which then wraps
// every export of the module in them, `cabi_realloc` included. The component model calls
// `cabi_realloc` while it hands a host function's list or string to the guest, so destructors
// flushed stdout from inside it, and a guest may not call out at that point: wasmtime trapped
// with "cannot leave component instance". Running them here, once, stops the wrapping.
#include <wasi/api.h>

extern void __wasm_call_ctors(void);
extern void __wasm_call_dtors(void);
extern int __main_void(void);

__attribute__((export_name("_start"))) void _start(void) {
  __wasm_call_ctors();
  int status = __main_void();
  __wasm_call_dtors();
  if (status != 0) __wasi_proc_exit((__wasi_exitcode_t)status);
}
