#!/usr/bin/env bash
# Runs both wasi-nn fuzz targets, one after the other, each for SECONDS, from the seed corpus
# plus whatever earlier runs of this build tree found (kept in BUILD/fuzz-work/<abi>). Exits
# non-zero on the first finding (libFuzzer leaves the input as BUILD/fuzz-work/crash-*).
#
#   fuzz/run_fuzzers.sh BUILD SECONDS
#
# Each target prints its totals: `wasinn-fuzz: N inputs, M wasi-nn calls in S s`, and libFuzzer
# its edge coverage (`cov:`) and features (`ft:`).
set -euo pipefail
build=${1:?usage: run_fuzzers.sh BUILD SECONDS}
seconds=${2:?usage: run_fuzzers.sh BUILD SECONDS}
# addr2line (binutils) symbolizes findings' stacks: Debian's clang packages bring no llvm-symbolizer.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:external_symbolizer_path=/usr/bin/addr2line}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
for abi in preview1 preview2; do
  work="$build/fuzz-work/$abi"
  mkdir -p "$work"
  echo "== wasinn-fuzz-$abi for ${seconds}s (corpus: $work + $build/fuzz-corpus/$abi)"
  # -max_len: programs longer than this add nothing the mutator cannot reach by repetition;
  # -timeout: an input's own budget is 1 s (WASINN_FUZZ_INPUT_MS), so 30 s means a hang;
  # -rss_limit_mb: ASan's shadow plus the model; a leak or runaway allocation still trips it.
  set +e
  "$build/bin/wasinn-fuzz-$abi" "$work" "$build/fuzz-corpus/$abi" -max_total_time="$seconds" \
    -max_len=4096 -timeout=30 -rss_limit_mb=8192 -artifact_prefix="$build/fuzz-work/" -print_final_stats=1 -print_funcs=0 2>&1 |
    grep -vE '^#[0-9]+ +(NEW|REDUCE) '
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    echo "wasinn-fuzz-$abi found a problem (exit $status); the input is in $build/fuzz-work/" >&2
    exit "$status"
  fi
done
