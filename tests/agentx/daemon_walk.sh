#!/usr/bin/env bash
# daemon_walk.sh - the real daemon end to end: a bmcsim fleet of 20 BMCs and
# one ipmi_sim BMC polled by ipmi-snmp-bridge (daemon mode, not the test
# driver), served through a private snmpd as AgentX master.  Then:
#  * snmpbulkwalk of ipmiBmcTable and ipmiSensorTable answers for every BMC
#    (name, state polling/degraded, sensor rows per BMC = the status file's);
#  * the status file (SIGUSR1) and the walk agree, value for value
#    (mib_vs_json.py: both render the same snapshots of the daemon's store);
#  * the POH / clock / LAN / DCMI columns come from the snapshot (bmcsim serves
#    them: ipmiBmcPohStatus ok);
#  * ipmiBmcIndex of every name is the same after a SIGHUP (one BMC added)
#    and after a restart (checked through the walk);
#  * ipmiSelIndex (walk of ipmiSelRecordId) is the same after a restart for
#    every SEL record still in the SEL, although ipmi_sim's oldest record was
#    deleted and one added while the daemon was down; the added one gets an
#    index above every index given before (state-dir/sel-INDEX.state);
#  * SIGTERM: exit status 0.
# Intervals are long, so after the first poll nothing changes in the store
# between the status file and the walk.
#
#   make check TESTS=tests/agentx/daemon_walk.sh
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
require_cmds ipmi_sim sdrcomp snmpd snmpbulkwalk snmpget python3
bmcsim_setup

OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
NSIM=20

SIMPORT=$(free_port $((NSIM + 1)) 22550) || bail_out "no free ports"
start_bmcsim sim --count $((NSIM + 1)) --base-port "$SIMPORT" --seed 7 --tick-ms 0 || bail_out "bmcsim did not start"
IPORT=$(free_port 1 22600) || bail_out "no free port"
start_sims 1 "$IPORT"
ISIM=$(ipmisim_name 1)
write_secret "$RUNDIR/$ISIM.pw" password

SNMP_PORT=$(free_port 1 22650) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"
note "bmcsim ports $SIMPORT.., ipmi_sim $IPORT, snmpd $SNMPD_TARGET, agentx $AGENTX_SOCK"

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
# write_cfg EXTRA: the configuration, EXTRA appended
write_cfg() {
    cat > "$CFG" << EOF
timeout = 0.5
retries = 2
session-timeout = 3
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 0
agentx-socket = "$AGENTX_SOCK"
sensor-interval = 3600
sel-interval = 3600
sdr-check-interval = 3600
fru-interval = 86400
info-interval = 3600
bmc-group "sim" {
    addresses = "127.0.0.1:[$SIMPORT-$((SIMPORT + NSIM - 1))]"
    name-format = "sim%d"
    username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin"
}
bmc "$ISIM" {
    address = "127.0.0.1"  port = $IPORT
    username = "admin"  password-file = "$RUNDIR/$ISIM.pw"  cipher-suites = {3}  privilege = "admin"
}
$1
EOF
}

# SIGUSR1 kills a process that has not blocked it yet: wait for "running"
start_daemon() {
    daemon_start "$1" "$CFG" --allow-root -v
    daemon_running "$1"
}

# settled N: the status file (written now, by SIGUSR1) has N BMCs, all
# polling or degraded
settled() {
    rm -f "$STATUS"
    kill -USR1 "$DPID" 2> /dev/null || return 1
    for ((k = 0; k < 20; k++)); do
        [[ -s $STATUS ]] && break
        sleep 0.1
    done
    python3 - "$STATUS" "$1" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["bmcs"]
sys.exit(0 if len(b) == int(sys.argv[2]) and
         all(x["state"] in ("polling", "degraded") for x in b) else 1)
PY
}

wait_settled() {
    local n=$1 t
    for ((t = 0; t < 600; t++)); do
        settled "$n" 2> /dev/null && return 0
        sleep 0.2
    done
    return 1
}

# walk_names FILE: "index=name" lines of ipmiBmcName from a walk, sorted
walk_names() {
    snmpbulkwalk -v2c -c public -On -Cr50 -t 5 "$SNMPD_TARGET" "$OBJ.3.1.2" 2> /dev/null |
        sed -n 's/^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.623\.1\.3\.1\.2\.\([0-9]*\) = STRING: "\(.*\)"$/\1=\2/p' |
        sort > "$1"
}

# walk_sel FILE: "bmc-index.sel-index=record-id" lines of ipmiSelRecordId, sorted
walk_sel() {
    snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ.9.1.2" 2> /dev/null |
        sed -n 's/^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.623\.1\.9\.1\.2\.\([0-9]*\.[0-9]*\) = Gauge32: \([0-9]*\)$/\1=\2/p' |
        sort > "$1"
}

# wait until the subagent serves N BMC rows
wait_rows() {
    local n=$1 t
    for ((t = 0; t < 300; t++)); do
        walk_names "$RUNDIR/names.now"
        [[ $(wc -l < "$RUNDIR/names.now") -eq $n ]] && return 0
        sleep 0.2
    done
    return 1
}

NTOTAL=$((NSIM + 1))
write_cfg ""
start_daemon run1
wait_settled "$NTOTAL" || note "status:" "$(head -c 2000 "$STATUS" 2> /dev/null)" "$(tail -20 "$RUNDIR/run1.err")"
assert_cmd "all $NTOTAL BMCs poll (status file)" settled "$NTOTAL"
wait_rows "$NTOTAL" || note "names:" "$(cat "$RUNDIR/names.now")" "$(tail -20 "$RUNDIR/run1.err")"
assert_eq "$(wc -l < "$RUNDIR/names.now")" "$NTOTAL" "ipmiBmcTable has a row for every BMC"
assert_contains "$(cat "$RUNDIR/run1.err")" "AgentX subagent: master agent at $AGENTX_SOCK" "the daemon logs its AgentX master"

# the whole MIB against the status file of the same store
cp "$STATUS" "$RUNDIR/status1.json"
W=$RUNDIR/walk1.txt
snmpbulkwalk -v2c -c public -On -Ox -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ" > "$W" 2> "$RUNDIR/walk1.err" ||
    fail "snmpbulkwalk of the MIB" "$(cat "$RUNDIR/walk1.err")"
note "walk: $(wc -l < "$W") instances"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h" 2> /dev/null || true)
[[ -n $version ]] || version=$(awk -F'[][]' '/^AC_INIT/ { print $4 }' "$top_srcdir/configure.ac")
run_checks python3 "$top_srcdir/tests/agentx/mib_vs_json.py" "$W" "$RUNDIR/status1.json" "$version"

# per BMC: name, a polling/degraded state, as many sensor rows as the status file has sensors
python3 - "$W" "$RUNDIR/status1.json" > "$RUNDIR/perbmc.txt" << 'PY'
import json, re, sys
OBJ = ".1.3.6.1.4.1.8072.9999.9999.623.1"
names, states, rows = {}, {}, {}
for line in open(sys.argv[1]):
    m = re.match(re.escape(OBJ) + r"\.(\d+)\.1\.(\d+)\.(\d+)(\.\d+)* = (.*)$", line.strip())
    if not m:
        continue
    table, col, idx, rest = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(5)
    if table == 3 and col == 2:
        names[idx] = rest
    if table == 3 and col == 4:
        states[idx] = int(rest.split()[-1])
    if table == 5 and col == 2:
        rows[idx] = rows.get(idx, 0) + 1
doc = json.load(open(sys.argv[2]))
bad = []
for b in doc["bmcs"]:
    i = b["index"]
    n = len(b["sensors"] or [])
    if i not in names:
        bad.append("%s: no ipmiBmcTable row" % b["name"])
    elif states.get(i) not in (5, 6):
        bad.append("%s: ipmiBmcState %s" % (b["name"], states.get(i)))
    elif n == 0 or rows.get(i, 0) != n:
        bad.append("%s: %d sensor rows, status file %d sensors" % (b["name"], rows.get(i, 0), n))
print("%d %s" % (len(doc["bmcs"]), "; ".join(bad) if bad else "ok"))
PY
assert_eq "$(cat "$RUNDIR/perbmc.txt")" "$NTOTAL ok" "every BMC: ipmiBmcTable row, state polling/degraded, its sensors in ipmiSensorTable"

# info columns from the snapshot: bmcsim answers POH, so ipmiBmcPohStatus is ok(2) and the hours are there
sim0=$(awk -F= -v n="sim$SIMPORT" '$2 == n { print $1 }' "$RUNDIR/names.now")
poh=$(snmpget -v2c -c public -On -t 5 "$SNMPD_TARGET" "$OBJ.3.1.75.$sim0" "$OBJ.3.1.47.$sim0" 2>&1 || true)
assert_match "$poh" "\.75\.$sim0 = INTEGER: 2" "ipmiBmcPohStatus.$sim0 is ok (from the snapshot)"
assert_match "$poh" "\.47\.$sim0 = Gauge32: [0-9]+" "ipmiBmcPowerOnHours.$sim0 is there"

# status file: per-sensor age from the sweep, scheduler fields beside the --once shape
ages=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
b=[x for x in d["bmcs"] if x["name"] == sys.argv[2]][0]
print(all(isinstance(s.get("age_s"), float) for s in b["sensors"]), b["scheduler_state"] in ("polling", "degraded"), "counters" in b, "poh_hours" in b)' "$RUNDIR/status1.json" "sim$SIMPORT")
assert_eq "$ages" "True True True True" "status file: sensor ages, scheduler state, the --once fields"

cp "$RUNDIR/names.now" "$RUNDIR/names1.txt"

# ---- SIGHUP: one BMC added, every index kept
write_cfg "bmc \"extra\" {
    address = \"127.0.0.1\"  port = $((SIMPORT + NSIM))
    username = \"admin\"  password-file = \"$RUNDIR/pw\"  cipher-suites = {17}  privilege = \"admin\"
}"
kill -HUP "$DPID"
wait_rows $((NTOTAL + 1)) || note "names:" "$(cat "$RUNDIR/names.now")"
walk_names "$RUNDIR/names2.txt"
assert_eq "$(grep -vx -f "$RUNDIR/names2.txt" "$RUNDIR/names1.txt" | wc -l)" 0 "after SIGHUP every BMC keeps its ipmiBmcIndex (walk)"
assert_eq "$(wc -l < "$RUNDIR/names2.txt")" $((NTOTAL + 1)) "after SIGHUP the added BMC has a row"

# ---- restart: the same indices
walk_sel "$RUNDIR/sel1.txt"
ibmc=$(awk -F= -v n="$ISIM" '$2 == n { print $1 }' "$RUNDIR/names2.txt")
nisim=$(grep -c "^$ibmc\." "$RUNDIR/sel1.txt" || true)
assert_eq "$nisim" "$IPMISIM_SEL_INITIAL" "ipmiSelTable has ipmi_sim's $IPMISIM_SEL_INITIAL SEL records before the restart"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM: exit status 0"
assert_cmd "state-dir holds ipmi_sim's SEL state file" test -s "$RUNDIR/state/sel-$ibmc.state"
# while the daemon is down: ipmi_sim's oldest record deleted, one added (so a
# bridge that numbers the SEL from 1 again after a restart gives other indices)
oldest=$(grep "^$ibmc\." "$RUNDIR/sel1.txt" | sort -t. -k2,2n | head -1)
oldest_rid=${oldest#*=}
ipmisim_ipmitool "$IPORT" sel delete "$oldest_rid" > "$RUNDIR/seldel.out" 2>&1 ||
    fail "ipmitool sel delete $oldest_rid on ipmi_sim" "$(cat "$RUNDIR/seldel.out")"
ipmisim_sel_add "$IPORT" 1 120 || fail "ipmi_sim takes a SEL record"
start_daemon run2
wait_rows $((NTOTAL + 1)) || note "names:" "$(cat "$RUNDIR/names.now")" "$(tail -20 "$RUNDIR/run2.err")"
walk_names "$RUNDIR/names3.txt"
if diff "$RUNDIR/names2.txt" "$RUNDIR/names3.txt" > "$RUNDIR/names.diff"; then
    pass "after a restart every BMC has the same ipmiBmcIndex (walk, $((NTOTAL + 1)) rows)"
else
    fail "after a restart every BMC has the same ipmiBmcIndex" "$(head -20 "$RUNDIR/names.diff")"
fi
wait_settled $((NTOTAL + 1)) || true
assert_cmd "after the restart all $((NTOTAL + 1)) BMCs poll again" settled $((NTOTAL + 1))
for ((t = 0; t < 100; t++)); do
    walk_sel "$RUNDIR/sel2.txt"
    [[ $(grep -c "^$ibmc\." "$RUNDIR/sel2.txt" || true) -eq $IPMISIM_SEL_INITIAL ]] && break
    sleep 0.2
done
# every row of before but the deleted record is there again, index and record ID alike
grep -Fvx -e "$oldest" "$RUNDIR/sel1.txt" > "$RUNDIR/sel1.kept"
missing=$(grep -Fcvx -f "$RUNDIR/sel2.txt" "$RUNDIR/sel1.kept" || true)
assert_eq "$missing" 0 "after a restart every SEL record still in the SEL keeps its ipmiSelIndex ($(wc -l < "$RUNDIR/sel1.kept") rows)"
[[ $missing == 0 ]] || note "rows lost or renumbered:" "$(grep -Fvx -f "$RUNDIR/sel2.txt" "$RUNDIR/sel1.kept" | head -5)"
assert_eq "$(grep -Fcx -e "$oldest" "$RUNDIR/sel2.txt" || true)" 0 "the deleted record has no row after the restart"
new=$(grep -Fvx -f "$RUNDIR/sel1.txt" "$RUNDIR/sel2.txt" || true)
assert_eq "$(printf '%s\n' "$new" | grep -c "^$ibmc\." || true)" 1 "one new ipmiSelTable row: the record added while the daemon was down"
maxold=$(grep "^$ibmc\." "$RUNDIR/sel1.txt" | cut -d= -f1 | cut -d. -f2 | sort -n | tail -1)
newidx=$(printf '%s\n' "$new" | grep "^$ibmc\." | head -1 | cut -d= -f1 | cut -d. -f2)
assert_cmd "the new record's ipmiSelIndex ($newidx) is above every one given before ($maxold)" \
    test "${newidx:-0}" -gt "${maxold:-0}"

kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM after the restart: exit status 0"
assert_no_match "$(cat "$RUNDIR/run1.err" "$RUNDIR/run2.err")" "AddressSanitizer|runtime error" "no sanitizer reports"

finish
