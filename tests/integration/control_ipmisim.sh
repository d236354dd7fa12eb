#!/usr/bin/env bash
# control_ipmisim.sh - chassis control (src/poll/control.c, driven by
# tests/integration/control_run) against ipmi_sim, whose chassis_control
# program (tests/ipmisim/chassis-control.sh) keeps the power state in a file
# and logs every "set" it is asked for to control.log.
#
#   make check TESTS=tests/integration/control_ipmisim.sh
#
# Checks: powerOff then powerOn through the OPERATOR user "oper" change what
# `ipmitool chassis status` shows and appear in control.log; the read-back
# reports the BMC's power state; each action is logged exactly once with the
# BMC, its address, the action, the requester and the result.  Refusals:
# without allow-control nothing is sent (power and control.log unchanged); a
# BMC configured at USER privilege gets the privilege error and a log line
# naming the privilege key, and nothing is sent; an unreachable BMC fails at
# once.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

require_cmds ipmi_sim sdrcomp ipmitool ss python3 timeout
CTL=$top_builddir/tests/integration/control_run
[[ -x $CTL ]] || bail_out "control_run not found: $CTL (make check builds it)"
make_rundir

PORT=$(free_port 1 21900) || bail_out "no free port"
IPMISIM_POWER=on start_sims 1 "$PORT"
NAME=$(ipmisim_name 1)
SIMDIR=$RUNDIR/sims/$NAME
CLOG=$SIMDIR/control.log
note "ipmi_sim $NAME on udp 127.0.0.1:$PORT (run dir $RUNDIR)"

write_secret "$RUNDIR/oper.pw" operpass
write_secret "$RUNDIR/ro.pw" ropass

IT=(timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$PORT" -U admin -P password -C 3)
power() {
    local out
    out=$("${IT[@]}" chassis status 2>&1) || { echo "ipmitool failed: $out"; return; }
    ipmitool_field "$out" "System Power"
}
clog_lines() {
    if [[ -f $CLOG ]]; then grep -c . "$CLOG" || true; else echo 0; fi
}

# write_cfg FILE USER PWFILE PRIV ALLOW [PORT]
write_cfg() {
    write_config_head "$1" 0.5 2
    cat >> "$1" << EOF2
bmc "$NAME" {
    address = "127.0.0.1"
    port = ${6:-$PORT}
    username = "$2"
    password-file = "$3"
    cipher-suites = {3}
    privilege = "$4"
    allow-control = $5
}
EOF2
}

# ctl TAG CFG ARGS...: run control_run; CTL_RC, CTL_OUT, CTL_ERR
ctl() {
    local tag=$1 cfg=$2
    shift 2
    CTL_RC=0
    timeout -k 5 60 "$CTL" -c "$cfg" "$@" > "$RUNDIR/$tag.out" 2> "$RUNDIR/$tag.err" || CTL_RC=$?
    CTL_OUT=$(cat "$RUNDIR/$tag.out")
    CTL_ERR=$(cat "$RUNDIR/$tag.err")
}

ADDR="127.0.0.1:$PORT"
assert_eq "$(power)" "on" "the chassis starts powered on"

# ---- (c) refusal: allow-control not set --------------------------------------------
write_cfg "$RUNDIR/off.conf" oper "$RUNDIR/oper.pw" operator false
before=$(clog_lines)
ctl off "$RUNDIR/off.conf" -r alice "$NAME:power=powerOff"
assert_eq "$CTL_RC" 1 "without allow-control the action fails"
assert_match "$CTL_OUT" "^result $NAME disabled immediate " "without allow-control: refused at once (disabled)"
assert_contains "$CTL_OUT" "allow-control = true" "the refusal names the key allow-control"
assert_eq "$(power)" "on" "without allow-control the power stays on"
assert_eq "$(clog_lines)" "$before" "without allow-control the BMC is asked nothing (control.log unchanged)"

# ---- (c) refusal: USER privilege ----------------------------------------------------
write_cfg "$RUNDIR/ro.conf" ro "$RUNDIR/ro.pw" user true
ctl ro "$RUNDIR/ro.conf" -r bob "$NAME:power=powerOff"
assert_match "$CTL_OUT" "^result $NAME privilege immediate " "a USER-privilege BMC gets the privilege error at once"
n=$(grep -c "control: BMC $NAME ($ADDR): power powerOff requested by bob: .*privilege = \"operator\".*\[privilege\]" <<< "$CTL_ERR" || true)
assert_eq "$n" 1 "one log line names the BMC, the requester and the privilege key" "$CTL_ERR"
assert_eq "$(power)" "on" "at USER privilege the power stays on"
assert_eq "$(clog_lines)" "$before" "at USER privilege the BMC is asked nothing (control.log unchanged)"

# ---- (a) powerOff, then powerOn, as OPERATOR -------------------------------------------
write_cfg "$RUNDIR/on.conf" oper "$RUNDIR/oper.pw" operator true
ctl off1 "$RUNDIR/on.conf" -r carol "$NAME:power=powerOff" "$NAME:read"
assert_eq "$CTL_RC" 0 "powerOff as oper succeeds" "$CTL_OUT" "$CTL_ERR"
assert_match "$CTL_OUT" "^result $NAME ok async cc=00 ok" "powerOff: ok, answered by the BMC"
assert_contains "$CTL_OUT" "state $NAME power=off(bmc)" "read-back after powerOff: power off, from the BMC"
assert_eq "$(power)" "off" "ipmitool chassis status: off after powerOff"
assert_eq "$(tail -n 1 "$CLOG" 2>/dev/null)" "set power 0" "control.log: set power 0"
n=$(grep -c "control: BMC $NAME ($ADDR): power powerOff requested by carol: ok \[ok\]" <<< "$CTL_ERR" || true)
assert_eq "$n" 1 "powerOff is logged exactly once" "$CTL_ERR"

ctl on1 "$RUNDIR/on.conf" -r carol "$NAME:power=powerOn" "$NAME:read"
assert_eq "$CTL_RC" 0 "powerOn as oper succeeds" "$CTL_OUT" "$CTL_ERR"
assert_contains "$CTL_OUT" "state $NAME power=on(bmc)" "read-back after powerOn: power on"
assert_eq "$(power)" "on" "ipmitool chassis status: on after powerOn"
assert_eq "$(tail -n 1 "$CLOG" 2>/dev/null)" "set power 1" "control.log: set power 1"
assert_eq "$(clog_lines)" "$((before + 2))" "control.log: exactly two sets for two actions"
n=$(grep -c "^.*control: " <<< "$CTL_ERR" || true)
assert_eq "$n" 1 "one control log line for one action"

# ---- (d) an unreachable BMC fails at once ----------------------------------------------
DEAD=$(free_port 1 $((PORT + 37))) || bail_out "no free port"
write_cfg "$RUNDIR/dead.conf" oper "$RUNDIR/oper.pw" operator true "$DEAD"
sed -i 's/^retries = .*/retries = 1/; s/^timeout = .*/timeout = 0.2/' "$RUNDIR/dead.conf"
ctl dead "$RUNDIR/dead.conf" -r dave "$NAME:power=powerOff"
assert_match "$CTL_OUT" "^result $NAME unavailable immediate " "an unreachable BMC: refused at once (unavailable)" "$CTL_ERR"
n=$(grep -c "control: BMC $NAME (127.0.0.1:$DEAD): power powerOff requested by dave: refused: the BMC is down" <<< "$CTL_ERR" || true)
assert_eq "$n" 1 "the unreachable BMC's refusal is logged once" "$CTL_ERR"

finish
