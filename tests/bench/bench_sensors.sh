#!/usr/bin/env bash
# bench_sensors.sh - sensor polling benchmark (not a test; `make bench`).
#
#   bridge     bench_sensors (links the engine) polls every sensor of N
#              simulated BMCs back to back for S seconds, sessions and SDRs
#              warm: readings/s and its own CPU microseconds per reading.
#   FreeIPMI   ipmi-sensors -F 64 with a warm SDR cache against 200 of the
#              same BMCs: readings/s and CPU per reading (its process tree's
#              user+sys time), and the ratio of CPU per reading.
#
#   BENCH_BMCS=1000 BENCH_SECONDS=10 bash tests/bench/bench_sensors.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"

N=${BENCH_BMCS:-1000}
SECS=${BENCH_SECONDS:-10}
FI_N=${BENCH_FREEIPMI_BMCS:-200}
BENCH="${BENCH_SENSORS:-$top_builddir/tests/bench/bench_sensors}"
[[ -x $BENCH ]] || bail_out "not built: $BENCH (make tests/bench/bench_sensors)"
require_bmcsim
require_cmds ipmi-sensors awk
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

PORT=$(free_port "$N" 30000) || bail_out "no free port range"
start_bmcsim fleet --count "$N" --base-port "$PORT" --seed 7 || bail_out "bmcsim did not start"
echo "bench: $SIM_READY"

# ---- the bridge's engine ------------------------------------------------------------
"$BENCH" --count "$N" --base-port "$PORT" --password-file "$RUNDIR/pw" --seconds "$SECS" \
    | tee "$RUNDIR/bridge.out"
ours_rps=$(awk '/readings\/s/ { print $3 }' "$RUNDIR/bridge.out")
ours_cpu=$(awk '/cpu us\/reading/ { print $4 }' "$RUNDIR/bridge.out")

# ---- FreeIPMI, warm SDR cache -----------------------------------------------------------
hosts=""
step=$((N / FI_N > 0 ? N / FI_N : 1))
for ((i = 0, k = 0; k < FI_N && i < N; i += step, k++)); do
    hosts+="${hosts:+,}127.0.0.1:$((PORT + i))"
done
fi_run() {
    timeout -k 5 600 ipmi-sensors -D LAN_2_0 -h "$hosts" --config-file="$RUNDIR/freeipmi.conf" \
        -I 17 -l USER --sdr-cache-directory="$RUNDIR/sdr-cache" --quiet-cache -F 64 \
        --no-header-output "$@"
}
fi_run > /dev/null 2>&1 || true # fills the SDR cache (not measured)
TIMEFORMAT='%R %U %S'
{ time fi_run > "$RUNDIR/fi.out" 2> "$RUNDIR/fi.err"; } 2> "$RUNDIR/fi.time" || true
read -r fi_wall fi_user fi_sys < "$RUNDIR/fi.time"
fi_lines=$(grep -c '|' "$RUNDIR/fi.out" || true)
fi_errors=$(grep -c . "$RUNDIR/fi.err" || true)
awk -v n="$fi_lines" -v w="$fi_wall" -v u="$fi_user" -v s="$fi_sys" -v h="$FI_N" -v e="$fi_errors" \
    'BEGIN { printf "bench: freeipmi: %d BMCs, %d readings in %.2f s: readings/s %.0f, cpu us/reading %.2f (%d error lines)\n",
             h, n, w, n / w, (u + s) * 1e6 / (n ? n : 1), e }' | tee "$RUNDIR/fi.summary"
fi_cpu=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "us/reading") print $(i + 1) }' "$RUNDIR/fi.summary")
awk -v a="$ours_cpu" -v b="$fi_cpu" -v r="$ours_rps" \
    'BEGIN { printf "bench: summary: bridge %.0f readings/s, %.2f cpu us/reading; freeipmi %.2f cpu us/reading; bridge is %.1fx cheaper per reading\n",
             r, a, b, (a > 0 ? b / a : 0) }'
echo "bench: simulator Get Sensor Reading answered: $(counter content_get_sensor_reading)"
stop_bmcsim
