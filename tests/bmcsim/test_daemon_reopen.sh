#!/usr/bin/env bash
# test_daemon_reopen.sh - a session idle longer than idle-reopen is opened
# anew before its next use (the BMC has probably dropped it).  If the BMC
# has not, the old session must not be left holding one of its few slots:
# the daemon closes it first.  Here every poll reopens (sensor-interval
# above idle-reopen) against simulated BMCs that keep idle sessions for
# 60 s and allow 2 sessions each: after many reopens the simulator still
# holds one session per BMC, never refused one, and every BMC polls.  The
# answers to those Close Sessions (for keys already given up) are counted
# as stray packets, not as bad ones.
#
#   make check TESTS=tests/bmcsim/test_daemon_reopen.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/daemonlib.sh"

N=20
require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup

PORT=$(free_port "$N" 26400) || bail_out "no free ports"
start_bmcsim sim --count "$N" --base-port "$PORT" --seed 5 --session-limit 2 --session-timeout 60 ||
    bail_out "bmcsim did not start"
note "$SIM_READY"

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
cat > "$CFG" << EOF
timeout = 0.5
retries = 2
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 1
sensor-interval = 2
idle-reopen = 1
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "sim" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "r%d" }
EOF

daemon_start daemon "$CFG" --no-agentx --allow-root
daemon_running daemon || bail_out "the daemon did not start"

# at least 4 reopens per BMC: twice the simulator's session limit
reopened() { [[ $(sq "$STATUS" 'sum(b["counters"]["reopens"] for b in bmcs)') -ge $((4 * N)) ]]; }
wait_for 60 reopened || true
reopens=$(sq "$STATUS" 'sum(b["counters"]["reopens"] for b in bmcs)')
note "figure: $reopens reopens over $N BMCs"
assert_num ">=" "$reopens" $((4 * N)) "every poll reopened the idle session ($reopens reopens)"

active=$(counter sessions_active)
refused=$(counter sessions_refused)
assert_num "<=" "$active" "$N" "the simulator holds at most one session per BMC ($active for $N BMCs)"
assert_eq "$refused" 0 "the simulator never refused a session for want of a slot"
status_now "$STATUS" || true
assert_eq "$(sq "$STATUS" 'sum(1 for b in bmcs if b["state"] == "polling")')" "$N" "every BMC is polling"
bad=$(sq "$STATUS" 'sum(b["counters"]["bad_packets"] for b in bmcs)')
stray=$(sq "$STATUS" 'sum(b["counters"]["stray_packets"] for b in bmcs)')
assert_eq "$bad" 0 "the answers to the closes are not taken for bad packets"
assert_num ">" "$stray" 0 "they are counted as stray packets ($stray)"
assert_not_contains "$(cat "$RUNDIR/daemon.err")" "bad packet" "and not logged as bad"

daemon_stop
assert_eq "$DSTOP_RC" 0 "SIGTERM: exit 0"
for ((t = 0; t < 50; t++)); do
    [[ $(counter sessions_active) == 0 ]] && break
    sleep 0.1
done
assert_eq "$(counter sessions_active)" 0 "SIGTERM: every session closed at the simulator"
stop_bmcsim
finish
