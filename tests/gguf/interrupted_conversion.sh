#!/usr/bin/env bash
# An interrupted conversion leaves no cache entry, and the next run converts: (a) the converter
# killed mid-way (the load fails with a wasi-nn runtime error, the staging directory is removed);
# (b) the host killed mid-way (its converter dies with it); then (c) a run converts and answers.
source "$(dirname "$0")/common.sh"
# Starts a run in the background and waits until its converter has begun writing the model (so
# a half-written directory exists somewhere).
start_run() {
  # Not through chat(): $! must be the host itself, not a subshell.
  "$wasinn" run --nn-preload "default:GGML:AUTO:$gguf" "$guests/chat.wasm" default "$prompt" "$options" \
    >"$work/$1.out" 2>"$work/$1.err" &
  pid=$!
  for _ in $(seq 1200); do grep -q '^progress: writing model.onnx' "$work/$1.err" 2>/dev/null && break; sleep 0.05; done
  grep -q '^progress: writing model.onnx' "$work/$1.err" || fail "$1: the converter did not start"
  converter=$(ps -o pid= --ppid "$pid" | tr -d ' ')
  [ -n "$converter" ] || fail "$1: no converter process under $pid"
}

start_run killed-converter
kill -KILL "$converter"
wait "$pid"; status=$?
[ "$status" = 5 ] || fail "(a) exit status $status, expected 5 (wasi-nn runtime_error)"
grep -q 'the GGUF converter was killed by signal 9' "$work/killed-converter.err" || fail "(a) no reason"
[ -z "$(entries)" ] || fail "(a) an entry exists: $(entries)"
[ -z "$(find "$WASINN_CACHE_DIR/converted" -name '.staging-*')" ] || fail "(a) a staging directory is left"

start_run killed-host
kill -KILL "$pid"
wait "$pid" 2>/dev/null
for _ in $(seq 200); do kill -0 "$converter" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$converter" 2>/dev/null || fail "(b) the converter outlived its host"
[ -z "$(entries)" ] || fail "(b) an entry exists: $(entries)"

chat again --nn-preload "default:GGML:AUTO:$gguf" || fail "(c) exit status $?"
grep -q '^progress: converting ' "$work/again.err" || fail "(c) did not convert"
grep -q Paris "$work/again.out" || fail "(c) no Paris"
[ -n "$(entries)" ] || fail "(c) no entry"
[ -z "$(find "$WASINN_CACHE_DIR/converted" -name '.staging-*')" ] || fail "(c) the interrupted staging is left"
echo "PASS"
