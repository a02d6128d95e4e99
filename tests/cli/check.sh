#!/usr/bin/env bash
# Runs a command and checks its exit status and combined stdout+stderr, for the CLI tests.
#
#   check.sh [--status N] [--has REGEX]... [--lacks REGEX]... [--env NAME=VALUE]... -- COMMAND...
#
# --status: the exit status expected (default 0); --has / --lacks: extended regexes the output
# must / must not match; --env: set in the command's environment (an empty VALUE unsets NAME).
set -u
status=0
has=()
lacks=()
envs=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    --status) status=$2; shift 2 ;;
    --has) has+=("$2"); shift 2 ;;
    --lacks) lacks+=("$2"); shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    *) echo "check.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
shift
for e in "${envs[@]+"${envs[@]}"}"; do
  if [[ "$e" == *= ]]; then unset "${e%=}"; else export "$e"; fi
done
out=$("$@" 2>&1)
got=$?
fail=0
if [[ "$got" != "$status" ]]; then echo "FAIL: exit status $got, expected $status"; fail=1; fi
for r in "${has[@]+"${has[@]}"}"; do
  grep -Eq -- "$r" <<<"$out" || { echo "FAIL: output lacks /$r/"; fail=1; }
done
for r in "${lacks[@]+"${lacks[@]}"}"; do
  ! grep -Eq -- "$r" <<<"$out" || { echo "FAIL: output has /$r/"; fail=1; }
done
if [[ $fail -ne 0 ]]; then
  echo "--- command: $*"
  echo "--- output:"
  echo "$out"
fi
exit $fail
