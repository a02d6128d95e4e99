#!/usr/bin/env bash
# WasmEdge's command shape on a GGUF: the first run converts (progress on stderr) and answers,
# the second reuses the cache entry (no progress, same files) and answers; a --models root finds
# the same file by its stem and the same content-keyed entry; `wasinn models` shows both states.
source "$(dirname "$0")/common.sh"
mkdir -p "$work/root"
ln -s "$gguf" "$work/root/smol.gguf"

"$wasinn" models --models "$work/root" >"$work/models-before.out" 2>&1 || fail "wasinn models failed"
grep -Eq '^smol +gguf .*not converted yet' "$work/models-before.out" || fail "models before: not 'not converted yet'"
[ -z "$(entries)" ] || fail "listing converted something"

chat first --nn-preload "default:GGML:AUTO:$gguf" || fail "first run exit status $?"
grep -q Paris "$work/first.out" || fail "first run: no Paris"
grep -q '^progress: converting ' "$work/first.err" || fail "first run: no progress"
entry=$(entries)
[ "$(wc -l <<<"$entry")" = 1 ] && [ -f "$entry/genai_config.json" ] || fail "expected one entry, got: $entry"
# The key begins with the file's content hash (coreutils, independently of the host's OpenSSL).
sha=$(sha256sum "$gguf" | cut -c1-64)
[[ "$(basename "$entry")" == "$sha"-v*-auto ]] || fail "entry $entry is not keyed by sha256 $sha"
before=$(stat -c '%i %Y' "$entry" "$entry"/*)

start=$(date +%s%N)
chat second --nn-preload "default:GGML:AUTO:$gguf" || fail "second run exit status $?"
end=$(date +%s%N)
grep -q Paris "$work/second.out" || fail "second run: no Paris"
! grep -q '^progress: ' "$work/second.err" || fail "second run converted again"
[ "$(entries)" = "$entry" ] && [ "$(stat -c '%i %Y' "$entry" "$entry"/*)" = "$before" ] || fail "the entry changed"
echo "second run (cache hit, load and answer): $(( (end - start) / 1000000 )) ms"

model_name=smol chat root --models "$work/root" || fail "--models run exit status $?"
grep -q Paris "$work/root.out" || fail "--models run: no Paris"
! grep -q '^progress: ' "$work/root.err" || fail "--models run converted again"

"$wasinn" models --models "$work/root" >"$work/models-after.out" 2>&1 || fail "wasinn models failed"
grep -Eq "^smol +llama .*\\(converted: $entry\\)" "$work/models-after.out" || fail "models after: not converted"
echo "PASS"
