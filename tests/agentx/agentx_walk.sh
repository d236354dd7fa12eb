#!/usr/bin/env bash
# agentx_walk.sh - IPMI-BRIDGE-MIB through a real snmpd: two ipmi_sim BMCs
# and one that does not answer are polled once by tests/agentx/agentx-driver
# (the --once code path), which writes that poll's JSON and serves the same
# snapshots as an AgentX subagent of a private snmpd.  Then:
#  * snmpbulkwalk of the whole MIB equals the JSON, instance by instance
#    (tests/agentx/mib_vs_json.py: a JSON null is an absent instance);
#  * snmpwalk (GETNEXT) gives the same as snmpbulkwalk; snmptable renders
#    the sensor table with the MIB loaded;
#  * GETNEXT and GET at probe OIDs around the instances agree with the walk
#    (tests/agentx/getnext_probe.py);
#  * the sensor table of BMC 1 equals what ipmitool and FreeIPMI read from
#    the same simulator (tests/lib/oracle_compare.py builds the expectation,
#    tests/agentx/mib_vs_oracle.py compares the MIB with it);
#  * the driver's counters show the cursor hint answering the walk.
# AGENTX_WRAP="valgrind -q --leak-check=full" runs the driver under a wrapper.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"
# shellcheck source=tests/lib/oracle.sh
. "$TESTS_LIB_DIR/oracle.sh"

require_cmds ipmi_sim sdrcomp ipmitool ipmi-sensors snmpd snmpwalk snmpbulkwalk snmptable snmpget ss python3 timeout
DRIVER=$top_builddir/tests/agentx/agentx-driver
[[ -x $DRIVER ]] || bail_out "missing $DRIVER (make)"
BASE_MIBS=$top_srcdir/tests/mibs/base
make_rundir
OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1

PORT=$(free_port 3 22100) || bail_out "no free port"
start_sims 2 "$PORT"
CFG=$RUNDIR/bridge.conf
write_config_head "$CFG" 0.3 1
for n in 1 2; do
    name=$(ipmisim_name "$n")
    write_secret "$RUNDIR/$name.pw" password
    write_bmc_block "$CFG" "$name" $((PORT + n - 1)) "$RUNDIR/$name.pw" 3 admin admin
done
# the third port has no simulator: an unreachable BMC (nulls everywhere)
write_bmc_block "$CFG" silent $((PORT + 2)) "$RUNDIR/$(ipmisim_name 1).pw" 3 admin admin

SNMP_PORT=$(free_port 1 22150) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"
note "snmpd on $SNMPD_TARGET, agentx $AGENTX_SOCK"

${AGENTX_WRAP:-} "$DRIVER" --socket "$AGENTX_SOCK" -c "$CFG" --json-out "$RUNDIR/once.json" \
    > "$RUNDIR/driver.out" 2> "$RUNDIR/driver.err" < /dev/null &
DRIVER_PID=$!
track_pid "$DRIVER_PID" agentx-driver

up=""
for ((t = 0; t < 200; t++)); do
    up=$(snmpget -v2c -c public -On -t 0.5 -r 0 "$SNMPD_TARGET" "$OBJ.3.1.2.1" 2>&1 || true)
    [[ $up == *STRING* ]] && break
    sleep 0.1
done
assert_match "$up" "STRING: \"$(ipmisim_name 1)\"" "the subagent registers and answers (ipmiBmcName.1)"
J=$RUNDIR/once.json
assert_eq "$(jq_get "$J" bmcs.0.state)/$(jq_get "$J" bmcs.1.state)/$(jq_get "$J" bmcs.2.state)" \
    "ok/ok/unreachable" "the poll: two BMCs ok, one unreachable"

W=$RUNDIR/walk.txt
snmpbulkwalk -v2c -c public -On -Ox -Cr50 -t 5 "$SNMPD_TARGET" "$OBJ" > "$W" 2> "$RUNDIR/walk.err" ||
    fail "snmpbulkwalk of the MIB" "$(cat "$RUNDIR/walk.err")"
note "walk: $(wc -l < "$W") instances"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h" 2> /dev/null || true)
[[ -n $version ]] || version=$(awk -F'[][]' '/^AC_INIT/ { print $4 }' "$top_srcdir/configure.ac")
run_checks python3 "$top_srcdir/tests/agentx/mib_vs_json.py" "$W" "$J" "$version"

# GETNEXT and GET at odd OIDs around every table's instances (parents,
# neighbours, 0 and 2^32-1 sub-identifiers) agree with the walk
run_checks python3 "$top_srcdir/tests/agentx/getnext_probe.py" "$W" "$SNMPD_TARGET"

ORACLE=$RUNDIR/oracle
if oracle_collect sensors "$ORACLE" "$PORT" &&
    python3 "$TESTS_LIB_DIR/oracle_compare.py" sensors "$ORACLE" > "$ORACLE/checks.txt" 2>&1; then
    run_checks python3 "$top_srcdir/tests/agentx/mib_vs_oracle.py" "$W" "$ORACLE/expected-sensors.json" 1
else
    fail "ipmitool and FreeIPMI read the simulator's sensors" "$(cat "$ORACLE"/*.err "$ORACLE/checks.txt" 2> /dev/null | head -20)"
fi

snmpwalk -v2c -c public -On -Ox -t 5 "$SNMPD_TARGET" "$OBJ" > "$RUNDIR/walk-getnext.txt" 2>&1 || true
# ages may tick between the two walks: compare without the moving columns
strip() { grep -Ev "^$OBJ\.(1\.2|3\.1\.2[67]|5\.1\.25)\." "$1"; }
if diff <(strip "$W") <(strip "$RUNDIR/walk-getnext.txt") > "$RUNDIR/walk.diff"; then
    pass "GETNEXT walk equals GETBULK walk ($(wc -l < "$W") instances)"
else
    fail "GETNEXT walk equals GETBULK walk" "$(head -20 "$RUNDIR/walk.diff")"
fi

if [[ -s $BASE_MIBS/SNMPv2-SMI.txt ]]; then
    tbl=$(snmptable -v2c -c public -M "$BASE_MIBS:$top_srcdir/mibs" -m IPMI-BRIDGE-MIB -Cf '|' \
        "$SNMPD_TARGET" IPMI-BRIDGE-MIB::ipmiSensorTable 2>&1 || true)
    nsens=$(python3 "$JSONQ" --len "$J" bmcs.0.sensors)
    rows=$(printf '%s\n' "$tbl" | grep -c '|' || true)
    # title line excluded: header + one line per sensor of both BMCs
    nsens2=$(python3 "$JSONQ" --len "$J" bmcs.1.sensors)
    assert_eq "$rows" $((nsens + nsens2 + 1)) "snmptable ipmiSensorTable (MIB loaded): header + $((nsens + nsens2)) rows"
    assert_match "$tbl" "ipmiSensorValueText" "snmptable shows the MIB's column names"
else
    note "tests/mibs/base missing (install-deps.sh): snmptable check skipped"
fi

# the cursor hint answered the walks (counters printed by the driver on exit)
stop_pid "$DRIVER_PID" agentx-driver
stats=$(grep 'stopping:' "$RUNDIR/driver.err" || true)
note "$stats"
hits=$(sed -n 's/.* \([0-9]*\) hint hits.*/\1/p' <<< "$stats")
seeks=$(sed -n 's/.* \([0-9]*\) seeks.*/\1/p' <<< "$stats")
if [[ -n $hits && -n $seeks ]] && ((hits > seeks)); then
    pass "most GETNEXTs answered from the cursor hint ($hits hint hits, $seeks searches)"
else
    fail "most GETNEXTs answered from the cursor hint" "$stats"
fi
finish
