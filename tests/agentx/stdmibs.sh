#!/usr/bin/env bash
# stdmibs.sh - the standard MIBs per BMC through SNMPv3 contexts (issue 14):
# a bmcsim fleet of 3 BMCs (web01, web02, db01) and one ipmi_sim BMC polled by
# the daemon with standard-mibs = true, as AgentX subagent of a private snmpd
# with an SNMPv3 user (createUser + rouser: every context).  Then:
#  * entLogicalTable (default context) lists every BMC, context name =
#    ipmiBmcName, entLogicalIndex = ipmiBmcIndex;
#  * `snmpwalk -v3 -n NAME` of entPhySensorTable gives exactly that BMC's
#    sensors with units, type / units display / value / precision / scale /
#    oper status agreeing with its ipmiSensorTable rows (stdmibs_check.py);
#  * entPhysicalTable in the context: a sensor(8) row per sensor and a FRU
#    row per ipmiFruTable row (serial, manufacturer, model, IsFRU, mfg date);
#  * IPMI-BRIDGE-MIB in the context has that BMC's rows alone;
#  * snmpd restarted: the subagent registers again and the contexts answer
#    again (Net-SNMP re-sends every context registration);
#  * a BMC removed by SIGHUP leaves entLogicalTable and its context stops
#    answering, the others still answer;
#  * snmpd restarted a second time, the BMC added back by SIGHUP: the roster
#    tick still runs after the re-registrations (its context answers again).
#    The tick runs once a second, so its log lines are waited for, not
#    expected at once: the walks after a SIGHUP can all end well within that
#    second (a SIGTERM 0.16 s after the SIGHUP was seen), and asserting at
#    once failed 1 run in 3 although nothing had stalled.
#  * standard-mibs = false (restart): no entLogicalTable, no context answers.
#
#   make check TESTS=tests/agentx/stdmibs.sh
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
require_cmds ipmi_sim sdrcomp snmpd snmpwalk snmpbulkwalk snmpget python3
bmcsim_setup

OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
ENT_SENSOR=.1.3.6.1.2.1.99.1.1
ENT_PHYS=.1.3.6.1.2.1.47.1.1.1
ENT_LOGICAL=.1.3.6.1.2.1.47.1.2.1
CHECK="$top_srcdir/tests/agentx/stdmibs_check.py"

SIMPORT=$(free_port 3 24500) || bail_out "no free ports"
start_bmcsim sim --count 3 --base-port "$SIMPORT" --seed 11 --tick-ms 0 || bail_out "bmcsim did not start"
IPORT=$(free_port 1 24550) || bail_out "no free port"
start_sims 1 "$IPORT"
ISIM=$(ipmisim_name 1)
write_secret "$RUNDIR/$ISIM.pw" password

SNMP_PORT=$(free_port 1 24560) || bail_out "no free port"
V3USER=stdmibs
V3PASS=stdmibs-secret-1
WEBPASS=webteam-secret-1
# an SNMPv3 user that may read every context (no context on rouser: all);
# one that may read the contexts starting with "web" (VACM prefix match), and
# a v2c community mapped to context web01 (com2sec -Cn): the snippet's examples
SNMPD_EXTRA="createUser $V3USER SHA \"$V3PASS\" AES \"$V3PASS\"
rouser $V3USER priv
view stdall included .1
createUser webteam SHA \"$WEBPASS\" AES \"$WEBPASS\"
group webteam usm webteam
access webteam web usm priv prefix stdall none none
com2sec -Cn web01 web01sec 127.0.0.1 web01community
group web01grp v2c web01sec
access web01grp web01 any noauth exact stdall none none"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"
note "bmcsim ports $SIMPORT.., ipmi_sim $IPORT, snmpd $SNMPD_TARGET, agentx $AGENTX_SOCK"

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
# write_cfg STANDARD_MIBS [with-db01]
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
standard-mibs = $1
sensor-interval = 3600
sel-interval = 3600
sdr-check-interval = 3600
fru-interval = 86400
info-interval = 3600
defaults {
    username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin"
}
bmc "web01" { address = "127.0.0.1"  port = $SIMPORT }
bmc "web02" { address = "127.0.0.1"  port = $((SIMPORT + 1)) }
bmc "$ISIM" {
    address = "127.0.0.1"  port = $IPORT
    username = "admin"  password-file = "$RUNDIR/$ISIM.pw"  cipher-suites = {3}  privilege = "admin"
}
EOF
    if [[ ${2:-} == with-db01 ]]; then
        echo "bmc \"db01\" { address = \"127.0.0.1\"  port = $((SIMPORT + 2)) }" >> "$CFG"
    fi
}

start_daemon() {
    daemon_start "$1" "$CFG" --allow-root -v
    daemon_running "$1"
}

stop_daemon() {
    kill -TERM "$DPID"
    local rc=0
    wait "$DPID" || rc=$?
    assert_eq "$rc" 0 "$1: SIGTERM, exit status 0"
}

# settled N: the status file has N BMCs, all polling or degraded, FRUs read
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
         all(x["state"] in ("polling", "degraded") and x.get("fru") for x in b) else 1)
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

v2walk() { # OID FILE
    snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$1" > "$2" 2> "$2.err" || true
}
v3walk() { # CONTEXT OID FILE
    snmpwalk -v3 -l authPriv -u "$V3USER" -a SHA -A "$V3PASS" -x AES -X "$V3PASS" -n "$1" \
        -On -t 5 -r 1 "$SNMPD_TARGET" "$2" > "$3" 2> "$3.err" || true
}
# rows FILE: instances in a walk (not "No more variables" / "No Such ...")
rows() { grep " = " "$1" | grep -cv " = No " || true; }

# wait_logical N: entLogicalTable (default context) has N context names
wait_logical() {
    local t
    for ((t = 0; t < 150; t++)); do
        v2walk "$ENT_LOGICAL.1.8" "$RUNDIR/logical.now"
        [[ $(rows "$RUNDIR/logical.now") -eq $1 ]] && return 0
        sleep 0.2
    done
    return 1
}

# wait_log FILE TEXT: FILE (the daemon's log) has a line with TEXT; up to 15 s
wait_log() {
    local t
    for ((t = 0; t < 75; t++)); do
        grep -qF -- "$2" "$1" 2> /dev/null && return 0
        sleep 0.2
    done
    return 1
}

# bmc_index NAME: ipmiBmcIndex of NAME (from a walk of ipmiBmcName)
bmc_index() {
    v2walk "$OBJ.3.1.2" "$RUNDIR/names.now"
    sed -n "s/^${OBJ//./\\.}\.3\.1\.2\.\([0-9]*\) = STRING: \"$1\"$/\1/p" "$RUNDIR/names.now"
}

# ---- standard-mibs = true, four BMCs
write_cfg true with-db01
start_daemon run1 || bail_out "the daemon did not start"
wait_settled 4 || note "status:" "$(head -c 2000 "$STATUS" 2> /dev/null)" "$(tail -20 "$RUNDIR/run1.err")"
assert_cmd "all 4 BMCs poll, FRUs read (status file)" settled 4
wait_logical 4 || note "entLogicalTable:" "$(cat "$RUNDIR/logical.now" "$RUNDIR/logical.now.err")"
v2walk "$ENT_LOGICAL" "$RUNDIR/logical1.txt"
v2walk "$OBJ.3.1.2" "$RUNDIR/bmcnames1.txt"
run_checks python3 "$CHECK" logical "$RUNDIR/logical1.txt" "$RUNDIR/bmcnames1.txt"
assert_contains "$(cat "$RUNDIR/run1.err")" "standard MIBs: 4 BMC contexts (4 added, 0 removed)" \
    "the daemon logs the contexts it registered"

# the IPMI-BRIDGE-MIB of the default context: what the contexts are compared with
v2walk "$OBJ" "$RUNDIR/bridge1.txt"
for name in web01 web02 "$ISIM"; do
    idx=$(bmc_index "$name")
    [[ -n $idx ]] || {
        fail "$name has an ipmiBmcIndex"
        continue
    }
    v3walk "$name" "$ENT_SENSOR" "$RUNDIR/sens-$name.txt"
    v3walk "$name" "$ENT_PHYS" "$RUNDIR/phys-$name.txt"
    run_checks python3 "$CHECK" sensors "$RUNDIR/sens-$name.txt" "$RUNDIR/bridge1.txt" "$idx" "$name"
    [[ -s "$RUNDIR/sens-$name.txt.err" ]] && note "$name walk:" "$(cat "$RUNDIR/sens-$name.txt.err")"
    run_checks python3 "$CHECK" frus "$RUNDIR/phys-$name.txt" "$RUNDIR/bridge1.txt" "$idx" "$name" \
        "$RUNDIR/sens-$name.txt"
    v3walk "$name" "$OBJ" "$RUNDIR/ctxbridge-$name.txt"
    run_checks python3 "$CHECK" only "$RUNDIR/ctxbridge-$name.txt" "$idx" "$name"
done
# one context's rows are not another's: the sensor rows of web01's context
# carry its values, db01's context has its own
web01=$(bmc_index web01)
n_default=$(grep -c "^${OBJ//./\\.}\.5\.1\.2\.$web01\." "$RUNDIR/bridge1.txt" || true)
n_ctx=$(grep -c "^${OBJ//./\\.}\.5\.1\.2\.$web01\." "$RUNDIR/ctxbridge-web01.txt" || true)
assert_eq "$n_ctx" "$n_default" "context web01: as many ipmiSensorTable rows as web01 has in the default context ($n_default)"
ub=$(snmpget -v3 -l authPriv -u "$V3USER" -a SHA -A "$V3PASS" -x AES -X "$V3PASS" -n web01 -On -t 5 \
    "$SNMPD_TARGET" "$OBJ.1.3.0" 2>&1 || true)
assert_no_match "$ub" "Gauge32" "context web01 has no ipmiBridgeScalars (fleet-wide objects stay in the default context)"
# SETs in a context are refused (read-only registrations)
st=$(snmpget -v3 -l authPriv -u "$V3USER" -a SHA -A "$V3PASS" -x AES -X "$V3PASS" -n nosuchbmc -On -t 5 \
    "$SNMPD_TARGET" "$ENT_SENSOR.1.4.1" 2>&1 || true)
assert_no_match "$st" "INTEGER" "a context no BMC is named after has no entPhySensorValue"

# the two bmcsim BMCs read differently, so the value checks above tell
# web01's context from web02's
assert_ne "$(sed 's/^[^ ]*//' "$RUNDIR/sens-web01.txt")" "$(sed 's/^[^ ]*//' "$RUNDIR/sens-web02.txt")" \
    "contexts web01 and web02 give different entPhySensorTable values"

# VACM: a prefix grant reaches web01 and web02, not the others; a community
# mapped to a context reads that context
n_web01=$(grep -c "^${ENT_SENSOR//./\\.}\.1\.4\." "$RUNDIR/sens-web01.txt" || true)
n_web02=$(grep -c "^${ENT_SENSOR//./\\.}\.1\.4\." "$RUNDIR/sens-web02.txt" || true)
webwalk() { # CONTEXT FILE
    snmpwalk -v3 -l authPriv -u webteam -a SHA -A "$WEBPASS" -x AES -X "$WEBPASS" -n "$1" \
        -On -t 5 -r 1 "$SNMPD_TARGET" "$ENT_SENSOR.1.4" > "$2" 2> "$2.err" || true
}
webwalk web02 "$RUNDIR/vacm-web02.txt"
assert_eq "$(rows "$RUNDIR/vacm-web02.txt")" "$n_web02" "VACM prefix \"web\": context web02 readable ($n_web02 values)"
webwalk "$ISIM" "$RUNDIR/vacm-isim.txt"
assert_eq "$(rows "$RUNDIR/vacm-isim.txt")" 0 "VACM prefix \"web\": context $ISIM not readable"
snmpbulkwalk -v2c -c web01community -On -Cr50 -t 5 "$SNMPD_TARGET" "$ENT_SENSOR.1.4" \
    > "$RUNDIR/vacm-com.txt" 2>&1 || true
assert_eq "$(rows "$RUNDIR/vacm-com.txt")" "$n_web01" "com2sec -Cn web01: the v2c community reads context web01 ($n_web01 values)"

# ---- snmpd restarts: the subagent registers again, contexts included
snmpd_stop
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start again"
for ((t = 0; t < 150; t++)); do
    v3walk web01 "$ENT_SENSOR.1.4" "$RUNDIR/again.txt"
    [[ $(rows "$RUNDIR/again.txt") -gt 0 ]] && break
    sleep 0.2
done
n_before=$(grep -c "^${ENT_SENSOR//./\\.}\.1\.4\." "$RUNDIR/sens-web01.txt" || true)
assert_eq "$(rows "$RUNDIR/again.txt")" "$n_before" "after snmpd restarted, context web01 answers again ($n_before entPhySensorValue rows)"
wait_logical 4 || true
assert_eq "$(rows "$RUNDIR/logical.now")" 4 "after snmpd restarted, entLogicalTable lists the 4 BMCs again"

# ---- SIGHUP: db01 removed
v3walk db01 "$ENT_SENSOR" "$RUNDIR/db01-before.txt"
assert_num ">" "$(rows "$RUNDIR/db01-before.txt")" 0 "context db01 answers before the reload"
write_cfg true
kill -HUP "$DPID"
wait_logical 3 || note "entLogicalTable:" "$(cat "$RUNDIR/logical.now")"
v2walk "$ENT_LOGICAL" "$RUNDIR/logical2.txt"
v2walk "$OBJ.3.1.2" "$RUNDIR/bmcnames2.txt"
run_checks python3 "$CHECK" logical "$RUNDIR/logical2.txt" "$RUNDIR/bmcnames2.txt"
assert_not_contains "$(cat "$RUNDIR/logical2.txt")" '"db01"' "after SIGHUP db01 has left entLogicalTable"
for ((t = 0; t < 50; t++)); do
    v3walk db01 "$ENT_SENSOR" "$RUNDIR/db01-after.txt"
    [[ $(rows "$RUNDIR/db01-after.txt") -eq 0 ]] && break
    sleep 0.2
done
assert_eq "$(rows "$RUNDIR/db01-after.txt")" 0 "after SIGHUP context db01 answers no entPhySensorTable row"
v3walk db01 "$OBJ" "$RUNDIR/db01-bridge-after.txt"
assert_eq "$(grep -c "^${OBJ//./\\.}\." "$RUNDIR/db01-bridge-after.txt" || true)" 0 "after SIGHUP context db01 answers no IPMI-BRIDGE-MIB row"
v3walk web01 "$ENT_SENSOR.1.4" "$RUNDIR/web01-after.txt"
assert_eq "$(rows "$RUNDIR/web01-after.txt")" "$n_before" "after SIGHUP context web01 still answers"
wait_log "$RUNDIR/run1.err" "standard MIBs: 3 BMC contexts (0 added, 1 removed)" || true
assert_contains "$(cat "$RUNDIR/run1.err")" "standard MIBs: 3 BMC contexts (0 added, 1 removed)" \
    "the daemon logs the context it unregistered"

# ---- snmpd restarts again, db01 comes back by SIGHUP: the roster tick still runs
snmpd_stop
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start a third time"
for ((t = 0; t < 150; t++)); do
    v3walk web01 "$ENT_SENSOR.1.4" "$RUNDIR/again2.txt"
    [[ $(rows "$RUNDIR/again2.txt") -gt 0 ]] && break
    sleep 0.2
done
assert_eq "$(rows "$RUNDIR/again2.txt")" "$n_before" "after the second snmpd restart, context web01 answers again"
write_cfg true with-db01
kill -HUP "$DPID"
wait_log "$RUNDIR/run1.err" "standard MIBs: 4 BMC contexts (1 added, 0 removed)" || true
assert_contains "$(cat "$RUNDIR/run1.err")" "standard MIBs: 4 BMC contexts (1 added, 0 removed)" \
    "after two snmpd restarts the roster tick still runs: it registers db01's context again"
wait_settled 4 || true
for ((t = 0; t < 100; t++)); do
    v3walk db01 "$ENT_SENSOR" "$RUNDIR/db01-back.txt"
    [[ $(rows "$RUNDIR/db01-back.txt") -gt 0 ]] && break
    sleep 0.2
done
assert_num ">" "$(rows "$RUNDIR/db01-back.txt")" 0 "context db01 answers again after it was added back"
assert_eq "$(grep -c "AgentX: registered again" "$RUNDIR/run1.err" || true)" 2 \
    "the AgentX ping found the master again after each of the two restarts"
stop_daemon "standard-mibs = true"

# ---- standard-mibs = false: nothing of it registered
write_cfg false
start_daemon run2 || bail_out "the daemon did not start (standard-mibs = false)"
wait_settled 3 || true
for ((t = 0; t < 100; t++)); do
    v2walk "$OBJ.3.1.2" "$RUNDIR/names-off.txt"
    [[ $(rows "$RUNDIR/names-off.txt") -eq 3 ]] && break
    sleep 0.2
done
assert_eq "$(rows "$RUNDIR/names-off.txt")" 3 "standard-mibs = false: IPMI-BRIDGE-MIB serves the 3 BMCs"
v2walk "$ENT_LOGICAL" "$RUNDIR/logical-off.txt"
assert_eq "$(grep -c "^${ENT_LOGICAL//./\\.}\." "$RUNDIR/logical-off.txt" || true)" 0 "standard-mibs = false: no entLogicalTable"
v3walk web01 "$ENT_SENSOR" "$RUNDIR/web01-off.txt"
assert_eq "$(rows "$RUNDIR/web01-off.txt")" 0 "standard-mibs = false: context web01 has no entPhySensorTable"
v3walk web01 "$OBJ" "$RUNDIR/web01-off-bridge.txt"
assert_eq "$(grep -c "^${OBJ//./\\.}\." "$RUNDIR/web01-off-bridge.txt" || true)" 0 "standard-mibs = false: context web01 has no IPMI-BRIDGE-MIB rows"
assert_not_contains "$(cat "$RUNDIR/run2.err")" "standard MIBs:" "standard-mibs = false: no contexts registered"
stop_daemon "standard-mibs = false"
assert_no_match "$(cat "$RUNDIR/run1.err" "$RUNDIR/run2.err")" "AddressSanitizer|runtime error" "no sanitizer reports"

finish
