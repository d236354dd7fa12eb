#!/usr/bin/env bash
# test_no_core_dumps.sh - secrets never reach a core file (review issue 8,
# defect 9b): a running bridge (--once --polls 2 --step, waiting on its
# standard input between the polls) is not dumpable and has a core size
# limit of 0, as the kernel shows it to another process:
#  - proc(5): the files of a process whose dumpable attribute is not 1 are
#    owned by root, not by the process's user; so the bridge runs under an
#    unprivileged user (uid 65534 when this test runs as root), and a plain
#    process of that user is the control that shows the check can tell;
#  - /proc/PID/limits: "Max core file size" 0 0.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
bmcsim_setup

RUN_AS=()
USER_ID=$(id -u)
if ((USER_ID == 0)); then
    require_cmds setpriv
    USER_ID=65534
    RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi

PORT=$(free_port 1 28600) || bail_out "no free port"
start_bmcsim sim --count 1 --base-port "$PORT" --seed 3 || bail_out "bmcsim did not start"

# files the bridge's user can read: a directory of its own, the password
# file owned by that user, mode 600
chmod 0711 "$RUNDIR"
HOME_DIR=$RUNDIR/user
mkdir -m 0755 "$HOME_DIR" "$HOME_DIR/cache"
write_secret "$HOME_DIR/pw" "$SIM_PASSWORD"
chown "$USER_ID" "$HOME_DIR/pw" "$HOME_DIR/cache"
CFG=$HOME_DIR/bridge.conf
{
    echo "timeout = 1.0"
    echo "sdr-cache-dir = \"cache\""
    echo "defaults { username = \"admin\"  password-file = \"pw\"  cipher-suites = {17} }"
    echo "bmc \"sim0\" { address = \"127.0.0.1\"  port = $PORT }"
} > "$CFG"
chmod 0644 "$CFG"

# owner of /proc/PID/status
proc_owner() { stat -c %u "/proc/$1/status"; }

# the control: a process of the same user, dumpable as usual
mkfifo "$RUNDIR/control.in"
exec 4<> "$RUNDIR/control.in"
"${RUN_AS[@]}" cat < "$RUNDIR/control.in" > /dev/null 4>&- &
CONTROL=$!
track_pid "$CONTROL" cat
sleep 0.2
assert_eq "$(proc_owner "$CONTROL")" "$USER_ID" \
    "control: /proc/PID/status of an ordinary process of uid $USER_ID is owned by it"
exec 4>&-
for ((t = 0; t < 100; t++)); do
    kill -0 "$CONTROL" 2> /dev/null || break
    sleep 0.05
done
wait "$CONTROL" 2> /dev/null || true

# the bridge, between its two polls
mkfifo "$RUNDIR/bridge.in"
exec 3<> "$RUNDIR/bridge.in"
"${RUN_AS[@]}" "$BRIDGE" -c "$CFG" --once --json --polls 2 --step \
    < "$RUNDIR/bridge.in" > "$RUNDIR/bridge.out" 2> "$RUNDIR/bridge.err" 3>&- &
BR_PID=$!
track_pid "$BR_PID" ipmi-snmp-bridge
for ((t = 0; t < 600; t++)); do
    [[ -s $RUNDIR/bridge.out ]] && break
    kill -0 "$BR_PID" 2> /dev/null || break
    sleep 0.05
done
if kill -0 "$BR_PID" 2> /dev/null && [[ -s $RUNDIR/bridge.out ]]; then
    uid_line=$(awk '$1 == "Uid:" { print $2 }' "/proc/$BR_PID/status")
    assert_eq "$uid_line" "$USER_ID" "the bridge runs as uid $USER_ID"
    assert_eq "$(proc_owner "$BR_PID")" 0 \
        "the bridge is not dumpable: its /proc/PID/status is owned by root"
    core=$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$BR_PID/limits")
    assert_eq "$core" "0 0" "the bridge's core size limit is 0 (soft and hard)"
    echo >&3 # the second poll, then the end
else
    fail "the bridge did not wait between its polls: $(cat "$RUNDIR/bridge.err")"
fi
exec 3>&-
rc=0
for ((t = 0; t < 600; t++)); do
    kill -0 "$BR_PID" 2> /dev/null || break
    sleep 0.05
done
wait "$BR_PID" 2> /dev/null || rc=$?
assert_eq "$rc" 0 "the bridge finished both polls and exited 0"
assert_eq "$(wc -l < "$RUNDIR/bridge.out")" 2 "two polls, one JSON line each"
stop_bmcsim
finish
