#!/usr/bin/env bash
# bench_snmpget.sh - p50/p99 snmpget latency while the daemon polls 1,000
# BMCs at full rate.  The real daemon (ipmi-snmp-bridge) polls a bmcsim fleet
# of 1,000 BMCs and serves them through a private snmpd (AgentX master).
# tests/bench/snmpget_lat (one long-lived Net-SNMP session) sends GETs one
# after another, each of one random instance from a walk (ipmiSensorValue of
# every sensor row, ipmiBmcState of every BMC), and times each:
#   1. idle: every BMC polling, sensor-interval 3600 (nothing polled meanwhile);
#   2. busy: after SIGHUP with sensor-interval 1 (the lowest the config takes),
#      so the daemon polls every sensor of every BMC once a second, as fast
#      as it and the simulator keep up; the simulator's Get Sensor Reading
#      count over the run shows the rate.
# Prints figures; asserts nothing.  BENCH_GETS (default 20000) requests a phase.
set -euo pipefail
TESTS_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"
# shellcheck source=tests/bmcsim/testlib.sh
. "$TESTS_LIB_DIR/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

N=${BENCH_BMCS:-1000}
GETS=${BENCH_GETS:-20000}
LAT=$top_builddir/tests/bench/snmpget_lat
require_bmcsim
require_bridge
require_cmds snmpd snmpbulkwalk snmpget python3
[[ -x $LAT ]] || bail_out "missing $LAT (make)"
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
PORT=$(free_port "$N" 25000) || bail_out "no free port range"
start_bmcsim fleet --count "$N" --base-port "$PORT" --seed 11 || bail_out "bmcsim did not start"
SNMP_PORT=$(free_port 1 22750) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
# write_cfg SENSOR_INTERVAL
write_cfg() {
    cat > "$CFG" << EOF
timeout = 1.0
retries = 3
max-logins = 256
max-sdr-reads = 64
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 0
agentx-socket = "$AGENTX_SOCK"
sensor-interval = $1
sel-interval = 3600
sdr-check-interval = 3600
fru-interval = 86400
info-interval = 3600
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "fleet" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "f%d" }
EOF
}
write_cfg 3600
"$BRIDGE" -c "$CFG" --allow-root > "$RUNDIR/daemon.out" 2> "$RUNDIR/daemon.err" < /dev/null &
DPID=$!
track_pid "$DPID" ipmi-snmp-bridge

# polling: BMCs in state polling, from the status file written now (SIGUSR1;
# no periodic status file: writing 38,000 sensors a second would cost the
# daemon's loop more than the GETs measured)
polling() {
    rm -f "$STATUS"
    kill -USR1 "$DPID" 2> /dev/null || true
    for ((k = 0; k < 50; k++)); do
        [[ -s $STATUS ]] && break
        sleep 0.05
    done
    python3 -c 'import json,sys
try:
    print(json.load(open(sys.argv[1]))["fleet"]["states"]["polling"])
except Exception:
    print(0)' "$STATUS"
}
# SIGUSR1 kills a process that has not blocked it yet: wait for "running"
for ((t = 0; t < 300; t++)); do
    grep -q 'notice: running: ' "$RUNDIR/daemon.err" 2> /dev/null && break
    sleep 0.1
done
t0=$(date +%s)
for ((t = 0; t < 600; t++)); do # at most about 2 minutes
    p=$(polling)
    ((p == N)) && break
    kill -0 "$DPID" 2> /dev/null || bail_out "the daemon exited:" "$(tail -20 "$RUNDIR/daemon.err")"
    sleep 0.2
done
((p == N)) || bail_out "only $p of $N BMCs polling:" "$(tail -20 "$RUNDIR/daemon.err")"
note "all $N BMCs polling after $(($(date +%s) - t0)) s"

# the instances: every ipmiSensorValue (column 12) and ipmiBmcState (column 4)
OIDS=$RUNDIR/oids.txt
for ((t = 0; t < 100; t++)); do
    snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ.3.1.4" 2> /dev/null | cut -d' ' -f1 > "$OIDS.bmc" || true
    [[ $(wc -l < "$OIDS.bmc") -eq $N ]] && break
    sleep 0.2
done
snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ.5.1.12" 2> /dev/null | cut -d' ' -f1 > "$OIDS.sensor" || true
cat "$OIDS.bmc" "$OIDS.sensor" > "$OIDS"
note "instances: $(wc -l < "$OIDS.bmc") ipmiBmcState, $(wc -l < "$OIDS.sensor") ipmiSensorValue"

readings() { counter content_get_sensor_reading; }

# phase NAME: GETS timed requests, and the simulator's readings/s meanwhile
phase() {
    local r0 r1 s0 s1 out
    r0=$(readings)
    s0=$(date +%s.%N)
    out=$("$LAT" "$SNMPD_TARGET" public "$GETS" 7 < "$OIDS")
    s1=$(date +%s.%N)
    r1=$(readings)
    local rate secs
    secs=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.1f", b - a }')
    rate=$(awk -v a="$r0" -v b="$r1" -v x="$s0" -v y="$s1" 'BEGIN { printf "%.0f", (b - a) / (y - x) }')
    echo "snmpget latency, $1: $out; over ${secs}s the simulator answered $rate sensor readings/s"
}

sleep 2 # the first FRU/SEL/info reads after polling begins
phase "daemon idle (1,000 BMCs polling, sensor-interval 3600)"

write_cfg 1
kill -HUP "$DPID"
# let the rate settle: wait until two 2-second windows agree within 10%
prev=0
for ((t = 0; t < 10; t++)); do
    a=$(readings)
    sleep 2
    b=$(readings)
    cur=$(((b - a) / 2))
    ((prev > 0 && cur * 10 >= prev * 9 && cur * 10 <= prev * 11)) && break
    prev=$cur
done
note "after SIGHUP (sensor-interval 1): $cur sensor readings/s at the simulator" \
    "(one reading of every sensor a second would be $(wc -l < "$OIDS.sensor")/s)"
phase "daemon polling $N BMCs at full rate (sensor-interval 1)"
note "daemon: $(grep -c 'timeout\|error' "$RUNDIR/daemon.err" || true) timeout/error lines in its log"

kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
note "daemon exit status $rc"
snmpd_stop
stop_bmcsim
pass "benchmark ran"
finish
