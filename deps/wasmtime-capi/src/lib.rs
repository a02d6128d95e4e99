//! Re-exports wasmtime's C API so that this crate's cdylib carries every `wasm_*`,
//! `wasi_*` and `wasmtime_*` symbol.
pub use wasmtime_c_api::*;
