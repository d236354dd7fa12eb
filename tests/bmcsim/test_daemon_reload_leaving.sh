#!/usr/bin/env bash
# test_daemon_reload_leaving.sh - reloads that come faster than a BMC can
# leave.  A BMC removed while it is logging in leaves once that attempt
# ends; a reload that adds it back meanwhile makes it come back with the
# new configuration when it has left; and a third reload that removes it
# again must cancel that comeback: it stays out.  The BMC is a port where
# nothing answers, so every attempt lasts the whole retry budget.
#
#   make check TESTS=tests/bmcsim/test_daemon_reload_leaving.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/daemonlib.sh"

N=3
require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup

PORT=$(free_port $((N + 1)) 26500) || bail_out "no free ports"
DEAD=$((PORT + N)) # nobody listens there
start_bmcsim sim --count "$N" --base-port "$PORT" --seed 4 || bail_out "bmcsim did not start"

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
# write_cfg WITH-DEAD: the fleet, with the dead BMC when 1
write_cfg() {
    cat > "$CFG.tmp" << EOF
timeout = 1.0
retries = 8
session-timeout = 14
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 0
sensor-interval = 30
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "sim" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "s%d" }
EOF
    if (($1)); then
        echo "bmc \"dead\" { address = \"127.0.0.1\"  port = $DEAD }" >> "$CFG.tmp"
    fi
    mv "$CFG.tmp" "$CFG"
}
# reload WITH-DEAD: SIGHUP and wait for its "reloaded" line
reload() {
    local before
    before=$(grep -c 'notice: reloaded ' "$RUNDIR/daemon.err" || true)
    write_cfg "$1"
    kill -HUP "$DPID"
    wait_for 10 eval '(( $(grep -c "notice: reloaded " "$RUNDIR/daemon.err" || true) > before ))'
}
names() { sq "$STATUS" '" ".join(sorted(b["name"] for b in bmcs))'; }

write_cfg 1
daemon_start daemon "$CFG" --no-agentx --allow-root
daemon_running daemon || bail_out "the daemon did not start"
# past the first chains' spread (5 s): its login attempt is under way and
# lasts until session-timeout (Get Channel Authentication Capabilities, retried)
sleep 6
reload 0 || bail_out "reload 1 was not logged"
reload 1 || bail_out "reload 2 was not logged"
reload 0 || bail_out "reload 3 was not logged"
assert_match "$(grep 'notice: reloaded ' "$RUNDIR/daemon.err" | sed -n 1p)" " 1 removed, " \
    "reload 1: the dead BMC is removed (it leaves when its login attempt ends)"
assert_match "$(grep 'notice: reloaded ' "$RUNDIR/daemon.err" | sed -n 2p)" " 1 restarted, " \
    "reload 2, before it has left: it is to come back with the new configuration"
assert_match "$(grep 'notice: reloaded ' "$RUNDIR/daemon.err" | sed -n 3p)" " 1 removed, " \
    "reload 3, before it has left: removed again"

# the attempt runs out within session-timeout (14 s); then it leaves for good
wait_for 25 grep -q 'notice: BMC dead: removed' "$RUNDIR/daemon.err" || true
sleep 1
status_now "$STATUS" || true
assert_eq "$(names)" "s$PORT s$((PORT + 1)) s$((PORT + 2))" "the dead BMC is gone and stays gone"
assert_not_contains "$(cat "$RUNDIR/daemon.err")" "BMC dead: restarted" "it did not come back"
daemon_stop
assert_eq "$DSTOP_RC" 0 "SIGTERM: exit 0"
stop_bmcsim
finish
