#!/usr/bin/env bash
# test_daemon_scale.sh - cold start of the daemon against 2,000 simulated
# BMCs (one port each, one bmc-group line) with a low max-logins: the
# simulator never sees more logins in progress at once than the cap (its
# own logins_pending_max counter), and every BMC reaches "polling".
#
#   make check TESTS=tests/bmcsim/test_daemon_scale.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

N=${DAEMON_SCALE_BMCS:-2000}
CAP=${DAEMON_SCALE_MAX_LOGINS:-8}
require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
PORT=$(free_port "$N" 24000) || bail_out "no free port range"
start_bmcsim fleet --count "$N" --base-port "$PORT" --seed 3 || bail_out "bmcsim did not start"
note "$SIM_READY"

CFG=$RUNDIR/fleet.conf
STATUS=$RUNDIR/status.json
cat > "$CFG" << EOF2
timeout = 1.0
retries = 3
max-logins = $CAP
max-sdr-reads = 16
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 2
sensor-interval = 60
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "fleet" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "f%d" }
EOF2

"$BRIDGE" -c "$CFG" > "$RUNDIR/daemon.out" 2> "$RUNDIR/daemon.err" < /dev/null &
DPID=$!
track_pid "$DPID" ipmi-snmp-bridge

summary() {
    python3 -c 'import json,sys
try:
    d=json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0 0"); sys.exit(0)
f=d["fleet"]
print(f["states"]["polling"], f["max_logins_seen"], f["max_sdr_seen"], f["bmcs"])' "$STATUS"
}

polling=0
for ((t = 0; t < 600; t++)); do # at most 5 minutes
    read -r polling seen sdrseen total < <(summary)
    ((polling == N)) && break
    kill -0 "$DPID" 2> /dev/null || break
    sleep 0.5
done
note "figure: $polling of $N BMCs polling after about $((t / 2)) s; max logins seen by the daemon $seen, SDR reads $sdrseen"
assert_eq "$polling" "$N" "every one of the $N BMCs reaches polling"
pending_max=$(counter logins_pending_max)
opened=$(counter sessions_opened)
assert_num ">=" "$opened" "$N" "bmcsim counted at least $N logins ($opened)"
assert_num "<=" "$pending_max" "$CAP" "bmcsim never saw more than max-logins=$CAP logins in progress at once ($pending_max)"
assert_num ">=" "$pending_max" 2 "logins did overlap (peak $pending_max), so the cap was what held them"
assert_num "<=" "$seen" "$CAP" "the daemon's own count of logins in flight stayed within the cap ($seen)"
assert_num "<=" "$sdrseen" 16 "SDR reads in flight stayed within max-sdr-reads ($sdrseen)"

kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM: exit 0"
assert_eq "$(counter sessions_active)" 0 "SIGTERM: every session closed at the simulator"
stop_bmcsim
finish
