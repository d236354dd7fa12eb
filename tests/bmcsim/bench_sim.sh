#!/usr/bin/env bash
# bench_sim.sh - bmcsim benchmark (not a test; `make bench-local`):
#
#   memory   RSS of 10,000 BMCs minus the RSS of 1 BMC, divided by 10,000:
#            idle, and again once every BMC has served a session (session
#            tables are allocated on first login).  Target: <= 8 KB per BMC
#            plus the shared profile.
#   speed    Get Sensor Reading requests answered per second with cipher
#            suite 17 (HMAC-SHA256, AES-CBC-128), bmcsim pinned to one CPU
#            and simload (requests encoded before the clock starts) on
#            another; also per second of bmcsim CPU time.  Target: >= 100,000/s.
#
#   BENCH_BMCS=10000 BENCH_SECONDS=5 bash tests/bmcsim/bench_sim.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

N=${BENCH_BMCS:-10000}
SECS=${BENCH_SECONDS:-5}
PER_ADDR=2500 # 10,000 BMCs on 127.0.0.1-127.0.0.4, 2,500 ports each
[[ -x $SIMLOAD ]] || bail_out "simload not built: $SIMLOAD"
require_bmcsim
require_cmds taskset awk ss
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
if (($(ulimit -n) < N + 64)); then
    bail_out "open-files limit $(ulimit -n) is too low for $N BMCs plus simload's $N sockets"
fi

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

PORT=$(free_port "$PER_ADDR" 22000) || bail_out "no free ports"

# ---- memory ---------------------------------------------------------------------
start_bmcsim one --count 1 --base-port "$PORT" --tick-ms 0 || bail_out "bmcsim (1 BMC) did not start"
rss1=$(rss_kb "$SIM_PID")
stop_bmcsim
start_bmcsim many --count "$N" --base-port "$PORT" --per-address "$PER_ADDR" --tick-ms 0 ||
    bail_out "bmcsim ($N BMCs) did not start"
rssn=$(rss_kb "$SIM_PID")
info=$(ctl info)
echo "bench: $SIM_READY"
echo "bench: memory: RSS 1 BMC ${rss1} kB, $N BMCs ${rssn} kB"
awk -v a="$rss1" -v b="$rssn" -v n="$N" \
    'BEGIN { printf "bench: memory per BMC (idle): %.0f bytes (%.2f KB)\n", (b - a) * 1024 / n, (b - a) / n }'
echo "bench: of which: $(grep -E '^(bmc_bytes|state_bytes|session_table_bytes)=' <<< "$info" | tr '\n' ' ')"
t0=$(date +%s.%N)
out=$("$SIMLOAD" --port "$PORT" --per-address "$PER_ADDR" --bmcs "$N" --password-file "$RUNDIR/pw" \
    --duration 1 --window 1 2>&1) || echo "bench: simload: $out"
t1=$(date +%s.%N)
rssl=$(rss_kb "$SIM_PID")
awk -v a="$rss1" -v b="$rssl" -v n="$N" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    'BEGIN { printf "bench: memory per BMC after a session on each: %.0f bytes (%.2f KB); %d logins in %.1f s\n",
             (b - a) * 1024 / n, (b - a) / n, n, t }'
echo "bench: sessions opened: $(counter sessions_opened), still open: $(counter sessions_active)"
stop_bmcsim

# ---- speed ----------------------------------------------------------------------
ncpu=$(nproc)
SIM_CPU=0
LOAD_CPU=$((ncpu > 1 ? 1 : 0))
((ncpu > 1)) || echo "bench: only one CPU: simulator and load generator share it"
for cipher in 17 3; do
    start_bmcsim "speed$cipher" --count 8 --base-port "$PORT" --tick-ms 0 || bail_out "bmcsim did not start"
    taskset -pc "$SIM_CPU" "$SIM_PID" > /dev/null
    req0=$(counter requests)
    c0=$(cpu_ticks "$SIM_PID")
    out=$(taskset -c "$LOAD_CPU" "$SIMLOAD" --port "$PORT" --bmcs 8 --sessions 1 --cipher "$cipher" \
        --password-file "$RUNDIR/pw" --window 32 --precompute $((30000 * SECS)) --duration "$SECS" 2>&1) ||
        echo "bench: simload failed: $out"
    c1=$(cpu_ticks "$SIM_PID")
    req1=$(counter requests)
    echo "bench: cipher $cipher: $out"
    awk -v r=$((req1 - req0)) -v c=$((c1 - c0)) -v hz="$HZ" -v s="$cipher" -v line="$out" 'BEGIN {
        split(line, f, "rate="); rate = f[2] + 0
        printf "bench: cipher %s: %.0f requests/s (bmcsim on one CPU), %.0f requests per bmcsim CPU-second\n",
               s, rate, (c > 0 ? r / (c / hz) : 0) }'
    stop_bmcsim
done
# and a generator that verifies every answer (integrity, AES, checksums, completion code)
start_bmcsim verify --count 8 --base-port "$PORT" --tick-ms 0 || bail_out "bmcsim did not start"
taskset -pc "$SIM_CPU" "$SIM_PID" > /dev/null
out=$(taskset -c "$LOAD_CPU" "$SIMLOAD" --port "$PORT" --bmcs 8 --sessions 1 --cipher 17 \
    --password-file "$RUNDIR/pw" --window 32 --duration "$SECS" --verify 2>&1) || true
echo "bench: cipher 17, verifying generator: $out"
stop_bmcsim
