#!/usr/bin/env bash
# agentx_badinput.sh - bad SNMP input to the subagent gets the right SNMP
# answer and never hurts it: out-of-range and oversized indices, partial
# OIDs, unknown columns, absent instances, GETNEXT/GETBULK past the end and
# across tables, sub-identifiers of 2^32-1, a 128-sub-identifier OID, and
# SETs (notWritable, on every kind of object).  The driver serves synthetic
# BMCs (3 BMCs x 5 sensors); afterwards it still answers and has not died.
# AGENTX_WRAP="valgrind -q --leak-check=full" runs the driver under a wrapper.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

require_cmds snmpd snmpget snmpgetnext snmpbulkget snmpset snmpwalk ss timeout
DRIVER=$top_builddir/tests/agentx/agentx-driver
[[ -x $DRIVER ]] || bail_out "missing $DRIVER (make)"
make_rundir
OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1

SNMP_PORT=$(free_port 1 22250) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start"
${AGENTX_WRAP:-} "$DRIVER" --socket "$AGENTX_SOCK" --synthetic 3:5 > "$RUNDIR/driver.out" 2> "$RUNDIR/driver.err" < /dev/null &
DRIVER_PID=$!
track_pid "$DRIVER_PID" agentx-driver
for ((t = 0; t < 100; t++)); do
    snmpget -v2c -c public -On -t 0.5 -r 0 "$SNMPD_TARGET" "$OBJ.3.1.2.1" 2>&1 | grep -q STRING && break
    sleep 0.1
done

get() { snmpget -v2c -c public -On -t 3 -r 0 "$SNMPD_TARGET" "$@" 2>&1 || true; }
next() { snmpgetnext -v2c -c public -On -t 3 -r 0 "$SNMPD_TARGET" "$@" 2>&1 || true; }
set1() { snmpset -v2c -c private -On -t 3 -r 0 "$SNMPD_TARGET" "$@" 2>&1 || true; }
NSI="No Such Instance"
NSO="No Such Object"

assert_match "$(get "$OBJ.3.1.2.1")" 'STRING: "synth1"' "GET ipmiBmcName.1"
# ---- GET: indices and partial OIDs ----
assert_match "$(get "$OBJ.3.1.2.0")" "$NSI" "GET ipmiBmcName.0: noSuchInstance"
assert_match "$(get "$OBJ.3.1.2.4")" "$NSI" "GET ipmiBmcName.4 (past the last BMC): noSuchInstance"
assert_match "$(get "$OBJ.3.1.2.4294967295")" "$NSI" "GET ipmiBmcName.4294967295: noSuchInstance"
assert_match "$(get "$OBJ.3.1.2")" "$NSI" "GET ipmiBmcName without index: noSuchInstance"
assert_match "$(get "$OBJ.3.1.2.1.1")" "$NSI" "GET ipmiBmcName.1.1 (index too long): noSuchInstance"
assert_match "$(get "$OBJ.3.1")" "$NSO" "GET ipmiBmcEntry: noSuchObject"
assert_match "$(get "$OBJ.3.1.99.1")" "$NSO" "GET unknown column 99: noSuchObject"
assert_match "$(get "$OBJ.3.1.0.1")" "$NSO" "GET column 0: noSuchObject"
assert_match "$(get "$OBJ.3.1.5.1")" "$NSI" "GET ipmiBmcError.1 (JSON null): noSuchInstance"
assert_match "$(get "$OBJ.3.1.49.1")" "$NSI" "GET ipmiBmcLanIpAddress.1 (not read): noSuchInstance"
assert_match "$(get "$OBJ.3.1.80.1")" "$NSI" "GET ipmiBmcPowerControl.1 (not instantiated yet): noSuchInstance"
assert_match "$(get "$OBJ.5.1.2.1.1")" 'STRING: "Temp 0"' "GET ipmiSensorName.1.1"
assert_match "$(get "$OBJ.5.1.2.1")" "$NSI" "GET ipmiSensorName.1 (half an index): noSuchInstance"
assert_match "$(get "$OBJ.5.1.2.1.2.3")" "$NSI" "GET ipmiSensorName.1.2.3 (index too long): noSuchInstance"
assert_match "$(get "$OBJ.5.1.2.1.7")" "$NSI" "GET ipmiSensorName.1.7 (no such sensor): noSuchInstance"
assert_match "$(get "$OBJ.5.1.2.9.1")" "$NSI" "GET ipmiSensorName.9.1 (no such BMC): noSuchInstance"
assert_match "$(get "$OBJ.5.1.2.1.4294967295")" "$NSI" "GET sensor index 2^32-1: noSuchInstance"
assert_match "$(get "$OBJ.6.1.2.1.0")" "$NSI" "GET ipmiFruName.1.0 (no FRU read): noSuchInstance"
assert_match "$(get "$OBJ.1.3.0")" "Gauge32: 3" "GET ipmiBridgeBmcCount.0"
assert_match "$(get "$OBJ.1.3.1")" "$NSI" "GET ipmiBridgeBmcCount.1: noSuchInstance"
assert_match "$(get "$OBJ.1.3")" "$NSI" "GET ipmiBridgeBmcCount without .0: noSuchInstance"
assert_match "$(get "$OBJ.2.1.2.0" "$OBJ.2.1.2.16")" "$NSI.*$NSI" "GET BMCs-by-state rows 0 and 16: noSuchInstance"
long="$OBJ.5.1.2"
for ((i = 0; i < 114; i++)); do long="$long.1"; done
assert_match "$(get "$long")" "($NSI|$NSO|Error|Bad)" "GET of a 128-sub-identifier OID: an error answer"

# ---- GETNEXT: partial OIDs, huge sub-ids, the end ----
assert_match "$(next "$OBJ.5")" "^$OBJ\.5\.1\.2\.1\.1 = STRING: \"Temp 0\"" "GETNEXT ipmiSensorTable: first instance"
assert_match "$(next "$OBJ.5.1.2.2")" "^$OBJ\.5\.1\.2\.2\.1 = " "GETNEXT ipmiSensorName.2: first sensor of BMC 2"
assert_match "$(next "$OBJ.5.1.2.1.4294967295")" "^$OBJ\.5\.1\.2\.2\.1 = " "GETNEXT ipmiSensorName.1.(2^32-1): BMC 2"
assert_match "$(next "$OBJ.5.1.2.4294967295")" "^$OBJ\.5\.1\.3\.1\.1 = " "GETNEXT ipmiSensorName.(2^32-1): next column"
assert_match "$(next "$OBJ.5.1.2.3.5.9.9")" "^$OBJ\.5\.1\.3\.1\.1 = " "GETNEXT past the last row of a column: next column"
assert_match "$(next "$OBJ.5.1.2.1.3.0")" "^$OBJ\.5\.1\.2\.1\.4 = " "GETNEXT ipmiSensorName.1.3.0: the row after"
assert_match "$(next "$OBJ.3.1.4.1")" "^$OBJ\.3\.1\.4\.2 = INTEGER: 1" "GETNEXT ipmiBmcState.1"
assert_match "$(next "$OBJ.3.1.4.3")" "^$OBJ\.3\.1\.6\.1 = " "GETNEXT ipmiBmcState.3 skips the absent ipmiBmcError column"
assert_match "$(next "$OBJ.3.1.57.3")" "^$OBJ\.3\.1\.60\.1 = Counter64" "GETNEXT over the absent POH/LAN/DCMI columns"
assert_match "$(next "$OBJ.1.1.0")" "^$OBJ\.1\.2\.0 = " "GETNEXT ipmiBridgeVersion.0"
assert_match "$(next "$OBJ.1.7.0")" "^$OBJ\.2\.1\.2\.1 = Gauge32: 3" "GETNEXT from the last scalar into the state table"
last=$(next "$OBJ.5.1.25.3.5")
assert_no_match "$last" "^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.623\." "GETNEXT past the last sensor leaves the MIB (no empty tables answer)"
assert_match "$(next "$long")" "^$OBJ\.5\.1\.2\.1\.2 = " "GETNEXT of a 128-sub-identifier OID: the next row"
bulk=$(snmpbulkget -v2c -c public -On -Cn0 -Cr40 -t 3 -r 0 "$SNMPD_TARGET" "$OBJ.5.1.25.2.1" 2>&1 || true)
assert_eq "$(grep -c "^$OBJ\.5\.1\.25\." <<< "$bulk")" 9 "GETBULK across the end of a table: the 9 last instances of the column"
assert_no_match "$bulk" "$OBJ\.[6-9]\." "GETBULK: no instance from the empty FRU/SEL tables"

# ---- SET ----
assert_match "$(set1 "$OBJ.3.1.2.1" s x)" "notWritable" "SET ipmiBmcName.1 (read-only): notWritable"
assert_match "$(set1 "$OBJ.3.1.80.1" i 4)" "notWritable" "SET ipmiBmcPowerControl.1: notWritable (until the control issue)"
assert_match "$(set1 "$OBJ.3.1.81.1" u 5)" "notWritable" "SET ipmiBmcIdentify.1: notWritable"
assert_match "$(set1 "$OBJ.3.1.82.9" i 2)" "(notWritable|noCreation)" "SET ipmiBmcBootDevice of a missing BMC: refused"
assert_match "$(set1 "$OBJ.5.1.12.1.1" i 5)" "notWritable" "SET ipmiSensorValue.1.1: notWritable"
assert_match "$(set1 "$OBJ.1.1.0" s x)" "notWritable" "SET ipmiBridgeVersion.0: notWritable"
assert_match "$(set1 "$OBJ.3.1.2.1" s x "$OBJ.3.1.3.1" s y)" "notWritable" "SET of two varbinds: notWritable"

# ---- still alive and serving ----
assert_match "$(get "$OBJ.5.1.14.3.5")" 'STRING: "22.0"' "the subagent still answers (ipmiSensorValueText.3.5)"
n=$(snmpwalk -v2c -c public -On -t 3 "$SNMPD_TARGET" "$OBJ" 2>&1 | grep -c "^$OBJ\." || true)
assert_num ">" "$n" 100 "a full walk still works ($n instances)"
if pid_matches "$DRIVER_PID" agentx-driver; then
    pass "the driver is still running"
else
    fail "the driver is still running" "$(tail -20 "$RUNDIR/driver.err")"
fi
finish
