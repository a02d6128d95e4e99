# Shared by the GGUF CLI tests: arguments, a private cache, the ChatML prompt, failure reports.
#   SCRIPT WASINN GUEST_DIR GGUF WORK_DIR
set -u
wasinn=$1 guests=$2 gguf=$3 work=$4
[ -f "$gguf" ] || { echo "FAIL: no GGUF at $gguf (scripts/bootstrap.sh --default-model downloads it)"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
export WASINN_CACHE_DIR="$work/cache"  # private: tests do not share conversions
unset WASINN_MODELS WACS_WASINN_GENAI_DIR
# What WasmEdge's LLM guests send: a prompt the guest has already put in the model's template.
prompt=$'<|im_start|>user\nWhat is the capital of France? Answer in one sentence.<|im_end|>\n<|im_start|>assistant\n'
options='{"n-predict": 24}'
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.out "$work"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}
# The cache's entries: every directory there but the staging ones (so a half-written directory
# under any other name counts as an entry too).
entries() { find "$WASINN_CACHE_DIR/converted" -mindepth 1 -maxdepth 1 -type d ! -name '.staging-*' 2>/dev/null; }
# `wasinn run` of the chat guest on model NAME: stdout to $work/LABEL.out, stderr to LABEL.err.
chat() {
  local label=$1; shift
  "$wasinn" run "$@" "$guests/chat.wasm" "${model_name:-default}" "$prompt" "$options" >"$work/$label.out" 2>"$work/$label.err"
}
