#!/usr/bin/env bash
# control_snmp.sh - chassis control over SNMP (issue 12): snmpset through a
# private snmpd (SNMPv3 authPriv write user, read-only community, no write
# community) to the AgentX subagent, which runs the actions on live BMC
# sessions (tests/agentx/agentx-driver --control: the poller, control set
# and read-back the daemon's scheduler will hold), against ipmi_sim with its
# chassis-control program and against bmcsim.
#
#   make check TESTS=tests/agentx/control_snmp.sh
#
# Checks: (1) powerOff then powerOn: `ipmitool chassis status` shows each
# state and the table shows it after the next read-back; (2) identify on /
# forceOn and the boot device against bmcsim (`ipmitool chassis bootparam
# get 5`); (3) refusals: without allow-control (power and control.log
# unchanged), a read-only community (snmpd's noAccess), a USER-privilege
# BMC (noAccess and a log line naming the key); RESERVE checks (wrongValue,
# wrongType, inconsistentValue); (4) an unreachable BMC fails at once
# (resourceUnavailable), a BMC answering C1h gives commitFailed and the
# result column says why; (5) every action is logged once and arrives once
# as ipmiControlAction at a private snmptrapd.
#
# CONTROL_PEER=daemon runs the same checks against the real daemon
# (ipmi-snmp-bridge -c FILE with agentx-socket; tests/agentx/control_daemon.sh),
# with WORKER_THREADS (default 1) worker threads (control_daemon_workers.sh: 2,
# the SETs go from the agent's thread to the BMCs' workers and back)
# instead of the driver.
set -euo pipefail
CONTROL_PEER=${CONTROL_PEER:-driver}
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$top_srcdir/tests/lib/snmpd.sh"

require_cmds ipmi_sim sdrcomp ipmitool snmpd snmptrapd snmpset snmpget ss python3 timeout
require_bmcsim
DRIVER=$top_builddir/tests/agentx/agentx-driver
if [[ $CONTROL_PEER == daemon ]]; then
    require_bridge
else
    [[ -x $DRIVER ]] || bail_out "agentx-driver not built: $DRIVER"
fi
bmcsim_setup

# ---- peers ---------------------------------------------------------------------------
IPORT=$(free_port 3 22550) || bail_out "no free port"
IPMISIM_POWER=on start_sims 3 "$IPORT"
# sim 1: the BMC controlled; 2: without allow-control; 3: at USER privilege
CLOG2=$RUNDIR/sims/$(ipmisim_name 2)/control.log
CLOG3=$RUNDIR/sims/$(ipmisim_name 3)/control.log
BPORT=$(free_port 2 22600) || bail_out "no free port"
start_bmcsim bs --count 2 --base-port "$BPORT" --profile "$top_srcdir/tests/bmcsim/small.profile" ||
    bail_out "bmcsim did not start"
DEAD=$(free_port 1 22650) || bail_out "no free port"
SPORT=$(free_port 1 22700) || bail_out "no free port"
TPORT=$(free_port 1 22750) || bail_out "no free port"

write_secret "$RUNDIR/oper.pw" operpass
write_secret "$RUNDIR/ro.pw" ropass
CFG=$RUNDIR/bridge.conf
write_config_head "$CFG" 0.3 2
cat >> "$CFG" << EOF2
bmc "power" { index = 1  address = "127.0.0.1"  port = $IPORT  username = "oper"  password-file = "$RUNDIR/oper.pw"
              cipher-suites = {3}  privilege = "operator"  allow-control = true }
bmc "off" { index = 2  address = "127.0.0.1"  port = $((IPORT + 1))  username = "oper"  password-file = "$RUNDIR/oper.pw"
            cipher-suites = {3}  privilege = "operator" }
bmc "user" { index = 3  address = "127.0.0.1"  port = $((IPORT + 2))  username = "ro"  password-file = "$RUNDIR/ro.pw"
             cipher-suites = {3}  privilege = "user"  allow-control = true }
bmc "dead" { index = 4  address = "127.0.0.1"  port = $DEAD  username = "oper"  password-file = "$RUNDIR/oper.pw"
             privilege = "operator"  allow-control = true }
bmc "bs1" { index = 5  address = "127.0.0.1"  port = $((BPORT + 1))  username = "admin"  password-file = "$RUNDIR/pw"
            cipher-suites = {17}  privilege = "operator"  allow-control = true }
bmc "bs0" { index = 6  address = "127.0.0.1"  port = $BPORT  username = "admin"  password-file = "$RUNDIR/pw"
            cipher-suites = {17}  privilege = "operator"  allow-control = true }
EOF2

snmptrapd_start "$RUNDIR" "$TPORT" || bail_out "snmptrapd did not start"
SNMPD_ACCESS="" SNMPD_EXTRA="createUser ctluser SHA ctlauthpass1 AES ctlprivpass1
rwuser ctluser priv .1.3.6.1.4.1.8072.9999.9999.623.1.3.1
trap2sink 127.0.0.1:$TPORT public" snmpd_start "$RUNDIR" "$SPORT" || bail_out "snmpd did not start"

# PEER_LOG: where the bridge's log lines go
PEER_LOG=$RUNDIR/driver.err
if [[ $CONTROL_PEER == daemon ]]; then
    printf 'agentx-socket = "%s"\ninfo-interval = 10\nsensor-interval = 2\nworker-threads = %s\n' \
        "$AGENTX_SOCK" "${WORKER_THREADS:-1}" >> "$CFG"
    "$BRIDGE" -c "$CFG" --allow-root > "$RUNDIR/driver.out" 2> "$PEER_LOG" < /dev/null &
    DRIVER_PID=$!
    track_pid "$DRIVER_PID" ipmi-snmp-bridge
else
    "$DRIVER" --socket "$AGENTX_SOCK" -c "$CFG" --json-out "$RUNDIR/poll.json" --control \
        --info-interval 1 > "$RUNDIR/driver.out" 2> "$PEER_LOG" < /dev/null &
    DRIVER_PID=$!
    track_pid "$DRIVER_PID" agentx-driver
fi

# ipmiBmcIndex of the bmcsim BMCs (config order, as --once numbers them)
BS1=5 BS0=6
ROOT=.1.3.6.1.4.1.8072.9999.9999.623
ENTRY=$ROOT.1.3.1
TRAP_OID=$ROOT.0.4
V3=(-v3 -l authPriv -u ctluser -a SHA -A ctlauthpass1 -x AES -X ctlprivpass1)

get() { # get COL IDX: the value, or the error text
    snmpget -v2c -c public -On -Oqv -t 3 -r 0 "$SNMPD_TARGET" "$ENTRY.$1.$2" 2>&1 | tr -d '"'
}
# set3 COL IDX VALUE [TYPE]: SET_OUT (stdout+stderr), SET_RC
set3() {
    SET_RC=0
    SET_OUT=$(snmpset "${V3[@]}" -On -t 15 -r 0 "$SNMPD_TARGET" "$ENTRY.$1.$2" "${4:-i}" "$3" 2>&1) || SET_RC=$?
    printf '%s => %s\n' "$*" "$SET_OUT" >> "$RUNDIR/sets.log"
}
wait_for() { # wait_for COL IDX VALUE [SECS]: until get gives VALUE
    local t
    for ((t = 0; t < ${4:-20} * 10; t++)); do
        [[ $(get "$1" "$2") == "$3" ]] && return 0
        sleep 0.1
    done
    return 1
}
ipower() { # ipower [N]: ipmi_sim N's (default 1) power state
    local out
    out=$(timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p $((IPORT + ${1:-1} - 1)) -U admin -P password -C 3 chassis status 2>&1) ||
        { echo "ipmitool failed: $out"; return; }
    ipmitool_field "$out" "System Power"
}
clog_lines() { if [[ -f $1 ]]; then grep -c . "$1" || true; else echo 0; fi; }
bchassis() { ctl dump-chassis "$1" | awk -F'|' -v k="$2" '$2 == k { print $3 }'; }
logn() { grep -cF -- "$1" "$PEER_LOG" || true; }

wait_for 2 1 power 60 || bail_out "the subagent does not serve BMC 1" "$(cat "$PEER_LOG")"
wait_for 80 1 2 20 || bail_out "no power read-back for BMC 1: $(get 80 1)" "$(cat "$PEER_LOG")"
assert_eq "$(ipower)" on "ipmi_sim starts powered on"
assert_eq "$(get 80 1)" 2 "ipmiBmcPowerControl reads powerOn (Get Chassis Status)"

# ---- (1) power through the SNMPv3 write user ----------------------------------------
set3 80 1 1
assert_eq "$SET_RC" 0 "snmpset powerOff through ctluser (authPriv) succeeds" "$SET_OUT"
assert_eq "$(ipower)" off "ipmitool chassis status: off after the SET"
wait_for 80 1 1 10
assert_eq "$(get 80 1)" 1 "the table shows powerOff after the next read-back"
assert_eq "$(get 86 1)" ok "ipmiBmcLastControlResult: ok"
assert_match "$(get 85 1)" "^power powerOff by .* at 20[0-9-]+T[0-9:]+Z$" "ipmiBmcLastControl: action, requester, time"
set3 80 1 2
assert_eq "$SET_RC" 0 "snmpset powerOn succeeds" "$SET_OUT"
assert_eq "$(ipower)" on "ipmitool chassis status: on after the SET"
wait_for 80 1 2 10
assert_eq "$(get 80 1)" 2 "the table shows powerOn after the next read-back"

# ---- (2) identify and boot device against bmcsim ---------------------------------------
wait_for 2 $BS0 bs0 5 || true
set3 81 $BS0 2
assert_eq "$SET_RC" 0 "snmpset identify on" "$SET_OUT"
assert_eq "$(bchassis 0 identify)" timed "bmcsim: identify on (timed, the default interval)"
set3 81 $BS0 3
assert_eq "$SET_RC" 0 "snmpset identify forceOn" "$SET_OUT"
assert_eq "$(bchassis 0 identify)" forced "bmcsim: identify forced on"
wait_for 81 $BS0 3 10
assert_eq "$(get 81 $BS0)" 3 "ipmiBmcIdentify reads forceOn"
set3 82 $BS0 2
assert_eq "$SET_RC" 0 "snmpset boot device pxe" "$SET_OUT"
bp=$(timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$BPORT" -U admin -P "$SIM_PASSWORD" -C 17 chassis bootparam get 5 2>&1 || true)
assert_contains "$bp" "Force PXE" "ipmitool chassis bootparam get 5: PXE" "$bp"
wait_for 82 $BS0 2 10
assert_eq "$(get 82 $BS0)" 2 "ipmiBmcBootDevice reads pxe"
assert_eq "$(get 83 $BS0)" 1 "ipmiBmcBootPersistent reads once"
set3 81 $BS0 1
assert_eq "$(bchassis 0 identify)" off "bmcsim: identify off"

# ---- (3) refusals -------------------------------------------------------------------------
set3 80 2 1
assert_ne "$SET_RC" 0 "without allow-control the SET fails" "$SET_OUT"
assert_match "$SET_OUT" "noAccess|notWritable" "without allow-control: noAccess or notWritable"
assert_eq "$(ipower 2)" on "without allow-control the power stays on"
assert_eq "$(clog_lines "$CLOG2")" 0 "without allow-control ipmi_sim is asked nothing"
assert_match "$(get 86 2)" "^disabled: .*allow-control = true" "the result column says allow-control is off"

rc=0
out=$(snmpset -v2c -c public -On -t 5 -r 0 "$SNMPD_TARGET" "$ENTRY.80.1" i 1 2>&1) || rc=$?
assert_ne "$rc" 0 "a read-only community cannot SET" "$out"
assert_match "$out" "noAccess" "snmpd answers the read-only community noAccess"
assert_eq "$(ipower)" on "the read-only community changed nothing"

set3 80 3 1
assert_match "$SET_OUT" "noAccess" "a USER-privilege BMC: noAccess"
assert_eq "$(logn "control: BMC user (127.0.0.1:$((IPORT + 2))): power powerOff requested by")" 1 \
    "one log line for the USER-privilege refusal"
assert_match "$(grep -F 'control: BMC user (' "$PEER_LOG")" 'privilege = \\?"operator\\?"' \
    "the log line names the privilege key"
assert_eq "$(ipower 3)" on "at USER privilege the power stays on"
assert_eq "$(clog_lines "$CLOG3")" 0 "at USER privilege ipmi_sim is asked nothing"

set3 80 1 9
assert_match "$SET_OUT" "wrongValue" "powerControl 9: wrongValue"
set3 80 1 x s
assert_match "$SET_OUT" "wrongType" "an OCTET STRING: wrongType"
SET_RC=0
SET_OUT=$(snmpset "${V3[@]}" -On -t 15 -r 0 "$SNMPD_TARGET" "$ENTRY.80.$BS0" i 2 "$ENTRY.81.$BS0" i 1 2>&1) || SET_RC=$?
assert_match "$SET_OUT" "inconsistentValue" "power and identify of one BMC in one PDU: inconsistentValue"
set3 86 1 x s
assert_match "$SET_OUT" "notWritable" "ipmiBmcLastControlResult is not writable"
assert_eq "$(ipower)" on "RESERVE refusals change nothing"

# ---- (4) failures ---------------------------------------------------------------------------
set3 80 4 1
assert_ne "$SET_RC" 0 "an unreachable BMC's SET fails" "$SET_OUT"
assert_match "$SET_OUT" "resourceUnavailable" "unreachable: resourceUnavailable (not a client timeout)"
assert_match "$(get 86 4)" "^unavailable: " "the result column says the BMC is down"

ctl fault 1 control-c1=1 > /dev/null
set3 80 $BS1 1
assert_match "$SET_OUT" "commitFailed" "a BMC answering C1h: commitFailed"
assert_match "$(get 86 $BS1)" "^refused: .*C1" "the result column gives the completion code"
ctl fault 1 clear > /dev/null
# a BMC that stops answering: the SET ends within the action's budget (4 s),
# before snmpd's agentXTimeout (5 s), as resourceUnavailable
ctl fault 1 drop=100 > /dev/null
set3 80 $BS1 3
assert_match "$SET_OUT" "resourceUnavailable" "a BMC that stops answering: resourceUnavailable, not a client timeout"
assert_match "$(get 86 $BS1)" "^(timeout|unavailable): " "the result column says it did not answer (timeout, or the retries ran out first)"
ctl fault 1 clear > /dev/null

# ---- (5) accountability -----------------------------------------------------------------------
sleep 1
for spec in "power:power powerOff" "power:power powerOn" "bs0:identify on" "bs0:identify forceOn" \
    "bs0:boot device pxe" "bs0:identify off" "off:power powerOff" "user:power powerOff" \
    "dead:power powerOff" "bs1:power powerOff" "bs1:power powerCycle"; do
    b=${spec%%:*} a=${spec#*:}
    assert_eq "$(grep -F "control: BMC $b (" "$PEER_LOG" | grep -cF "$a")" 1 "logged once: $b $a"
    assert_eq "$(grep -F "$TRAP_OID" "$TRAP_LOG" | grep -F "\"$b\"" | grep -cF "\"$a")" 1 \
        "one ipmiControlAction: $b $a"
done

# ---- (6) daemon: a reload that removes a BMC --------------------------------------------------
# The poller moves its last BMC (bs0) into the removed one's place; bs0 must
# keep its own last action, not inherit the removed BMC's.
if [[ $CONTROL_PEER == daemon ]]; then
    assert_match "$(grep -F 'notice: running: ' "$PEER_LOG")" " ${WORKER_THREADS:-1} worker thread" \
        "the daemon runs ${WORKER_THREADS:-1} worker thread(s)"
    assert_match "$(get 85 $BS0)" "^identify off by " "bs0's last action before the reload"
    sed -i '/^bmc "power" {/,/allow-control = true }$/d' "$CFG"
    kill -HUP "$DRIVER_PID"
    gone=0
    for ((t = 0; t < 100; t++)); do
        [[ $(get 2 1) == power ]] || { gone=1; break; }
        sleep 0.1
    done
    assert_eq "$gone" 1 "after SIGHUP the removed BMC leaves the table"
    # two new polls of bs0 (ipmiBmcLastPoll changes), each republishing its columns
    for n in 1 2; do
        lp=$(get 26 $BS0)
        for ((t = 0; t < 100; t++)); do
            [[ $(get 26 $BS0) != "$lp" ]] && break
            sleep 0.1
        done
    done
    assert_match "$(get 85 $BS0)" "^identify off by " "after the reload bs0 keeps its own last action"
    assert_eq "$(get 86 $BS0)" ok "... and its result"
fi

stop_pid "$DRIVER_PID" "$([[ $CONTROL_PEER == daemon ]] && echo ipmi-snmp-bridge || echo agentx-driver)"
finish
