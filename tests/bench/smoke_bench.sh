#!/usr/bin/env bash
# smoke_bench.sh - `make check`: the whole-daemon benchmark (bench.sh) with
# tiny fleets and about two seconds a row, so that the script does not rot.
# Asserts only that it ran and wrote its JSON; no figure is judged (the
# machine is shared and noisy).
BENCH_SMOKE=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/bench.sh"
