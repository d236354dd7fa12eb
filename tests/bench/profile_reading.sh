#!/usr/bin/env bash
# profile_reading.sh - what one sensor reading costs the engine (not a test).
#
#   user space   callgrind instructions per reading at PROFILE_BMCS (100):
#                bench_sensors runs twice under valgrind, PROFILE_SHORT and
#                PROFILE_LONG seconds; the difference in instructions over the
#                difference in Get Sensor Reading answered by the simulator,
#                so warm-up and shutdown cancel out.  Deterministic enough to
#                compare builds (about 1%), unlike CPU time on a shared machine.
#   kernel       perf stat attached to bench_sensors after its warm-up at
#                PROFILE_FLEET (1,000) BMCs: CPU microseconds, context switches
#                and send/receive/epoll syscalls per reading.  Repeat it: it
#                moves with the machine's load.
#
#   PROFILE_BMCS=100 PROFILE_FLEET=1000 bash tests/bench/profile_reading.sh [bench_sensors options]
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"

SMALL=${PROFILE_BMCS:-100}
FLEET=${PROFILE_FLEET:-1000}
SHORT=${PROFILE_SHORT:-3}
LONG=${PROFILE_LONG:-9}
BENCH="${BENCH_SENSORS:-$top_builddir/tests/bench/bench_sensors}"
[[ -x $BENCH ]] || bail_out "not built: $BENCH (make tests/bench/bench_sensors)"
require_bmcsim
require_cmds valgrind perf awk stdbuf
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

# bench_sensors against a fresh simulator fleet; prints the simulator's count
# of Get Sensor Reading answered
run() { # N SECONDS tag wrapper...
    local n=$1 secs=$2 tag=$3 port
    shift 3
    port=$(free_port "$n" 20000) || bail_out "no free range of $n ports"
    start_bmcsim "$tag" --count "$n" --base-port "$port" --seed 7 || bail_out "bmcsim did not start"
    "$@" "$BENCH" --count "$n" --base-port "$port" --password-file "$RUNDIR/pw" --seconds "$secs" \
        "${BENCH_ARGS[@]}" > "$RUNDIR/$tag.bench" 2>&1 || true
    counter content_get_sensor_reading
    stop_bmcsim
}
BENCH_ARGS=("$@")

# ---- user space: callgrind ------------------------------------------------------------
ir() { awk '/^totals:/ { print $2 }' "$1"; }
r1=$(run "$SMALL" "$SHORT" cg1 valgrind --tool=callgrind --callgrind-out-file="$RUNDIR/cg1.out")
r2=$(run "$SMALL" "$LONG" cg2 valgrind --tool=callgrind --callgrind-out-file="$RUNDIR/cg2.out")
i1=$(ir "$RUNDIR/cg1.out")
i2=$(ir "$RUNDIR/cg2.out")
awk -v i1="$i1" -v i2="$i2" -v r1="$r1" -v r2="$r2" -v n="$SMALL" 'BEGIN {
    if (r2 <= r1) { print "profile: callgrind: no readings in the difference"; exit }
    printf "profile: callgrind, %d BMCs: %.0f instructions per reading (%d more readings, %.0f more instructions)\n",
           n, (i2 - i1) / (r2 - r1), r2 - r1, i2 - i1 }'
keep="${TMPDIR:-/tmp}/profile_reading.$$.callgrind"
cp "$RUNDIR/cg2.out" "$keep"
echo "profile: the functions of the longer run: callgrind_annotate $keep"

# ---- kernel included: perf stat after the warm-up --------------------------------------
port=$(free_port "$FLEET" 20000) || bail_out "no free range of $FLEET ports"
start_bmcsim fleet --count "$FLEET" --base-port "$port" --seed 7 || bail_out "bmcsim did not start"
stdbuf -oL "$BENCH" --count "$FLEET" --base-port "$port" --password-file "$RUNDIR/pw" \
    --seconds "$LONG" "${BENCH_ARGS[@]}" > "$RUNDIR/fleet.bench" 2>&1 &
bpid=$!
track_pid "$bpid" bench_sensors
for ((t = 0; t < 1200; t++)); do
    grep -q 'warm-up' "$RUNDIR/fleet.bench" && break
    kill -0 "$bpid" 2> /dev/null || break
    sleep 0.1
done
perf stat -x, -o "$RUNDIR/perf.csv" -e task-clock,context-switches \
    -e syscalls:sys_enter_sendmmsg,syscalls:sys_enter_recvmmsg,syscalls:sys_enter_epoll_wait \
    -p "$bpid" 2> /dev/null &
ppid=$!
wait "$bpid" || true
kill -INT "$ppid" 2> /dev/null || true
wait "$ppid" 2> /dev/null || true
stop_bmcsim
grep 'bench_sensors:' "$RUNDIR/fleet.bench" | sed 's/^/profile: /'
readings=$(awk '/readings [0-9]+, sweeps/ { print $3 }' "$RUNDIR/fleet.bench" | tr -d ,)
awk -F, -v rd="${readings:-0}" -v n="$FLEET" '
    $3 == "task-clock" { printf "profile: perf stat, %d BMCs: %.2f cpu us per reading (user+sys)\n", n, $1 * 1000 / rd }
    $3 ~ /context-switches|sys_enter/ { e = $3; sub(/.*sys_enter_/, "", e); printf "profile: %s per reading %.3f\n", e, $1 / rd }
' "$RUNDIR/perf.csv"
