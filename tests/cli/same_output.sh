#!/usr/bin/env bash
# Compares the stdout of two commands, for the CLI tests.
#
#   same_output.sh same|differ [--env NAME=VALUE]... -- COMMAND_A... --then [--env NAME=VALUE]... -- COMMAND_B...
#
# Each command must exit 0; `same`: their stdout must be equal (and not empty), `differ`: not.
set -u
mode=$1
shift
parse_and_run() {  # prints the command's stdout; exit status is the command's
  local envs=()
  while [[ "$1" == "--env" ]]; do envs+=("$2"); shift 2; done
  [[ "$1" == "--" ]] && shift
  local cmd=()
  while [[ $# -gt 0 && "$1" != "--then" ]]; do cmd+=("$1"); shift; done
  env "${envs[@]+"${envs[@]}"}" "${cmd[@]}"
}
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do [[ "${args[$i]}" == "--then" ]] && split=$i; done
a=$(parse_and_run "${args[@]:0:$split}") || { echo "FAIL: first command failed"; exit 1; }
b=$(parse_and_run "${args[@]:$((split + 1))}") || { echo "FAIL: second command failed"; exit 1; }
echo "first:  $a"
echo "second: $b"
[[ -n "$a" ]] || { echo "FAIL: empty output"; exit 1; }
case "$mode" in
  same) [[ "$a" == "$b" ]] || { echo "FAIL: outputs differ"; exit 1; } ;;
  differ) [[ "$a" != "$b" ]] || { echo "FAIL: outputs are the same"; exit 1; } ;;
  *) echo "same_output.sh: mode must be same or differ"; exit 2 ;;
esac
