#!/bin/sh
# Runs the libocispec fuzzer for SECONDS (default 600) on the checked-in corpus
# and merges the inputs that reached new code back into it. Builds nothing:
# first `./configure CC=clang --enable-fuzzing && make tests/fuzz/fuzz-ocispec`.
# FUZZER=path overrides where the binary is looked for; crashes are written to
# tests/fuzz/ (crash-*, leak-*, timeout-*, ignored by git).
set -eu

seconds=${1:-600}
here=$(cd "$(dirname "$0")" && pwd)
fuzzer=${FUZZER:-$here/fuzz-ocispec}
corpus=$here/corpus

if [ ! -x "$fuzzer" ]; then
        echo "run-fuzzer.sh: $fuzzer not found: build it with ./configure CC=clang --enable-fuzzing && make tests/fuzz/fuzz-ocispec" >&2
        exit 1
fi

# New inputs go to a scratch directory first, so that the corpus only grows
# by what -merge finds to add coverage, not by every intermediate input.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

status=0
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$here/" -print_final_stats=1 "$scratch" "$corpus" || status=$?

"$fuzzer" -merge=1 -max_len=65536 -artifact_prefix="$here/" "$corpus" "$scratch" >"$scratch/merge.log" 2>&1 ||
        { cat "$scratch/merge.log" >&2; exit 1; }
grep -E '^MERGE-OUTER: [0-9]+ new files' "$scratch/merge.log" || true
exit "$status"
