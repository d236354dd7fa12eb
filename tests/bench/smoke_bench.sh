#!/usr/bin/env bash
# smoke_bench.sh - `make check`: the daemon benchmark (bench_daemon.sh) for
# about two seconds against 20 simulated BMCs.  Asserts only that it ran and
# wrote its JSON; no figure is checked (the machine is shared and noisy).
BENCH_SMOKE=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/bench_daemon.sh"
