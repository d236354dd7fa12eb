# shellcheck shell=bash
# testlib.sh - helpers for the bmcsim integration scripts (sourced after
# tests/lib/common.sh, which provides the assertions, the run dir, free_port
# and the PID-checked cleanup).
#
#   start_bmcsim TAG ARG...   start bmcsim in the background and wait for its
#                             ready line; SIM_PID, SIM_CTL (control socket),
#                             SIM_READY (the line) are set
#   ctl ARG...                bmcsim-ctl against SIM_CTL
#   counter NAME [SEL]        one value from `bmcsim-ctl counters`
#   stop_bmcsim               SIGTERM, wait; SIM_EXIT gets the exit status
#   it PORT CIPHER ARG...     ipmitool lanplus as admin (password via -f)
#   fi TOOL PORT CIPHER ARG.. a FreeIPMI tool over LAN_2_0 as admin
#
# The password is "password" in $RUNDIR/pw (mode 600); FreeIPMI reads it
# from $RUNDIR/freeipmi.conf, ipmitool from -f, so it is never in argv.

BMCSIM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/lib/common.sh
. "$BMCSIM_DIR/../lib/common.sh"

BMCSIM="${BMCSIM:-$top_builddir/tests/bmcsim/bmcsim}"
BMCSIM_CTL="${BMCSIM_CTL:-$top_builddir/tests/bmcsim/bmcsim-ctl}"
SIMLOAD="${SIMLOAD:-$top_builddir/tests/bmcsim/simload}"
COMPARE="$BMCSIM_DIR/compare.py"
SIM_PID=""
SIM_CTL=""
SIM_READY=""
SIM_EXIT=""
SIM_PASSWORD=password

require_bmcsim() {
    [[ -x $BMCSIM && -x $BMCSIM_CTL ]] ||
        bail_out "bmcsim not built: $BMCSIM (make tests/bmcsim/bmcsim tests/bmcsim/bmcsim-ctl)"
}

# bmcsim_setup: run dir, password file, FreeIPMI config
bmcsim_setup() {
    make_rundir
    write_secret "$RUNDIR/pw" "$SIM_PASSWORD"
    write_secret "$RUNDIR/freeipmi.conf" "username admin
password $SIM_PASSWORD
privilege-level ADMIN
"
    mkdir -p "$RUNDIR/sdr-cache"
}

# start_bmcsim TAG ARG...: the control socket is $RUNDIR/TAG.ctl unless
# ARG has --control; stdout/stderr go to $RUNDIR/TAG.out/.err
start_bmcsim() {
    local tag=$1 t
    shift
    SIM_CTL="$RUNDIR/$tag.ctl"
    "$BMCSIM" --control "$SIM_CTL" --password-file "$RUNDIR/pw" "$@" \
        > "$RUNDIR/$tag.out" 2> "$RUNDIR/$tag.err" < /dev/null &
    SIM_PID=$!
    track_pid "$SIM_PID" bmcsim
    for ((t = 0; t < 600; t++)); do
        if grep -q '^bmcsim: ready: ' "$RUNDIR/$tag.out" 2> /dev/null; then
            SIM_READY=$(cat "$RUNDIR/$tag.out")
            return 0
        fi
        if ! kill -0 "$SIM_PID" 2> /dev/null; then
            note "bmcsim exited before it was ready:" "$(cat "$RUNDIR/$tag.err")"
            return 1
        fi
        sleep 0.05
    done
    note "bmcsim not ready after 30 s:" "$(cat "$RUNDIR/$tag.err")"
    return 1
}

stop_bmcsim() {
    local t
    SIM_EXIT=""
    [[ -n $SIM_PID ]] || return 0
    kill -TERM "$SIM_PID" 2> /dev/null || true
    for ((t = 0; t < 200; t++)); do
        if ! kill -0 "$SIM_PID" 2> /dev/null; then
            break
        fi
        sleep 0.05
    done
    SIM_EXIT=0
    wait "$SIM_PID" 2> /dev/null || SIM_EXIT=$?
    SIM_PID=""
}

ctl() {
    "$BMCSIM_CTL" -s "$SIM_CTL" "$@"
}

# counter NAME [SEL]
counter() {
    ctl counters "${2:-all}" | awk -F= -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "missing" }'
}

it() {
    local port=$1 cipher=$2
    shift 2
    timeout -k 5 120 ipmitool -I lanplus -H 127.0.0.1 -p "$port" -U admin -f "$RUNDIR/pw" \
        -C "$cipher" "$@"
}

fi_tool() {
    local tool=$1 port=$2 cipher=$3
    shift 3
    timeout -k 5 120 "$tool" -D LAN_2_0 -h "127.0.0.1:$port" --config-file="$RUNDIR/freeipmi.conf" \
        -I "$cipher" --sdr-cache-directory="$RUNDIR/sdr-cache" --quiet-cache "$@"
}
