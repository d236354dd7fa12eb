#!/usr/bin/env bash
# demo.sh - ipmi-snmp-bridge as it runs: a daemon polling simulated BMCs and
# serving them to SNMP through a private snmpd.
#
#   tests/demo.sh                      (from the repo root, after building)
#   top_builddir=/tmp/build tests/demo.sh
#   BRIDGE=/path/to/ipmi-snmp-bridge tests/demo.sh
#   DEMO_BMCS=20 tests/demo.sh         a smaller bmcsim fleet (default 100)
#   KEEP_RUNDIR=1 tests/demo.sh        keep the temp dir (config, logs, status)
#
# Starts, all on 127.0.0.1 with free unprivileged ports and a private temp dir:
#  - a bmcsim fleet of 100 simulated BMCs (one process, RMCP+ cipher 17),
#  - 2 OpenIPMI ipmi_sim BMCs (cipher 3),
#  - a private snmpd: SNMP on udp, AgentX master on tcp 127.0.0.1 (no system
#    configuration, no root),
#  - the bridge daemon (`ipmi-snmp-bridge -c bridge.conf`), an AgentX
#    subagent of that snmpd.
# Then shows the daemon's status, `snmptable` of ipmiBmcTable and (for the
# two ipmi_sim BMCs) ipmiSensorTable, and a few snmpgets by MIB name; then
# stops exactly the processes it started (SIGTERM; the daemon closes every
# session and exits 0).
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_cmds ipmi_sim sdrcomp ss timeout snmpd snmptable snmpget snmpwalk python3
require_bridge
BMCSIM="${BMCSIM:-$top_builddir/tests/bmcsim/bmcsim}"
[[ -x $BMCSIM ]] || bail_out "bmcsim not built: $BMCSIM (make)"
MIBDIRS="$top_srcdir/mibs:$top_srcdir/tests/mibs/base"
[[ -s $top_srcdir/tests/mibs/base/SNMPv2-SMI.txt ]] ||
    bail_out "tests/mibs/base missing: run ./install-deps.sh (it fetches the base MIB modules)"
make_rundir

NFLEET=${DEMO_BMCS:-100}
step() {
    printf '\n=== %s\n' "$*"
}
# snmp tools: the private snmpd, the bridge's MIB by name, no system config
snmp_env() {
    SNMPCONFPATH="$RUNDIR/snmpd" SNMP_PERSISTENT_DIR="$RUNDIR/snmpd/persist" MIBS="" "$@"
}
MIBOPTS=(-v2c -c public -m +IPMI-BRIDGE-MIB -M "+$MIBDIRS")

# ---- the BMCs
SIMPORT=$(free_port "$NFLEET" 21400) || bail_out "no free ports"
step "starting a bmcsim fleet: $NFLEET BMCs on udp 127.0.0.1:$SIMPORT-$((SIMPORT + NFLEET - 1))"
write_secret "$RUNDIR/bmc.pw" password
"$BMCSIM" --count "$NFLEET" --base-port "$SIMPORT" --password-file "$RUNDIR/bmc.pw" --seed 3 \
    > "$RUNDIR/bmcsim.out" 2> "$RUNDIR/bmcsim.err" < /dev/null &
SIM_PID=$!
track_pid "$SIM_PID" bmcsim
for ((t = 0; t < 200; t++)); do
    grep -q '^bmcsim: ready: ' "$RUNDIR/bmcsim.out" 2> /dev/null && break
    kill -0 "$SIM_PID" 2> /dev/null || bail_out "bmcsim exited: $(cat "$RUNDIR/bmcsim.err")"
    sleep 0.1
done
sed 's/^/  /' "$RUNDIR/bmcsim.out"

BASE=$(free_port 2 21300) || bail_out "no free ports"
step "starting 2 ipmi_sim BMC simulators"
start_sims 2 "$BASE"
while read -r pid port name; do
    echo "  $name: pid $pid, RMCP+ udp 127.0.0.1:$port"
done < "$RUNDIR/sims/pids"

# ---- snmpd
SNMP_PORT=$(free_port 1 21600) || bail_out "no free port"
AX_PORT=$(free_port 1 $((SNMP_PORT + 1))) || bail_out "no free port"
step "starting a private snmpd: SNMP udp:127.0.0.1:$SNMP_PORT, AgentX master tcp:127.0.0.1:$AX_PORT"
mkdir -p "$RUNDIR/snmpd/persist"
cat > "$RUNDIR/snmpd/snmpd.conf" << EOF
agentAddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket tcp:127.0.0.1:$AX_PORT
rocommunity public 127.0.0.1
authtrapenable 2
EOF
printf 'hexOutputLength 0\n' > "$RUNDIR/snmpd/snmp.conf"
# env execs snmpd: $! is snmpd itself, the PID we stop
env SNMPCONFPATH="$RUNDIR/snmpd" SNMP_PERSISTENT_DIR="$RUNDIR/snmpd/persist" MIBS="" \
    snmpd -f -C -c "$RUNDIR/snmpd/snmpd.conf" -Lf "$RUNDIR/snmpd/snmpd.log" \
    -p "$RUNDIR/snmpd/snmpd.pid" < /dev/null > "$RUNDIR/snmpd/snmpd.out" 2>&1 &
SNMPD_PID=$!
track_pid "$SNMPD_PID" snmpd
TARGET=udp:127.0.0.1:$SNMP_PORT
for ((t = 0; t < 100; t++)); do
    snmp_env snmpget -v2c -c public -t 0.3 -r 0 "$TARGET" .1.3.6.1.2.1.1.3.0 > /dev/null 2>&1 && break
    sleep 0.1
done
echo "  pid $SNMPD_PID, log $RUNDIR/snmpd/snmpd.log"

# ---- the bridge
CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
cat > "$CFG" << EOF
# written by tests/demo.sh
timeout = 0.5
retries = 2
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr-cache"
status-file = "$STATUS"
status-interval = 2
agentx-socket = "tcp:127.0.0.1:$AX_PORT"
sensor-interval = 15
defaults { username = "admin"  password-file = "$RUNDIR/bmc.pw" }
bmc-group "rack" {
    addresses = "127.0.0.1:[$SIMPORT-$((SIMPORT + NFLEET - 1))]"
    name-format = "rack-%d"
    cipher-suites = {17}
}
bmc "$(ipmisim_name 1)" { address = "127.0.0.1"  port = $BASE  cipher-suites = {3} }
bmc "$(ipmisim_name 2)" { address = "127.0.0.1"  port = $((BASE + 1))  cipher-suites = {3} }
EOF
step "bridge configuration ($CFG)"
sed 's/^/  /' "$CFG"
NTOTAL=$((NFLEET + 2))

step "ipmi-snmp-bridge -c bridge.conf --check-config"
"$BRIDGE" -c "$CFG" --check-config 2>&1 | sed 's/^/  /'

step "starting the daemon: ipmi-snmp-bridge -c bridge.conf"
"$BRIDGE" -c "$CFG" > "$RUNDIR/bridge.out" 2> "$RUNDIR/bridge.err" < /dev/null &
BRIDGE_PID=$!
track_pid "$BRIDGE_PID" ipmi-snmp-bridge
polling() {
    python3 - "$STATUS" << 'PY' 2> /dev/null || echo "0 0"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["fleet"]["states"]
print(s["polling"] + s["degraded"], d["fleet"]["bmcs"])
PY
}
for ((t = 0; t < 600; t++)); do
    read -r up all < <(polling)
    ((all == NTOTAL && up == NTOTAL)) && break
    sleep 0.2
done
echo "  pid $BRIDGE_PID; $up of $NTOTAL BMCs polling after $((t / 5)) s"
sed -n '1,6p' "$RUNDIR/bridge.err" | sed 's/^/  log: /'

status=0
step "snmptable IPMI-BRIDGE-MIB::ipmiBmcTable (the first columns and rows)"
# (the tools' complaints about standard modules Debian does not ship go to snmp.err)
snmp_env snmptable "${MIBOPTS[@]}" -Cb -Ci -Cw 150 "$TARGET" IPMI-BRIDGE-MIB::ipmiBmcTable \
    > "$RUNDIR/bmctable.txt" 2>> "$RUNDIR/snmp.err" || status=1
# snmptable -Cw wraps the columns in blocks: the first block, first rows
awk 'NR <= 12' "$RUNDIR/bmctable.txt" | sed 's/^/  /'
rows=$(awk '/^ *[0-9]+ / { n[$1] = 1 } END { print length(n) }' "$RUNDIR/bmctable.txt")
echo "  ... $rows rows in all (expected $NTOTAL)"
((rows == NTOTAL)) || status=1

# ipmiBmcIndex of a name (stable: kept in state-dir across restarts)
index_of() {
    snmp_env snmpwalk "${MIBOPTS[@]}" -Oqs "$TARGET" IPMI-BRIDGE-MIB::ipmiBmcName 2>> "$RUNDIR/snmp.err" |
        awk -v n="$1" '$2 == n || $2 == "\"" n "\"" { sub(/^ipmiBmcName\./, "", $1); print $1 }'
}
idx=$(index_of "$(ipmisim_name 1)")
ridx=$(index_of "rack-$SIMPORT")
step "snmptable IPMI-BRIDGE-MIB::ipmiSensorTable, the rows of $(ipmisim_name 1) (ipmiBmcIndex $idx)"
snmp_env snmptable "${MIBOPTS[@]}" -Cb -Ci "$TARGET" IPMI-BRIDGE-MIB::ipmiSensorTable \
    > "$RUNDIR/sensortable.txt" 2>> "$RUNDIR/snmp.err" || status=1
echo "  ($(grep -c '^ *[0-9]*\.[0-9]' "$RUNDIR/sensortable.txt") sensor rows of all $NTOTAL BMCs in $RUNDIR/sensortable.txt)"
python3 - "$RUNDIR/sensortable.txt" "$idx" << 'PY' | sed 's/^/  /'
import sys
lines = open(sys.argv[1]).read().splitlines()
want = sys.argv[2]
# snmptable -Ci: the index column first ("101.8226"); keep the header and this BMC's rows
hdr = [l for l in lines if l.strip().startswith("index")]
rows = [l for l in lines if l.split() and l.split()[0].split(".")[0] == want]
for l in hdr[:1] + rows:
    print(l[:150])
print("(%d sensors of this BMC)" % len(rows))
PY
grep -q "^ *$idx\." "$RUNDIR/sensortable.txt" || status=1

step "snmpget by MIB name (rack-$SIMPORT is ipmiBmcIndex $ridx)"
for oid in IPMI-BRIDGE-MIB::ipmiBridgeVersion.0 IPMI-BRIDGE-MIB::ipmiBridgeBmcCount.0 \
    "IPMI-BRIDGE-MIB::ipmiBmcName.$idx" "IPMI-BRIDGE-MIB::ipmiBmcState.$idx" \
    "IPMI-BRIDGE-MIB::ipmiBmcFirmwareRevision.$idx" "IPMI-BRIDGE-MIB::ipmiBmcName.$ridx" \
    "IPMI-BRIDGE-MIB::ipmiBmcPowerOnHours.$ridx" "IPMI-BRIDGE-MIB::ipmiBmcLanIpAddress.$ridx" \
    "IPMI-BRIDGE-MIB::ipmiBmcDcmiPowerCurrent.$ridx" "IPMI-BRIDGE-MIB::ipmiSensorValueText.$ridx.8194"; do
    out=$(snmp_env snmpget "${MIBOPTS[@]}" "$TARGET" "$oid" 2>> "$RUNDIR/snmp.err") || status=1
    echo "  $out"
    [[ $out == *"No Such"* ]] && status=1
done

step "the daemon's status file ($STATUS, every 2 s and on SIGUSR1): fleet figures"
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(json.dumps(d["fleet"], indent=2))' "$STATUS" | sed 's/^/  /'

step "stopping: the daemon (SIGTERM closes every session), snmpd, the simulators"
kill -TERM "$BRIDGE_PID"
rc=0
wait "$BRIDGE_PID" || rc=$?
echo "  ipmi-snmp-bridge exited with status $rc"
tail -2 "$RUNDIR/bridge.err" | sed 's/^/  log: /'
((rc == 0)) || status=1
stop_pid "$SNMPD_PID" snmpd
stop_pid "$SIM_PID" bmcsim
ipmisim_stop "$RUNDIR/sims"
echo "  done"
if ((status != 0)); then
    T_FAILED=1 # keeps the run dir for a look
    echo "demo: something did not answer as expected (see above); files kept in $RUNDIR" >&2
fi
exit "$status"
