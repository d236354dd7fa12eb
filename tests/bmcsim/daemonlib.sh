# shellcheck shell=bash
# daemonlib.sh - helpers for the daemon-under-faults scripts (sourced after
# testlib.sh).
#
#   daemon_start TAG CFG ARG...  start the bridge daemon on CFG (stdout and
#                                stderr in $RUNDIR/TAG.out/.err); DPID is set
#   daemon_running TAG [REGEX]   wait (up to 30 s) for the "running" line in
#                                $RUNDIR/TAG.err (and REGEX after it); until
#                                then SIGUSR1 would kill it.  1 and its log
#                                tail as a note if it never came
#   daemon_stop [PID]            SIGTERM and wait; DSTOP_RC gets the status
#   status_now FILE [PID]        SIGUSR1, then wait until FILE is rewritten
#                                (its uptime_s changes)
#   sq FILE EXPR                 a Python expression over the status file
#                                (d = the document, bmcs = d["bmcs"],
#                                f = d["fleet"]); "error" if unreadable
#   proc_fds PID, proc_rss PID   open descriptors; VmRSS in kB
#   wait_for SECONDS CMD...      until CMD succeeds (every 0.2 s)

DPID=""
# shellcheck disable=SC2034 # read by the scripts
DSTOP_RC=""

daemon_start() {
    local tag=$1 cfg=$2
    shift 2
    "$BRIDGE" -c "$cfg" "$@" > "$RUNDIR/$tag.out" 2> "$RUNDIR/$tag.err" < /dev/null &
    DPID=$!
    track_pid "$DPID" ipmi-snmp-bridge
}

daemon_running() {
    local err=$RUNDIR/$1.err t
    for ((t = 0; t < 300; t++)); do
        grep -q "notice: running: ${2:-}" "$err" 2> /dev/null && return 0
        kill -0 "$DPID" 2> /dev/null || break
        sleep 0.1
    done
    note "the daemon did not start:" "$(tail -20 "$err" 2> /dev/null)"
    return 1
}

daemon_stop() {
    local pid=${1:-$DPID}
    DSTOP_RC=0
    kill -TERM "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || DSTOP_RC=$?
}

status_now() {
    local file=$1 pid=${2:-$DPID} before t
    before=$(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["uptime_s"])
except Exception: print("none")' "$file")
    kill -USR1 "$pid" 2> /dev/null || return 1
    for ((t = 0; t < 100; t++)); do
        sleep 0.1
        [[ $(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["uptime_s"])
except Exception: print("none")' "$file") != "$before" ]] && return 0
    done
    return 1
}

sq() {
    python3 - "$1" "$2" << 'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    bmcs, f = d["bmcs"], d["fleet"]
    print(eval(sys.argv[2]))
except Exception as e:
    print("error")
PY
}

proc_fds() {
    local n
    n=$(ls "/proc/$1/fd" 2> /dev/null | wc -l) || true
    echo "${n:-0}"
}

proc_rss() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2> /dev/null || echo 0
}

wait_for() {
    local t=$1 i
    shift
    for ((i = 0; i < t * 5; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

# snap FILE: copy the status file to FILE (a snapshot to compare with later)
snap() {
    cp "$ST" "$1"
}

# grown OLD NEW FIELD [NAME...]: how many BMCs (all, or those named) have a
# larger FIELD in status snapshot NEW than in OLD
grown() {
    python3 - "$@" << 'PY'
import json, sys
try:
    old = {b["name"]: b for b in json.load(open(sys.argv[1]))["bmcs"]}
    new = {b["name"]: b for b in json.load(open(sys.argv[2]))["bmcs"]}
except Exception:
    print("error"); sys.exit(0)
field, names = sys.argv[3], sys.argv[4:] or list(new)
print(sum(1 for n in names if n in old and n in new and new[n][field] > old[n][field]))
PY
}
