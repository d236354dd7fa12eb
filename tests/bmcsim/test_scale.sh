#!/usr/bin/env bash
# test_scale.sh - one bmcsim process serving 2,000 BMCs: every port is
# bound, and `ipmi-sensors -h 127.0.0.1:P1,...` against a sample of 20 BMCs
# spread over the range succeeds for every one of them (each reads the
# whole SDR and every sensor over its own RMCP+ session).  Then the same
# fleet spread over two loopback addresses (--per-address).
#
#   make check TESTS=tests/bmcsim/test_scale.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

N=${BMCSIM_SCALE_COUNT:-2000}
SAMPLE=20
require_cmds ipmi-sensors ipmitool ss timeout awk
require_bmcsim
bmcsim_setup
if (($(ulimit -Hn) < N + 64)); then
    skip_all "the hard open-files limit ($(ulimit -Hn)) is below $N BMCs"
fi

PORT=$(free_port "$N" 26000) || bail_out "no $N free ports"
t0=$(date +%s.%N)
start_bmcsim big --count "$N" --base-port "$PORT" --seed 11 --session-limit 2 || bail_out "bmcsim did not start"
t1=$(date +%s.%N)
note "$N BMCs ready in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
assert_eq "$SIM_READY" "bmcsim: ready: $N BMCs on 127.0.0.1:$PORT-$((PORT + N - 1))" "ready line for $N BMCs"

bound=$(ss -Huan "sport >= :$PORT and sport <= :$((PORT + N - 1))" | wc -l)
assert_eq "$bound" "$N" "all $N UDP ports are bound"
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SIM_PID/status")
note "RSS with $N BMCs: $rss kB ($(awk -v r="$rss" -v n="$N" 'BEGIN { printf "%.1f", r / n }') kB per BMC, profile included)"

# 20 BMCs spread over the range, first and last included
hosts=() indexes=()
for ((k = 0; k < SAMPLE; k++)); do
    i=$((k * (N - 1) / (SAMPLE - 1)))
    indexes+=("$i")
    hosts+=("127.0.0.1:$((PORT + i))")
done
hostlist=$(IFS=,; echo "${hosts[*]}")
rc=0
timeout -k 5 300 ipmi-sensors -D LAN_2_0 -h "$hostlist" --config-file="$RUNDIR/freeipmi.conf" -I 17 \
    --sdr-cache-directory="$RUNDIR/sdr-cache" --quiet-cache -F "$SAMPLE" \
    > "$RUNDIR/sensors.txt" 2> "$RUNDIR/sensors.err" || rc=$?
assert_eq "$rc" 0 "ipmi-sensors -h <$SAMPLE hosts> -I 17 exits 0"
nsens=$(ctl dump-sensors 0 | awk -F'|' '$1 == "sensor" && $6 != "na"' | wc -l)
bad=()
for h in "${hosts[@]}"; do
    lines=$(grep -c "^$h: [0-9]" "$RUNDIR/sensors.txt" || true)
    ((lines >= nsens)) || bad+=("$h: $lines sensor lines, want $nsens")
done
if ((${#bad[@]} == 0)); then
    pass "every one of the $SAMPLE BMCs answered all $nsens readable sensors"
else
    fail "some BMCs did not answer fully" "${bad[@]}" "$(head -20 "$RUNDIR/sensors.err")"
fi
assert_eq "$(grep -c . "$RUNDIR/sensors.err" || true)" 0 "no errors from ipmi-sensors"

# per-BMC counters: each sampled BMC opened (and closed) exactly one session
odd=()
for i in "${indexes[@]}"; do
    o=$(counter sessions_opened "$i")
    [[ $o == 1 ]] || odd+=("BMC $i opened $o sessions")
done
if ((${#odd[@]} == 0)); then
    pass "each sampled BMC served exactly one session"
else
    fail "session counts" "${odd[@]}"
fi
assert_eq "$(counter sessions_opened)" "$SAMPLE" "fleet-wide: $SAMPLE sessions opened"
assert_eq "$(counter sessions_active)" 0 "all sessions closed"
assert_cmd "ipmitool -C 3 against the last BMC" it "$((PORT + N - 1))" 3 mc info

stop_bmcsim
assert_eq "$SIM_EXIT" 0 "$N BMCs: clean exit on SIGTERM"

# ---- the same fleet on two addresses --------------------------------------------
HALF=$((N / 2))
start_bmcsim spread --count "$N" --base-port "$PORT" --per-address "$HALF" --seed 11 ||
    bail_out "bmcsim --per-address did not start"
assert_eq "$SIM_READY" "bmcsim: ready: $N BMCs on 127.0.0.1-127.0.0.2:$PORT-$((PORT + HALF - 1))" \
    "--per-address $HALF: ready line names both addresses"
rc=0
timeout -k 5 120 ipmi-sensors -D LAN_2_0 -h "127.0.0.2:$PORT,127.0.0.2:$((PORT + HALF - 1))" \
    --config-file="$RUNDIR/freeipmi.conf" -I 3 --sdr-cache-directory="$RUNDIR/sdr-cache" --quiet-cache \
    > "$RUNDIR/spread.txt" 2>&1 || rc=$?
assert_eq "$rc" 0 "BMCs on 127.0.0.2 answer ipmi-sensors"
assert_eq "$(counter sessions_opened "$HALF")" 1 "127.0.0.2:$PORT is BMC $HALF"
stop_bmcsim
assert_eq "$SIM_EXIT" 0 "--per-address: clean exit"

finish
