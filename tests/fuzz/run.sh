#!/usr/bin/env bash
# run.sh [SECONDS] - build every harness (build.sh) and run each for SECONDS
# (default 60) on a scratch copy of its seed corpus tests/fuzz/corpus/NAME/
# (NAME = the harness file name without "fuzz_"; the committed corpus is
# never written to).  One result line per harness, then "N passed, N failed".
# Exit status 1 if any harness crashed, leaked, timed out or failed to build.
#
# Crash inputs are kept in $FUZZ_ARTIFACTS (default /tmp/fuzz-artifacts)/NAME/;
# replay one with:  tests/fuzz/bin/fuzz_NAME ARTIFACT
set -uo pipefail

secs=${1:-60}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
artifacts=${FUZZ_ARTIFACTS:-/tmp/fuzz-artifacts}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

if ! "$here/build.sh" "$scratch/bin" >"$scratch/build.log" 2>&1; then
    cat "$scratch/build.log" >&2
    echo "run.sh: build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
total=0
shopt -s nullglob
for h in "$here"/fuzz_*.c; do
    name=$(basename "$h" .c)
    short=${name#fuzz_}
    bin="$scratch/bin/$name"
    if [ ! -x "$bin" ]; then
        echo "$name: FAIL (not built)"
        failed=$((failed + 1))
        continue
    fi
    corpus="$scratch/corpus-$short"
    mkdir -p "$corpus" "$artifacts/$short"
    seeds=0
    if [ -d "$here/corpus/$short" ]; then
        cp -r "$here/corpus/$short/." "$corpus/"
        seeds=$(find "$here/corpus/$short" -type f | wc -l)
    fi
    log="$scratch/$name.log"
    start=$(date +%s)
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$short/" "$corpus" >"$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
    units=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ] && grep -q 'Done [0-9]* runs' "$log"; then
        echo "$name: ok, ${execs:-?} execs in ${took} s, coverage ${cov:-?}, corpus $seeds -> $units"
        total=$((total + ${execs:-0}))
        passed=$((passed + 1))
    else
        art=$(grep -o "$artifacts/$short/[^ ]*" "$log" | tail -n 1)
        echo "$name: FAIL (exit $rc) after ${took} s${art:+, input kept in $art}"
        grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -n 5 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "run.sh: $total executions in total, $secs s per harness"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
