#!/usr/bin/env bash
# pkg_nagios.sh - conf/nagios/ipmi-snmp-bridge.cfg: each command definition
# is taken from the file, its macros filled in as Nagios would ($USER1$ the
# plugin directory, $HOSTADDRESS$, the host's _SNMP_* variables, $ARGn$),
# and run with the real check_snmp against the running stack (snmpd with
# the shipped snippet, the bridge, ipmi_sim with FAN2 below lower critical,
# a healthy bmcsim BMC, a dead BMC).  Exit codes: 0 for the healthy cases,
# 1 and 2 where a sensor or BMC is bad, 3 for a BMC index that does not exist.
# With the daemon as subagent, a bmcsim sensor is then driven below its
# critical threshold (bmcsim-ctl) and the same check turns 2.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/demo_stack.sh
. "$TESTS_LIB_DIR/demo_stack.sh"

PLUGINS=${NAGIOS_PLUGINS:-/usr/lib/nagios/plugins}
[[ -x $PLUGINS/check_snmp ]] || skip_all "$PLUGINS/check_snmp missing (monitoring-plugins-standard)"
require_cmds snmpd snmpget snmpwalk ipmi_sim python3
require_bridge
require_bmcsim
CFG_FILE=$top_srcdir/conf/nagios/ipmi-snmp-bridge.cfg
bmcsim_setup

# command_line of a command_name
cmdline() {
    python3 - "$CFG_FILE" "$1" << 'PY'
import re, sys
text = open(sys.argv[1]).read()
for body in re.findall(r"^define command \{(.*?)^\}", text, re.S | re.M):
    kv = dict(re.findall(r"^\s*(\w+)\s+(.*?)\s*$", body, re.M))
    if kv.get("command_name") == sys.argv[2]:
        print(kv["command_line"])
PY
}
# nagios_run NAME ARG...: fill the macros, run, set RC and OUT
nagios_run() {
    local name=$1 line i
    shift
    line=$(cmdline "$name")
    [[ -n $line ]] || bail_out "no command $name in $CFG_FILE"
    line=${line//\$USER1\$/$PLUGINS}
    line=${line//\$HOSTADDRESS\$/127.0.0.1}
    line=${line//\$_HOSTSNMP_PORT\$/$SNMP_PORT}
    line=${line//\$_HOSTSNMP_COMMUNITY\$/public}
    for ((i = $#; i >= 1; i--)); do
        line=${line//\$ARG$i\$/${!i}}
    done
    [[ $line != *'$'* ]] || bail_out "unexpanded macro in: $line"
    RC=0
    OUT=$(eval "timeout 30 $line" 2>&1) || RC=$?
}
expect() { # RC-WANTED MSG
    if [[ $RC == "$1" ]]; then pass "$2 (exit $RC: $OUT)"; else fail "$2" "exit $RC, expected $1" "$OUT"; fi
}

for c in check_ipmi_bridge_bmc_sensors check_ipmi_bridge_bmc_state check_ipmi_bridge_sensor_value; do
    assert_match "$(cmdline "$c")" '^\$USER1\$/check_snmp ' "$c runs check_snmp"
done

DEMO_PORT_START=23300 demo_stack_start
SNMP_PORT=${SNMPD_TARGET##*:}
S=${DEMO_IDX[sim01]} B=${DEMO_IDX[bmc0]} D=${DEMO_IDX[dead]}

# sensor row of NAME on BMC index $1
sensor_row() {
    snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5.1.2.$1" |
        sed -n "s/^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.623\.1\.5\.1\.2\.$1\.\([0-9]*\) = STRING: \"$2\"\$/\1/p"
}
FAN2=$(sensor_row "$S" FAN2)
FAN1=$(sensor_row "$S" FAN1)
[[ -n $FAN2 && -n $FAN1 ]] || bail_out "FAN1/FAN2 rows of sim01 not found"
note "sim01 FAN1 row $FAN1, FAN2 row $FAN2 (840 RPM, lower critical 900)"

nagios_run check_ipmi_bridge_bmc_sensors "$S"
expect 2 "sensors of sim01 (FAN2 lower critical): CRITICAL"
crit=$(snmpget -v2c -c public -Oqv "$SNMPD_TARGET" "$OBJ.3.1.30.$B" "$OBJ.3.1.31.$B" "$OBJ.3.1.29.$B" | tr '\n' ' ')
nagios_run check_ipmi_bridge_bmc_sensors "$B"
if [[ $crit == "0 0 0 " ]]; then
    expect 0 "sensors of bmc0 (none at a threshold): OK"
else
    fail "bmc0 should start healthy" "critical nonrecoverable warning: $crit"
fi
nagios_run check_ipmi_bridge_bmc_sensors 999
expect 3 "sensors of a BMC index that does not exist: UNKNOWN"

nagios_run check_ipmi_bridge_bmc_state "$S"
expect 0 "state of sim01: OK"
nagios_run check_ipmi_bridge_bmc_state "$D"
expect 2 "state of the dead BMC: CRITICAL"

nagios_run check_ipmi_bridge_sensor_value "$S" "$FAN1" 1000: 900: 1
expect 0 "FAN1 value, warning below 1000, critical below 900: OK"
nagios_run check_ipmi_bridge_sensor_value "$S" "$FAN2" 1000: 600: 1
expect 1 "FAN2 (840) with warning below 1000, critical below 600: WARNING"
nagios_run check_ipmi_bridge_sensor_value "$S" "$FAN2" 1000: 900: 1
expect 2 "FAN2 (840) with critical below 900: CRITICAL"
assert_contains "$OUT" "840" "the plugin output shows FAN2's reading 840"

# a healthy sensor of bmc0 driven to its critical side, seen by the next poll
# (the daemon polls every 2 s; agentx-driver reads once, so only with the daemon)
until_rc() { # WANT SECS CMD ARG...: run the check until it exits WANT
    local want=$1 secs=$2 t
    shift 2
    for ((t = 0; t < secs * 2; t++)); do
        nagios_run "$@"
        [[ $RC == "$want" ]] && return 0
        sleep 0.5
    done
    return 0
}
if [[ ${DEMO_SUBAGENT:-daemon} == daemon ]]; then
    note "bmcsim: $(ctl set-sensor 0 "CPU1 Temp" 92)"
    until_rc 2 30 check_ipmi_bridge_bmc_sensors "$B"
    expect 2 "bmc0 after CPU1 Temp was set to 92 (upper critical 90): CRITICAL"
    note "bmcsim: $(ctl set-sensor 0 "CPU1 Temp" 87)"
    until_rc 1 30 check_ipmi_bridge_bmc_sensors "$B"
    expect 1 "bmc0 with CPU1 Temp at 87 (upper non-critical 85): WARNING"
    note "bmcsim: $(ctl set-sensor 0 "CPU1 Temp" nan)"
    until_rc 0 30 check_ipmi_bridge_bmc_sensors "$B"
    expect 0 "bmc0 with CPU1 Temp back to nominal: OK"
fi

finish
