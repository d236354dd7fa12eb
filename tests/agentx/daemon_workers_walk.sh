#!/usr/bin/env bash
# daemon_workers_walk.sh - 2,000 simulated BMCs polled by the real daemon
# with worker-threads = 2, served through a private snmpd (AgentX), so the
# store (which the MIB reads) holds every BMC exactly once:
#  * every BMC reaches polling with its sensors, as the MIB shows it;
#  * the status file holds every BMC exactly once, split over both workers;
#  * snmpbulkwalk of ipmiBmcName has one row per BMC, names as configured,
#    no duplicates (both workers' snapshots reach the one store);
#  * ipmiSensorTable has, for every BMC, as many rows as its status entry
#    has sensors;
#  * SIGTERM: exit status 0.
#
#   make check TESTS=tests/agentx/daemon_workers_walk.sh
set -euo pipefail
TESTS_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"
# shellcheck source=tests/bmcsim/testlib.sh
. "$TESTS_LIB_DIR/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$TESTS_LIB_DIR/../bmcsim/daemonlib.sh"

require_bmcsim
require_bridge
require_cmds snmpd snmpbulkwalk snmpget python3
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
N=${DAEMON_WORKERS_WALK_BMCS:-2000}
SIMPORT=$(free_port "$N" 16500) || bail_out "no free ports"
start_bmcsim sim --count "$N" --base-port "$SIMPORT" --seed 9 --tick-ms 0 || bail_out "bmcsim did not start"
SNMP_PORT=$(free_port 1 22700) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"
note "bmcsim ports $SIMPORT.., snmpd $SNMPD_TARGET, agentx $AGENTX_SOCK"

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
cat > "$CFG" << EOF2
timeout = 1.0
retries = 3
worker-threads = 2
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 0
agentx-socket = "$AGENTX_SOCK"
sensor-interval = 3600
sel-interval = 3600
sdr-check-interval = 3600
info-interval = 3600
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "sim" { addresses = "127.0.0.1:[$SIMPORT-$((SIMPORT + N - 1))]"  name-format = "ww%d" }
EOF2

daemon_start daemon "$CFG" --allow-root
daemon_running daemon || true # SIGUSR1 before the signal mask is set would kill it

# settled: BMCs polling (or degraded) with sensors, as the MIB (the store)
# shows them: ipmiBmcState (5 polling, 6 degraded) and ipmiBmcSensorCount
settled() {
    snmpbulkwalk -v2c -c public -On -Cr50 -t 10 -r 1 "$SNMPD_TARGET" "$OBJ.3.1.4" 2> /dev/null > "$RUNDIR/st.txt" || true
    snmpbulkwalk -v2c -c public -On -Cr50 -t 10 -r 1 "$SNMPD_TARGET" "$OBJ.3.1.28" 2> /dev/null > "$RUNDIR/sc.txt" || true
    python3 - "$RUNDIR/st.txt" "$RUNDIR/sc.txt" << 'PY'
import re, sys
def col(path):
    out = {}
    for line in open(path):
        m = re.match(r".*\.(\d+) = \w+: (\d+)", line.strip())
        if m:
            out[int(m.group(1))] = int(m.group(2))
    return out
st, sc = col(sys.argv[1]), col(sys.argv[2])
print(sum(1 for i, v in st.items() if v in (5, 6) and sc.get(i, 0) > 0))
PY
}
polled=0
T0=$SECONDS
while ((SECONDS - T0 < 600)); do
    polled=$(settled)
    ((polled == N)) && break
    kill -0 "$DPID" 2> /dev/null || break
    sleep 2
done
note "figure: $polled of $N BMCs polled with their sensors (in the MIB) after about $((SECONDS - T0)) s"
assert_eq "$polled" "$N" "every BMC polls, with sensors (the MIB's ipmiBmcState and ipmiBmcSensorCount)"

# one status file (rendered by the workers; slow for 2,000 BMCs under sanitizers)
rm -f "$STATUS"
kill -USR1 "$DPID"
for ((k = 0; k < 1800; k++)); do
    [[ -s $STATUS ]] && break
    sleep 0.1
done
read -r total uniq nworkers < <(python3 -c 'import json,sys
try:
    b=json.load(open(sys.argv[1]))["bmcs"]
except Exception:
    print("0 0 0"); sys.exit(0)
print(len(b), len({x["name"] for x in b}), len({x["worker"] for x in b}))' "$STATUS")
assert_eq "$total" "$N" "the status file lists $N BMCs"
assert_eq "$uniq" "$N" "each BMC is held once"
assert_eq "$nworkers" 2 "the BMCs are spread over both workers"
cp "$STATUS" "$RUNDIR/status1.json"
# the status file keeps the main thread (the agent's) busy a while: walk
# once the agent answers again
for ((t = 0; t < 120; t++)); do
    snmpget -v2c -c public -On -t 2 -r 0 "$SNMPD_TARGET" "$OBJ.1.3.0" 2> /dev/null | grep -q "Gauge32: $N" && break
    sleep 1
done

snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ.3.1.2" > "$RUNDIR/names.txt" 2> "$RUNDIR/walk.err" ||
    fail "snmpbulkwalk of ipmiBmcName" "$(cat "$RUNDIR/walk.err")"
snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ.5.1.2" > "$RUNDIR/sensors.txt" 2>> "$RUNDIR/walk.err" ||
    fail "snmpbulkwalk of the sensor table's second column" "$(cat "$RUNDIR/walk.err")"
res=$(python3 - "$RUNDIR/names.txt" "$RUNDIR/sensors.txt" "$RUNDIR/status1.json" "$SIMPORT" "$N" << 'PY'
import json, re, sys
OBJ = ".1.3.6.1.4.1.8072.9999.9999.623.1"
names = {}
dup = 0
for line in open(sys.argv[1]):
    m = re.match(re.escape(OBJ) + r"\.3\.1\.2\.(\d+) = STRING: \"(.*)\"$", line.strip())
    if m:
        dup += int(m.group(1)) in names
        names[int(m.group(1))] = m.group(2)
rows = {}
for line in open(sys.argv[2]):
    m = re.match(re.escape(OBJ) + r"\.5\.1\.2\.(\d+)\.\d+ = ", line.strip())
    if m:
        rows[int(m.group(1))] = rows.get(int(m.group(1)), 0) + 1
port, n = int(sys.argv[4]), int(sys.argv[5])
want = {"ww%d" % p for p in range(port, port + n)}
doc = json.load(open(sys.argv[3]))
bad_rows = sum(1 for b in doc["bmcs"] if rows.get(b["index"], 0) != b["sensor_count"] or b["sensor_count"] == 0)
print(len(names), dup, int(set(names.values()) == want), len(set(names.values())), bad_rows, sum(rows.values()))
PY
)
read -r nrows dups same distinct badrows sensorrows <<< "$res"
note "figure: $nrows ipmiBmcTable rows, $sensorrows ipmiSensorTable rows"
assert_eq "$nrows" "$N" "ipmiBmcName: one row per BMC"
assert_eq "$dups" 0 "no index twice"
assert_eq "$distinct" "$N" "no name twice"
assert_eq "$same" 1 "the names are exactly the configured fleet"
assert_eq "$badrows" 0 "every BMC's sensor rows in ipmiSensorTable = its sensor count in the status file"

kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM: exit 0"
stop_bmcsim
snmpd_stop
finish
