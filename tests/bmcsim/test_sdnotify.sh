#!/usr/bin/env bash
# test_sdnotify.sh - the daemon's systemd notifications (agent/sdnotify.c),
# with a Python datagram socket standing in for systemd's NOTIFY_SOCKET:
# READY=1 with a STATUS= that counts BMCs by state, WATCHDOG=1 repeatedly
# when WATCHDOG_USEC is set, RELOADING=1 then READY=1 around SIGHUP,
# STOPPING=1 on SIGTERM; and nothing at all without NOTIFY_SOCKET.  The
# AgentX socket leads nowhere: readiness must not wait for snmpd.
#
#   make check TESTS=tests/bmcsim/test_sdnotify.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3
# a build without libsystemd sends nothing: nothing to test
[[ $(nm "$BRIDGE" 2> /dev/null | grep -c sd_notify) -gt 0 ]] || skip_all "built without libsystemd (apt-get install libsystemd-dev, reconfigure)"
bmcsim_setup

PORT=$(free_port 4 26500) || bail_out "no free ports"
start_bmcsim sim --count 3 --base-port "$PORT" --seed 3 --tick-ms 0 || bail_out "bmcsim did not start"

write_secret "$RUNDIR/wrong.pw" "not-the-password"
CFG=$RUNDIR/bridge.conf
cat > "$CFG" << EOF2
timeout = 0.3
retries = 1
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
sensor-interval = 2
agentx-socket = "$RUNDIR/no-snmpd-here.sock"
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc "sim0" { address = "127.0.0.1"  port = $PORT }
bmc "sim1" { address = "127.0.0.1"  port = $((PORT + 1)) }
bmc "badpw" { address = "127.0.0.1"  port = $((PORT + 2))  password-file = "$RUNDIR/wrong.pw" }
EOF2

SOCK=$RUNDIR/notify.sock
LOG=$RUNDIR/notify.log
python3 "$BMCSIM_DIR/sdnotify_sink.py" "$SOCK" "$LOG" &
SINK=$!
track_pid "$SINK" sdnotify_sink
for ((t = 0; t < 100; t++)); do
    grep -q listening "$LOG" 2> /dev/null && break
    sleep 0.05
done

# wait_for REGEX [SECS]: true once a line of the log matches
wait_for() {
    local t
    for ((t = 0; t < ${2:-15} * 10; t++)); do
        grep -Eq "$1" "$LOG" && return 0
        sleep 0.1
    done
    return 1
}
count() { grep -Ec "$1" "$LOG" || true; }

NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=1000000 "$BRIDGE" -c "$CFG" > "$RUNDIR/d.out" 2> "$RUNDIR/d.err" < /dev/null &
DPID=$!
track_pid "$DPID" ipmi-snmp-bridge

if wait_for '^READY=1 \| STATUS=3 BMCs'; then
    pass "READY=1 with STATUS= naming 3 BMCs (no snmpd at the AgentX socket)"
else
    fail "no READY=1" "$(cat "$LOG")" "$(cat "$RUNDIR/d.err")"
fi
# the watchdog runs every WATCHDOG_USEC/2 and carries the status
if wait_for '^WATCHDOG=1 \| STATUS=3 BMCs: .*2 polling.*1 auth_failed' 20; then
    pass "WATCHDOG=1 with STATUS=3 BMCs: 2 polling, 1 auth_failed"
else
    fail "no WATCHDOG=1 with the polling/auth_failed counts" "$(tail -5 "$LOG")"
fi
n1=$(count '^WATCHDOG=1')
sleep 1.5
n2=$(count '^WATCHDOG=1')
assert_num ">" "$n2" "$n1" "watchdog keeps going ($n1 then $n2 pings)"

# reload: RELOADING=1 then READY=1, also for a refused file
ready_before=$(count '^READY=1')
kill -HUP "$DPID"
wait_for '^RELOADING=1' 10 || true
for ((t = 0; t < 100; t++)); do
    (($(count '^READY=1') > ready_before)) && break
    sleep 0.1
done
assert_eq "$(count '^RELOADING=1')" 1 "SIGHUP: one RELOADING=1"
assert_eq "$(count '^READY=1')" $((ready_before + 1)) "SIGHUP: READY=1 after the reload"
r=$(grep -nE '^RELOADING=1' "$LOG" | head -1 | cut -d: -f1)
y=$(grep -nE '^READY=1' "$LOG" | tail -1 | cut -d: -f1)
assert_num ">" "$y" "$r" "READY=1 comes after RELOADING=1"
echo 'this is = { not valid' >> "$CFG"
kill -HUP "$DPID"
for ((t = 0; t < 100; t++)); do
    (($(count '^READY=1') > ready_before + 1)) && break
    sleep 0.1
done
assert_eq "$(count '^RELOADING=1')" 2 "refused reload: RELOADING=1 too"
assert_eq "$(count '^READY=1')" $((ready_before + 2)) "refused reload: READY=1 again (old config runs)"

kill -TERM "$DPID"
wait_for '^STOPPING=1' 10 || true
drc=0
wait "$DPID" || drc=$?
assert_eq "$drc" 0 "SIGTERM: exit 0"
assert_eq "$(count '^STOPPING=1')" 1 "SIGTERM: STOPPING=1"

# without NOTIFY_SOCKET (not under systemd): no datagrams, same behaviour
lines=$(wc -l < "$LOG")
head -n -1 "$CFG" > "$RUNDIR/bridge.conf.ok"
env -u NOTIFY_SOCKET WATCHDOG_USEC=1000000 "$BRIDGE" -c "$RUNDIR/bridge.conf.ok" > "$RUNDIR/d2.out" 2> "$RUNDIR/d2.err" < /dev/null &
D2=$!
track_pid "$D2" ipmi-snmp-bridge
sleep 2
kill -TERM "$D2"
drc=0
wait "$D2" || drc=$?
assert_eq "$drc" 0 "without NOTIFY_SOCKET: runs and stops cleanly"
assert_eq "$(wc -l < "$LOG")" "$lines" "without NOTIFY_SOCKET: no notification sent"
assert_not_contains "$(cat "$RUNDIR/d2.err")" "sd_notify" "without NOTIFY_SOCKET: no sd_notify warning"

finish
