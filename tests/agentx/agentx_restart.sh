#!/usr/bin/env bash
# agentx_restart.sh - snmpd restarts under the subagent: while snmpd is down
# the driver keeps running (no spin: its CPU time over the outage is small),
# after snmpd comes back walks answer again within 20 s (the subagent retries
# every 5 s, Net-SNMP's and our default), twice in a row (the second time the
# new AgentX socket may get the fd number of the old one), and the driver's
# log has at most 2 lines about each restart (lost, registered again) - not
# one per retry.  Then snmpd hangs (SIGSTOP) for a while and continues: the
# subagent comes back too (the driver prints its longest loop stall).
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

require_cmds snmpd snmpget snmpwalk ss timeout
DRIVER=$top_builddir/tests/agentx/agentx-driver
[[ -x $DRIVER ]] || bail_out "missing $DRIVER (make)"
make_rundir
OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
OUTAGE=${OUTAGE:-8}

SNMP_PORT=$(free_port 1 22350) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start"
# --fds 1100: every fd below 1100 taken, so the AgentX socket is above
# FD_SETSIZE (1024) before and after each re-registration
"$DRIVER" --socket "$AGENTX_SOCK" --synthetic 2:3 --fds 1100 > "$RUNDIR/driver.out" 2> "$RUNDIR/driver.err" < /dev/null &
DRIVER_PID=$!
track_pid "$DRIVER_PID" agentx-driver

# seconds until a GET of ipmiBmcName.2 answers (at most $1 s); "" if never
answer_within() {
    local limit=$1 t0 now
    t0=$(date +%s.%N)
    while :; do
        if snmpget -v2c -c public -On -t 0.5 -r 0 "$SNMPD_TARGET" "$OBJ.3.1.2.2" 2>&1 | grep -q 'STRING: "synth2"'; then
            now=$(date +%s.%N)
            awk -v a="$t0" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
            return 0
        fi
        now=$(date +%s.%N)
        awk -v a="$t0" -v b="$now" -v l="$limit" 'BEGIN { exit !(b - a > l) }' && return 1
        sleep 0.2
    done
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# the highest fd number of a socket the driver holds
max_socket_fd() {
    local f n max=-1
    for f in /proc/"$DRIVER_PID"/fd/*; do
        [[ $(readlink "$f" 2> /dev/null) == socket:* ]] || continue
        n=${f##*/}
        ((n > max)) && max=$n
    done
    echo "$max"
}
agentx_lines() { grep -ciE 'agentx|net-snmp|master' "$RUNDIR/driver.err" || true; }

s=$(answer_within 20) && pass "the subagent answers through snmpd (after ${s}s)" ||
    fail "the subagent answers through snmpd" "$(cat "$RUNDIR/driver.err")"
count=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5" | grep -c "^$OBJ" || true)
assert_eq "$count" $((2 * 3 * 19)) "walk of ipmiSensorTable: 2 BMCs x 3 sensors x 19 present columns"
assert_num ">=" "$(max_socket_fd)" 1024 "the AgentX socket's fd is above FD_SETSIZE ($(max_socket_fd))"

for round in 1 2; do
    before=$(agentx_lines)
    snmpd_stop
    ticks0=$(cpu_ticks "$DRIVER_PID")
    sleep "$OUTAGE"
    ticks1=$(cpu_ticks "$DRIVER_PID")
    if pid_matches "$DRIVER_PID" agentx-driver; then
        pass "restart $round: the driver lives through ${OUTAGE}s without snmpd"
    else
        fail "restart $round: the driver lives through ${OUTAGE}s without snmpd" "$(tail "$RUNDIR/driver.err")"
    fi
    # 100 ticks = 1 s of CPU in ${OUTAGE}s: far above a retry every 5 s, far below a spin
    assert_num "<" $((ticks1 - ticks0)) 100 "restart $round: no busy loop while snmpd is away ($((ticks1 - ticks0)) CPU ticks)"
    snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start again"
    if s=$(answer_within 20); then
        pass "restart $round: walks answer again ${s}s after snmpd is back"
    else
        fail "restart $round: walks answer again within 20 s" "$(tail "$RUNDIR/driver.err")"
    fi
    count=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5" | grep -c "^$OBJ" || true)
    assert_eq "$count" $((2 * 3 * 19)) "restart $round: the whole sensor table again"
    assert_num ">=" "$(max_socket_fd)" 1024 "restart $round: the new AgentX socket's fd is above FD_SETSIZE too"
    n=$(($(agentx_lines) - before))
    if ((n >= 1 && n <= 2)); then
        pass "restart $round: $n log lines about it"
    else
        fail "restart $round: 1 or 2 log lines about it, got $n" "$(cat "$RUNDIR/driver.err")"
    fi
done
# a hung snmpd (SIGSTOP): the AgentX ping fails after its short timeout, the
# subagent re-registers once snmpd runs again
before=$(agentx_lines)
kill -STOP "$SNMPD_PID"
sleep "$OUTAGE"
kill -CONT "$SNMPD_PID"
if s=$(answer_within 20); then
    pass "hung snmpd: walks answer again ${s}s after it continues"
else
    fail "hung snmpd: walks answer again within 20 s" "$(tail "$RUNDIR/driver.err")"
fi
n=$(($(agentx_lines) - before))
if ((n <= 2)); then
    pass "hung snmpd: $n log lines about it"
else
    fail "hung snmpd: at most 2 log lines about it, got $n" "$(cat "$RUNDIR/driver.err")"
fi
stop_pid "$DRIVER_PID" agentx-driver
# the longest stall of the driver's loop (synchronous AgentX waits): shown, not asserted
note "$(cat "$RUNDIR/driver.err")"
finish
