#!/usr/bin/env bash
# test_control.sh - chassis control (src/poll/control.c through
# tests/integration/control_run) against bmcsim: identify (timed, forced,
# off) and the boot device with the set-in-progress handshake, checked with
# `bmcsim-ctl dump-chassis`, `ipmitool chassis bootparam get 0|5` and the
# simulator's counters; a "once" boot flag is used up by a power cycle; a
# lock held by another client is left alone and reported busy; a BMC that
# answers C1h gives the refused (commitFailed) category with the reason; a
# BMC that stops answering gives timeout within the budget; a BMC that does
# not grant OPERATOR gives the privilege error; every action is logged once.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_cmds ipmitool python3
CTLRUN=$top_builddir/tests/integration/control_run
[[ -x $CTLRUN ]] || bail_out "control_run not found: $CTLRUN (make check builds it)"
bmcsim_setup
PORT=$(free_port 3 29700) || bail_out "no free port"
start_bmcsim ctl --count 3 --base-port "$PORT" --profile "$top_srcdir/tests/bmcsim/small.profile" ||
    bail_out "bmcsim did not start"

CFG=$RUNDIR/control.conf
{
    echo "timeout = 0.3"
    echo "retries = 2"
    echo "defaults { username = \"admin\"  password-file = \"$RUNDIR/pw\"  cipher-suites = {17}"
    echo "           privilege = \"operator\"  allow-control = true }"
    for i in 0 1 2; do
        printf 'bmc "sim%d" { address = "127.0.0.1"  port = %d }\n' "$i" $((PORT + i))
    done
} > "$CFG"

# run TAG ARGS...: control_run; R_RC, R_OUT, R_ERR
run() {
    local tag=$1
    shift
    R_RC=0
    timeout -k 5 60 "$CTLRUN" -c "$CFG" -r tester "$@" > "$RUNDIR/$tag.out" 2> "$RUNDIR/$tag.err" < /dev/null || R_RC=$?
    R_OUT=$(cat "$RUNDIR/$tag.out")
    R_ERR=$(cat "$RUNDIR/$tag.err")
}
chassis() { # chassis BMC FIELD: from dump-chassis
    ctl dump-chassis "$1" | awk -F'|' -v k="$2" '$2 == k { print $3 }'
}
bootparam() { # bootparam BMC PARAM: ipmitool's full output
    it $((PORT + $1)) 17 chassis bootparam get "$2" 2>&1 || true
}
nlog() { # nlog TEXT: control log lines in R_ERR containing TEXT
    grep -cF -- "$1" <<< "$R_ERR" || true
}

# ---- identify ---------------------------------------------------------------------
run ident sim0:identify=on:200 sim0:read
assert_eq "$R_RC" 0 "identify on 200 s succeeds" "$R_OUT" "$R_ERR"
assert_eq "$(chassis 0 identify)" timed "bmcsim: identify timed on"
assert_contains "$R_OUT" "state sim0 power=on(bmc) identify=on(bmc)" "read-back: identify on, from Get Chassis Status"
assert_eq "$(nlog "control: BMC sim0 (127.0.0.1:$PORT): identify on 200 s requested by tester: ok [ok]")" 1 \
    "identify on: logged once with BMC, address, action, requester and result"

run force sim0:identify=forceOn sim0:read
assert_eq "$(chassis 0 identify)" forced "bmcsim: identify forced on"
assert_contains "$R_OUT" "identify=forceOn(bmc)" "read-back: identify forceOn"
run off sim0:identify=off sim0:read
assert_eq "$(chassis 0 identify)" off "bmcsim: identify off"
assert_contains "$R_OUT" "identify=off(bmc)" "read-back: identify off"
assert_eq "$(counter content_identify 0)" 3 "bmcsim saw three Chassis Identify requests for three actions"

# ipmitool sets and reads the same state
assert_eq "$(it $((PORT + 0)) 17 chassis identify 7 2>&1)" "Chassis identify interval: 7 seconds" "ipmitool chassis identify 7"
assert_eq "$(chassis 0 identify)" timed "bmcsim: identify timed on by ipmitool"
it $((PORT + 0)) 17 chassis identify 0 > /dev/null 2>&1 || true
assert_eq "$(chassis 0 identify)" off "ipmitool chassis identify 0: off"

# ---- boot device ----------------------------------------------------------------------
sbo0=$(counter content_set_boot_options 0)
run boot sim0:boot=pxe,always,uefi sim0:read
assert_eq "$R_RC" 0 "boot pxe always uefi succeeds" "$R_OUT" "$R_ERR"
assert_eq "$(chassis 0 boot_flags)" "e0 04 00 00 00" "bmcsim: boot flags e0 04 (valid, persistent, EFI, PXE)"
bp5=$(bootparam 0 5)
assert_contains "$bp5" "Boot Device Selector : Force PXE" "ipmitool bootparam get 5: Force PXE"
assert_contains "$bp5" "Options apply to all future boots" "ipmitool bootparam get 5: persistent"
assert_contains "$bp5" "BIOS EFI boot" "ipmitool bootparam get 5: EFI"
assert_contains "$R_OUT" "boot=pxe,always,uefi,valid(bmc)" "read-back: boot pxe always uefi from Get System Boot Options"
assert_eq "$(counter content_set_boot_options 0)" $((sbo0 + 3)) "set in progress, boot flags, set complete: three Set System Boot Options"
assert_contains "$(bootparam 0 0)" "Boot parameter data: 00" "the set-in-progress lock is released (parameter 0 = set complete)"

run boot2 sim0:boot=disk,once,legacy
assert_contains "$(bootparam 0 5)" "Force Boot from default Hard-Drive" "ipmitool: boot from disk"
assert_contains "$(bootparam 0 5)" "Options apply to only next boot" "ipmitool: next boot only"
run cycle sim0:power=powerCycle sim0:read
assert_eq "$R_RC" 0 "power cycle succeeds" "$R_OUT" "$R_ERR"
assert_contains "$R_OUT" "boot=disk,once,legacy,invalid(bmc)" "after the (simulated) boot the once flags are no longer valid"
assert_contains "$(bootparam 0 5)" "Boot Flag Invalid" "ipmitool: boot flag invalid after the boot"

# another client holds set-in-progress: busy, and its lock is not ours to release
it $((PORT + 0)) 17 raw 0x00 0x08 0x00 0x01 > /dev/null 2>&1 || fail "ipmitool raw set-in-progress failed"
w0=$(counter content_boot_flags_writes 0)
run locked sim0:boot=cdrom
assert_match "$R_OUT" "^result sim0 busy async cc=81 " "boot change while another client holds the lock: busy (81h)"
assert_eq "$(counter content_boot_flags_writes 0)" "$w0" "no boot flags written under another client's lock"
assert_contains "$(bootparam 0 0)" "Boot parameter data: 01" "the other client's lock is left in place"
it $((PORT + 0)) 17 raw 0x00 0x08 0x00 0x00 > /dev/null 2>&1 || true

# ---- power, and a BMC that answers C1h ---------------------------------------------------
ctl fault 1 control-c1=1 > /dev/null
run c1 sim1:power=powerOff
assert_eq "$R_RC" 1 "power off on a BMC answering C1h fails"
assert_match "$R_OUT" "^result sim1 refused async cc=C1 Chassis Control: the BMC answered C1h" \
    "C1h: the refused (commitFailed) category, and the text says why"
assert_eq "$(nlog "control: BMC sim1 (127.0.0.1:$((PORT + 1))): power powerOff requested by tester: Chassis Control: the BMC answered C1h")" 1 \
    "the refused action is logged once"
assert_eq "$(counter fault_control_c1 1)" 1 "bmcsim counted one C1h fault"
assert_eq "$(chassis 1 power)" on "the power stays on"

run poff sim0:power=powerOff
assert_eq "$(chassis 0 power)" off "power off: bmcsim powered off"
assert_eq "$(it $((PORT + 0)) 17 chassis power status 2>&1)" "Chassis Power is off" "ipmitool chassis power status: off"
assert_eq "$(ipmitool_field "$(it $((PORT + 0)) 17 chassis status 2>&1)" "System Power")" off "ipmitool chassis status: off"
run pon sim0:power=powerOn
assert_eq "$(chassis 0 power)" on "power on: bmcsim powered on"
assert_eq "$(counter content_chassis_control 0)" 3 "three Chassis Control requests for three power actions on sim0"

# ---- a BMC that stops answering: timeout within the budget --------------------------------
# (the engine gives up on the request after 0.3 + 0.6 + 1.2 s: later than the
# 1.5 s budget, so the action right after it finds the BMC still busy)
coproc CR { timeout -k 5 60 "$CTLRUN" -c "$CFG" -r tester -t 1500 sim2:read sim2:wait sim2:power=powerOff sim2:power=powerOn 2> "$RUNDIR/slow.err"; }
crpid=$CR_PID
exec {cin}<&"${CR[0]}" {cout}>&"${CR[1]}"
line=""
while IFS= read -r line <&"$cin"; do [[ $line == waiting ]] && break; done
ctl fault 2 drop=100 > /dev/null
echo go >&"$cout"
out=$(cat <&"$cin")
exec {cin}<&- {cout}>&-
wait "$crpid" 2> /dev/null || true
ctl fault 2 clear > /dev/null
assert_match "$out" "^result sim2 timeout async " "a BMC that stops answering: timeout (resourceUnavailable)"
assert_contains "$out" "result sim2 busy immediate cc=00 refused: the previous action (power powerOff) has not finished" \
    "while the timed-out request is still retried, the next action is refused at once (busy)"
assert_eq "$(grep -c "control: BMC sim2 (127.0.0.1:$((PORT + 2))): power powerOff" "$RUNDIR/slow.err" || true)" 1 \
    "the timed-out action is logged once" "$(cat "$RUNDIR/slow.err")"
assert_eq "$(grep -c "control: BMC sim2" "$RUNDIR/slow.err" || true)" 2 "two actions, two log lines"

stop_bmcsim
assert_eq "$SIM_EXIT" 0 "bmcsim exits cleanly"

# ---- a BMC whose user is only a USER: the session at operator is refused ------------------
start_bmcsim ctlu --count 1 --base-port "$PORT" --priv user --profile "$top_srcdir/tests/bmcsim/small.profile" ||
    bail_out "bmcsim did not start"
run upriv sim0:power=powerOff
assert_match "$R_OUT" "^result sim0 privilege immediate " "the BMC refuses operator to a USER user: the privilege error, at once"
assert_contains "$R_OUT" 'give user "admin" privilege operator on the BMC' "the text says what to change on the BMC"
assert_eq "$(counter content_chassis_control)" 0 "no Chassis Control reached the BMC"
stop_bmcsim
finish
