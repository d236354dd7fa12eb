#!/usr/bin/env bash
# run.sh [--save] [--ledger FILE] [SECONDS] - build every harness (build.sh)
# and run each for SECONDS (default 60) on a scratch copy of its seed corpus
# tests/fuzz/corpus/NAME/ (NAME = the harness file name without "fuzz_").
# One result line per harness, a table of executions, then
# "N passed, N failed".  Exit status 1 if any harness crashed, leaked, timed
# out or failed to build.
#
#   --save         afterwards merge what the run found into the committed
#                  corpus (libFuzzer -merge=1: only inputs that add coverage
#                  are copied, so it stays small), and copy every crash input
#                  there as a seed named regress-ARTIFACT (`make check`
#                  replays it, so it fails until the bug is fixed).  Without
#                  --save the committed corpus is never written to.
#   --ledger FILE  append one line per harness (date, commit, harness,
#                  seconds, execs, result) to the tab-separated FILE and
#                  print each harness's executions summed over all its runs
#                  (the goal: 10^8 per harness).
#
# Crash inputs are kept in $FUZZ_ARTIFACTS (default /tmp/fuzz-artifacts)/NAME/;
# replay one with:  tests/fuzz/bin/fuzz_NAME ARTIFACT
set -uo pipefail

save=no
ledger=
while [ $# -gt 0 ]; do
    case $1 in
    --save) save=yes; shift ;;
    --ledger) [ $# -ge 2 ] || { echo "usage: $0 [--save] [--ledger FILE] [SECONDS]" >&2; exit 2; }
        ledger=$2; shift 2 ;;
    *) break ;;
    esac
done
secs=${1:-60}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [--save] [--ledger FILE] [SECONDS]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
artifacts=${FUZZ_ARTIFACTS:-/tmp/fuzz-artifacts}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# the commit the harnesses and the code under test are built from; "+" when
# they differ from it (the corpus and the ledger do not count)
commit=$(git -C "$here/../.." rev-parse --short=12 HEAD 2>/dev/null || echo -)
if [ "$commit" != - ] && ! git -C "$here/../.." diff --quiet HEAD -- src agent tests/fuzz/'*.c' tests/fuzz/'*.h' 2>/dev/null; then
    commit="$commit+"
fi

if ! "$here/build.sh" "$scratch/bin" >"$scratch/build.log" 2>&1; then
    cat "$scratch/build.log" >&2
    echo "run.sh: build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
total=0
table="$scratch/table"
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
    # a crash before the final statistics: the last progress line's count
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
    units=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ] && grep -q 'Done [0-9]* runs' "$log"; then
        echo "$name: ok, ${execs:-?} execs in ${took} s, coverage ${cov:-?}, corpus $seeds -> $units"
        result=ok
        passed=$((passed + 1))
    else
        art=$(grep -o "$artifacts/$short/[^ ]*" "$log" | tail -n 1)
        echo "$name: FAIL (exit $rc) after ${took} s${art:+, input kept in $art}"
        grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -n 5 | sed 's/^/    /'
        result=fail
        failed=$((failed + 1))
        if [ $save = yes ] && [ -n "$art" ] && [ -f "$art" ]; then
            cp "$art" "$here/corpus/$short/regress-$(basename "$art")"
            echo "    kept as seed tests/fuzz/corpus/$short/regress-$(basename "$art")"
        fi
    fi
    total=$((total + ${execs:-0}))
    added=-
    if [ $save = yes ] && [ -d "$here/corpus/$short" ]; then
        before=$(find "$here/corpus/$short" -type f | wc -l)
        "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/$short/" \
            "$here/corpus/$short" "$corpus" >"$scratch/$name.merge.log" 2>&1 ||
            echo "    merge into tests/fuzz/corpus/$short failed: $scratch/$name.merge.log" >&2
        added=$(($(find "$here/corpus/$short" -type f | wc -l) - before))
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$took" "${execs:-0}" "${cov:-?}" "$seeds -> $units" "$added" "$result" >>"$table"
    if [ -n "$ledger" ]; then
        [ -s "$ledger" ] || printf 'date\tcommit\tharness\tseconds\texecs\tresult\n' >"$ledger"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$now" "$commit" "$name" "$took" "${execs:-0}" "$result" >>"$ledger"
    fi
done
if [ -s "$table" ]; then
    echo
    awk -F '\t' 'BEGIN { printf "%-18s %7s %13s %9s %8s %14s %6s %s\n", "harness", "seconds", "execs", "execs/s", "coverage", "corpus", "saved", "result" }
        { printf "%-18s %7d %13.0f %9d %8s %14s %6s %s\n", $1, $2, $3, ($2 > 0 ? $3 / $2 : 0), $4, $5, $6, $7 }' "$table"
fi
if [ -n "$ledger" ] && [ -s "$ledger" ]; then
    echo
    echo "executions per harness over all runs in $ledger (goal 10^8 each):"
    awk -F '\t' 'NR > 1 { runs[$3]++; sum[$3] += $5; secs[$3] += $4 }
        END { printf "%-18s %5s %9s %15s %8s\n", "harness", "runs", "seconds", "execs", "of 10^8"
              for (h in sum) printf "%-18s %5d %9d %15.0f %7.2f%%\n", h, runs[h], secs[h], sum[h], sum[h] / 1e6 }' "$ledger" |
        { IFS= read -r head; echo "$head"; sort; }
fi
echo "run.sh: $total executions in total, $secs s per harness"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
