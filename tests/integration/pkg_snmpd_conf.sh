#!/usr/bin/env bash
# pkg_snmpd_conf.sh - conf/snmpd.conf.d/ipmi-snmp-bridge.conf in a real snmpd:
# the snippet is included as shipped (only the AgentX socket path and the
# user/group names substituted, a loopback agentAddress added), then
#  * snmpd starts with it, answers the community it defines, keeps that
#    community inside the view (an OID outside is noSuchObject) and read-only;
#  * the AgentX socket and its directory get the snippet's modes;
#  * agentXTimeout exceeds the bridge's worst request time with the
#    defaults of conf/ipmi-snmp-bridge.conf (timeout x (retries + 1));
#  * the bridge connects as subagent through that socket and a walk of
#    IPMI-BRIDGE-MIB through the view lists every configured BMC and sensor.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/demo_stack.sh
. "$TESTS_LIB_DIR/demo_stack.sh"

require_cmds snmpd snmpget snmpwalk snmpset ipmi_sim stat
require_bridge
require_bmcsim
bmcsim_setup

# ---- the snippet itself --------------------------------------------------------
sp=$(free_port 1 23050) || bail_out "no free port"
demo_snmpd_start "$RUNDIR/snmpd0" "$sp" || bail_out "snmpd did not start with the snippet: $(cat "$RUNDIR/snmpd0/snmpd.log")"
pass "snmpd starts with the snippet included"
changed=$(diff "$SNIPPET_SRC" "$DEMO_SNIPPET" | grep -c '^>' || true)
assert_eq "$changed" 2 "only the socket path and the user/group line were substituted"
assert_no_match "$(grep -Ev '^[[:space:]]*(#|$)' "$SNIPPET_SRC")" '(createUser|rouser|rwuser|rwcommunity|trap2sink|informsink)' \
    "no SNMPv3 user, write access or trap sink active (all commented)"
assert_match "$(grep -E '^master' "$SNIPPET_SRC")" '^master +agentx$' "master agentx"

out=$(snmpget -v2c -c public -On -t 1 -r 0 "$SNMPD_TARGET" .1.3.6.1.2.1.1.1.0 2>&1 || true)
assert_match "$out" 'STRING: ' "community public reads sysDescr (in the view)"
out=$(snmpget -v2c -c public -On -t 1 -r 0 "$SNMPD_TARGET" .1.3.6.1.2.1.2.1.0 2>&1 || true)
assert_match "$out" 'No Such Object' "ifNumber is outside the view"
out=$(snmpget -v2c -c private -On -t 1 -r 0 "$SNMPD_TARGET" .1.3.6.1.2.1.1.1.0 2>&1 || true)
assert_match "$out" 'Timeout' "another community gets no answer"
out=$(snmpset -v2c -c public -On -t 1 -r 0 "$SNMPD_TARGET" .1.3.6.1.2.1.1.4.0 s nobody 2>&1 || true)
assert_match "$out" '(noAccess|notWritable|authorizationError|Reason)' "public is read-only (a SET is refused)"

sockmode=$(stat -c '%a' "$AGENTX_SOCK" 2> /dev/null || echo missing)
dirmode=$(stat -c '%a' "$(dirname "$AGENTX_SOCK")" 2> /dev/null || echo missing)
want=$(awk '$1 == "agentXPerms" { print $2 + 0, $3 + 0 }' "$SNIPPET_SRC")
assert_eq "$sockmode $dirmode" "$want" "AgentX socket and directory modes as agentXPerms says ($want)"

# the bridge's worst request time with the shipped defaults vs agentXTimeout
tmo=$(awk -F'[ =]+' '$1 == "timeout" { print $2 }' "$top_srcdir/conf/ipmi-snmp-bridge.conf")
ret=$(awk -F'[ =]+' '$1 == "retries" { print $2 }' "$top_srcdir/conf/ipmi-snmp-bridge.conf")
axt=$(awk '$1 == "agentXTimeout" { print $2 }' "$SNIPPET_SRC")
worst=$(awk -v t="$tmo" -v r="$ret" 'BEGIN { print t * (r + 1) }')
assert_num ">" "$axt" "$worst" "agentXTimeout $axt s > a control SET's worst case ${tmo} s x $((ret + 1)) attempts"
snmpd_stop

# ---- the bridge behind it ---------------------------------------------------------
DEMO_PORT_START=23100 demo_stack_start
pass "the bridge connected through the snippet's AgentX socket"
walk=$(snmpwalk -v2c -c public -On -t 2 -r 1 "$SNMPD_TARGET" "$OBJ.3.1.2" 2>&1 || true)
assert_eq "$(grep -c 'STRING' <<< "$walk")" 3 "ipmiBmcName walks 3 rows through the view"
for name in sim01 bmc0 dead; do
    assert_contains "$walk" "\"$name\"" "BMC $name is in ipmiBmcTable"
done
n=$(snmpget -v2c -c public -Oqv "$SNMPD_TARGET" "$OBJ.3.1.28.${DEMO_IDX[sim01]}")
sensors=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5.1.2.${DEMO_IDX[sim01]}" | grep -c STRING || true)
assert_eq "$sensors" "$n" "sim01: ipmiSensorTable has ipmiBmcSensorCount ($n) rows"
fan2=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5.1.2.${DEMO_IDX[sim01]}" | awk '/"FAN2"/ { print $1 }')
assert_match "$fan2" '\.[0-9]+$' "FAN2 has a row"
st=$(snmpget -v2c -c public -Oqv "$SNMPD_TARGET" "${fan2/.5.1.2./.5.1.16.}")
assert_eq "$st" 3 "FAN2's ipmiSensorStatus is critical(3) through the view"

finish
