#!/usr/bin/env bash
# Mutation testing of src/nn, src/abi and src/genai with universalmutator (PyPI, pinned below).
#
#   scripts/mutation.sh                  # seeded random sample, scores per folder
#   scripts/mutation.sh --rerun LIST     # only the mutants listed (e.g. a previous survivors.txt)
#
# Nothing is mutated in the repository: the sources are copied to $MUT_ROOT/src, built in
# $MUT_ROOT/build (its own CMake tree), and each mutant is written over the copy, rebuilt
# incrementally with ninja (the compiler rejects invalid mutants before any test runs), tested
# with the ctest subset that exercises its folder (stopping at the first failure), and the copy
# restored. The full mutant set is tens of thousands, so a seeded random sample is drawn per
# folder; the same seed and sizes give the same sample.
#
# Environment: MUT_ROOT (default /tmp/wasinn-mutation), MUT_SEED (20261125), MUT_SAMPLE_NN,
# MUT_SAMPLE_ABI, MUT_SAMPLE_GENAI (compiling mutants to test per folder: 20, 30, 40),
# MUT_DEADLINE_MIN (stop drawing new mutants after this many minutes: 55), MUT_JOBS (2),
# MUT_CODE (head: src/ from the last commit; worktree), WASINN_DEPS_FILE (default
# ~/.cache/wasinn/deps.cmake).
#
# Sizing, measured on 2 cores: a mutant the compiler rejects costs about 5 s, a killed one 5-30 s
# (ctest stops at the first failure), a survivor the whole subset (15-40 s); about 4 in 5 drawn
# mutants do not compile. The defaults (90 compiling mutants) take 45-55 minutes.
#
# Output in $MUT_ROOT: results.tsv (status, folder, file, mutant, line, seconds, change),
# score.txt (per folder), survivors.txt (input for --rerun).
set -euo pipefail

UM_VERSION=1.14.1
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MUT_ROOT=${MUT_ROOT:-/tmp/wasinn-mutation}
SEED=${MUT_SEED:-20261125}
SAMPLE_NN=${MUT_SAMPLE_NN:-20}
SAMPLE_ABI=${MUT_SAMPLE_ABI:-30}
SAMPLE_GENAI=${MUT_SAMPLE_GENAI:-40}
DEADLINE_MIN=${MUT_DEADLINE_MIN:-55}
JOBS=${MUT_JOBS:-2}
CACHE_DIR=${WASINN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wasinn}
DEPS_FILE=${WASINN_DEPS_FILE:-$CACHE_DIR/deps.cmake}
RERUN=""
if [[ "${1:-}" == "--rerun" ]]; then RERUN=$(realpath "$2"); fi

SRC="$MUT_ROOT/src"          # the copy that mutants are written into
PRISTINE="$MUT_ROOT/pristine" # untouched originals, to restore from
BUILD="$MUT_ROOT/build"
MUTANTS="$MUT_ROOT/mutants"
RESULTS="$MUT_ROOT/results.tsv"
START=$(date +%s)
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

# --- the tool, pinned ------------------------------------------------------------------------
VENV="$MUT_ROOT/venv"
if ! "$VENV/bin/python" -c "import importlib.metadata as m; assert m.version('universalmutator') == '$UM_VERSION'" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "universalmutator==$UM_VERSION"
fi

# --- a private copy of the sources and its own build tree ------------------------------------
mkdir -p "$MUT_ROOT"
current_file=""
restore() {
  if [[ -n "$current_file" ]]; then cp "$PRISTINE/$current_file" "$SRC/$current_file"; current_file=""; fi
}
trap restore EXIT INT TERM
# The tests and scripts come from the working tree (tests being written are what is measured);
# the code under test from the last commit (MUT_CODE=worktree: from the working tree too), so
# someone's half-made change to src/ does not fail the baseline. mtimes are kept, so ninja
# rebuilds only what changed since the last run.
MUT_CODE=${MUT_CODE:-head}
copy_repo() {  # into $1, touching only files whose content changed
  local fresh="$1.fresh"
  rm -rf "$fresh" && mkdir -p "$fresh" "$1"
  tar -C "$REPO" --exclude='./build*' --exclude='./.git' -cf - . | tar -C "$fresh" -xf -
  if [[ "$MUT_CODE" == head ]]; then
    rm -rf "$fresh/src" "$fresh/include"
    git -C "$REPO" archive HEAD src include CMakeLists.txt cmake | tar -C "$fresh" -xf -
  fi
  (cd "$fresh" && find . -type f) | while read -r f; do
    cmp -s "$fresh/$f" "$1/$f" || { mkdir -p "$(dirname "$1/$f")"; cp "$fresh/$f" "$1/$f"; }
  done
  (cd "$1" && find . -type f) | while read -r f; do [[ -e "$fresh/$f" ]] || rm -f "$1/$f"; done
  rm -rf "$fresh"
}
copy_repo "$SRC"
copy_repo "$PRISTINE"
log "configuring $BUILD"
cmake -S "$SRC" -B "$BUILD" -G Ninja -DWASINN_DEPS_FILE="$DEPS_FILE" -DWASINN_WERROR=OFF >"$MUT_ROOT/configure.log"
TARGETS=(wasinn-tests wasinn-cli oracle-tool)
build() { cmake --build "$BUILD" --target "${TARGETS[@]}" -- -j"$JOBS" >"$MUT_ROOT/build.log" 2>&1; }
log "baseline build"
build || { log "baseline build failed: $MUT_ROOT/build.log"; exit 1; }

# The tests that exercise each folder. Left out: the package test (a cmake install and an
# external build), the default-model oracle and the ThreadSanitizer run (minutes each, and
# nothing in these folders that the others miss), and the wall-clock run-timeout tests (they
# test src/host, which is not mutated, and a loaded machine could fail them: a false kill).
tests_for() {
  case "$1" in
    src/abi/preview1/*) echo "Preview1|^cli\." ;;
    src/abi/preview2/*) echo "Preview2|^cli\." ;;
    *) echo "." ;;
  esac
}
EXCLUDE='^package\.|^tsan\.|default_model|^cli\.run_timeout'
run_tests() {  # $1: source file; 0 = every selected test passed
  timeout 600 ctest --test-dir "$BUILD" -R "$(tests_for "$1")" -E "$EXCLUDE" -j"$JOBS" --stop-on-failure \
    --timeout 120 >"$MUT_ROOT/ctest.log" 2>&1
}
log "baseline tests"
# A test that fails with no mutant in place (flaky, or someone's work in progress) can kill no
# mutant honestly: it is left out of the mutant runs and listed in baseline-failures.txt.
if ! timeout 900 ctest --test-dir "$BUILD" -E "$EXCLUDE" -j"$JOBS" --timeout 120 >"$MUT_ROOT/baseline-ctest.log" 2>&1; then
  sed -n '/The following tests FAILED:/,$p' "$MUT_ROOT/baseline-ctest.log" |
    sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) (.*/\1/p' >"$MUT_ROOT/baseline-failures.txt"
  [[ -s "$MUT_ROOT/baseline-failures.txt" ]] || { log "baseline ctest failed: $MUT_ROOT/baseline-ctest.log"; exit 1; }
  log "left out, failing without a mutant: $(tr '\n' ' ' <"$MUT_ROOT/baseline-failures.txt")"
  EXCLUDE="$EXCLUDE|^($(sed 's/[.[\]*^$()+?{|]/\\&/g' "$MUT_ROOT/baseline-failures.txt" | paste -sd'|'))\$"
fi

# --- the mutants ------------------------------------------------------------------------------
folder_of() { case "$1" in src/nn/*) echo nn ;; src/abi/*) echo abi ;; *) echo genai ;; esac; }
if [[ -z "$RERUN" ]]; then
  mkdir -p "$MUTANTS"
  (cd "$PRISTINE" && ls src/nn/*.cpp src/abi/*/*.cpp src/genai/*.cpp) >"$MUT_ROOT/files.txt"
  while read -r rel; do
    dir="$MUTANTS/${rel//\//__}"
    [[ -f "$dir/.done" ]] && continue
    rm -rf "$dir" && mkdir -p "$dir"
    "$VENV/bin/mutate" "$PRISTINE/$rel" cpp --noCheck --mutantDir "$dir" >"$dir/mutate.log" 2>&1
    touch "$dir/.done"
  done <"$MUT_ROOT/files.txt"
  # Seeded sample: shuffle each folder's mutants, keep a reserve for the ones the compiler
  # rejects, then order by file so consecutive mutants rebuild one object.
  "$VENV/bin/python" - "$MUTANTS" "$SEED" "$SAMPLE_NN" "$SAMPLE_ABI" "$SAMPLE_GENAI" >"$MUT_ROOT/sample.txt" <<'EOF'
import glob, os, random, sys
root, seed, quotas = sys.argv[1], int(sys.argv[2]), dict(zip(("nn", "abi", "genai"), map(int, sys.argv[3:6])))
by_folder = {k: [] for k in quotas}
for d in sorted(glob.glob(os.path.join(root, "*"))):
    rel = os.path.basename(d).replace("__", "/")
    folder = "nn" if rel.startswith("src/nn/") else "abi" if rel.startswith("src/abi/") else "genai"
    for m in sorted(glob.glob(os.path.join(d, "*.mutant.*"))):
        by_folder[folder].append((rel, m))
def comment_only(rel, mutant):
    # universalmutator also mutates comments; those can only be equivalent or not compile.
    original = open(os.path.join(root, "..", "pristine", rel)).read().splitlines()
    changed = open(mutant).read().splitlines()
    if len(original) != len(changed):
        return False
    diff = [a for a, b in zip(original, changed) if a != b]
    return all(a.strip().startswith(("//", "/*", "*")) for a in diff)

rng = random.Random(seed)
for folder, quota in quotas.items():
    pool = by_folder[folder]
    rng.shuffle(pool)
    # candidates in draw order (comment-only mutants dropped); the runner takes them until
    # `quota` of them compile. Most do not (the tool's rules are regexps), hence the reserve.
    kept = []
    for rel, m in pool:
        if len(kept) == quota * 12:
            break
        if not comment_only(rel, m):
            kept.append((rel, m))
    for rank, (rel, m) in enumerate(kept):
        print(f"{folder}\t{rank}\t{rel}\t{m}")
    print(f"# {folder}: {len(pool)} mutants in all, {len(kept)} candidates drawn", file=sys.stderr)
EOF
  cp "$MUT_ROOT/sample.txt" "$MUT_ROOT/candidates.txt"
else
  awk -F'\t' '{print $1 "\t" NR "\t" $2 "\t" $3}' "$RERUN" >"$MUT_ROOT/candidates.txt"
  SAMPLE_NN=100000 SAMPLE_ABI=100000 SAMPLE_GENAI=100000
  RESULTS="$MUT_ROOT/rerun-results.tsv"
fi
: >"$RESULTS"

declare -A quota=([nn]=$SAMPLE_NN [abi]=$SAMPLE_ABI [genai]=$SAMPLE_GENAI) valid=([nn]=0 [abi]=0 [genai]=0)
declare -A next_rank=([nn]=0 [abi]=0 [genai]=0)
run_one() {  # folder rel mutant
  local folder=$1 rel=$2 mutant=$3 t0 status secs change line
  t0=$(date +%s)
  current_file="$rel"
  cp "$mutant" "$SRC/$rel"
  change=$(diff "$PRISTINE/$rel" "$mutant" | grep '^>' | head -1 | cut -c3- | tr '\t' ' ' | sed 's/^ *//' || true)
  line=$(diff "$PRISTINE/$rel" "$mutant" | head -1 | grep -o '^[0-9,]*' || true)
  if ! build; then
    status=invalid
  else
    valid[$folder]=$(( valid[$folder] + 1 ))
    if run_tests "$rel"; then status=survived; else status=killed; fi
  fi
  restore
  secs=$(( $(date +%s) - t0 ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$status" "$folder" "$rel" "$mutant" "$line" "$secs" "$change" >>"$RESULTS"
  log "$status ($secs s) $folder $rel:$line  $change"
}
# Rounds: each folder takes the next candidates in draw order for the valid mutants it still
# lacks (the compiler rejects some); a round runs sorted by file, so consecutive mutants
# rebuild one object and the sample stays the draw order's.
while :; do
  batch=$(mktemp)
  for folder in nn abi genai; do
    need=$(( quota[$folder] - valid[$folder] ))
    (( need > 0 )) || continue
    awk -F'\t' -v f="$folder" -v lo="${next_rank[$folder]}" -v n="$need" \
      '$1 == f && $2 >= lo && $2 < lo + n' "$MUT_ROOT/candidates.txt" >>"$batch"
    next_rank[$folder]=$(( next_rank[$folder] + need ))
  done
  [[ -s "$batch" ]] || { rm -f "$batch"; break; }
  deadline=0
  while IFS=$'\t' read -r folder rank rel mutant; do
    if (( $(date +%s) - START > DEADLINE_MIN * 60 )); then deadline=1; break; fi
    run_one "$folder" "$rel" "$mutant"
  done < <(sort -t$'\t' -k3,3 -k2,2n "$batch")
  rm -f "$batch"
  (( deadline )) && { log "deadline reached: stopped drawing"; break; }
done
# Leave the tree built from the originals.
build || true

# --- the score --------------------------------------------------------------------------------
log "results: $RESULTS"
awk -F'\t' '
  { n[$2 FS $1]++; folders[$2] = 1 }
  END {
    for (f in folders) {
      k = n[f FS "killed"] + 0; s = n[f FS "survived"] + 0; i = n[f FS "invalid"] + 0
      printf "%-6s killed %3d  survived %3d  invalid (compiler) %3d  score %s\n", f, k, s, i,
             (k + s) ? sprintf("%.0f%%", 100 * k / (k + s)) : "n/a"
      K += k; S += s
    }
    printf "%-6s killed %3d  survived %3d  score %s\n", "all", K, S, (K + S) ? sprintf("%.0f%%", 100 * K / (K + S)) : "n/a"
  }' "$RESULTS" | tee "$MUT_ROOT/score.txt"
awk -F'\t' '$1 == "survived" { print $2 "\t" $3 "\t" $4 }' "$RESULTS" >"$MUT_ROOT/survivors.txt"
log "survivors: $MUT_ROOT/survivors.txt ($(wc -l <"$MUT_ROOT/survivors.txt")); took $(( ($(date +%s) - START) / 60 )) min"
