#!/usr/bin/env bash
# Two processes meeting the same GGUF for the first time: one converts, the other waits on the
# lock and uses its entry; both answer.
source "$(dirname "$0")/common.sh"
chat one --nn-preload "default:GGML:AUTO:$gguf" &
one=$!
chat two --nn-preload "default:GGML:AUTO:$gguf" &
two=$!
wait "$one" || fail "first process: exit status $?"
wait "$two" || fail "second process: exit status $?"
grep -q Paris "$work/one.out" && grep -q Paris "$work/two.out" || fail "an answer lacks Paris"
conversions=$(cat "$work/one.err" "$work/two.err" | grep -c '^progress: converting ')
[ "$conversions" = 1 ] || fail "$conversions conversions, expected 1"
[ "$(entries | wc -l)" = 1 ] || fail "entries: $(entries)"
echo "PASS"
