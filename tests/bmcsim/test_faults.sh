#!/usr/bin/env bash
# test_faults.sh - every fault mode, as a client sees it, and the counters
# that report what was injected.  One simulator, one fault per BMC (set at
# run time with `bmcsim-ctl fault BMC ...`):
#
#   0 drop=30            ipmitool still succeeds through its retries
#   1 dup=100            ipmitool ignores the duplicates
#   2 reorder=50         ipmitool succeeds
#   3 delay=300 jitter=100   ipmitool succeeds, slowly
#   4 busy=100           ipmitool: "Node busy" (completion code C0h)
#   5 impostor           ipmitool: the RAKP 2 HMAC does not verify
#   6 refuse-after=2     two logins work, the third is refused
#   7 slow=100 slow-ms=1500  ipmitool -N 1 gives up, -N 2 waits long enough
#   8 malformed=100      ipmitool: invalid authcode
#   9 truncate=100       FreeIPMI bmc-info rejects the short answers
#  10 reboot 10 2        silent for 2 s, then answers again
#  11 (no fault)         none of the above leaks onto it
# Then fleet-wide faults (`fault all`), and reproducibility under --seed.
#
#   make check TESTS=tests/bmcsim/test_faults.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_cmds ipmitool bmc-info timeout awk
require_bmcsim
bmcsim_setup

PORT=$(free_port 12 25400) || bail_out "no free ports"
start_bmcsim faults --count 12 --base-port "$PORT" --seed 3 --tick-ms 0 --session-timeout 5 ||
    bail_out "bmcsim did not start"

ctl fault 0 drop=30 > /dev/null
ctl fault 1 dup=100 > /dev/null
ctl fault 2 reorder=50 reorder-ms=100 > /dev/null
ctl fault 3 delay=300 jitter=100 > /dev/null
ctl fault 4 busy=100 > /dev/null
ctl fault 5 impostor > /dev/null
ctl fault 6 refuse-after=2 > /dev/null
ctl fault 7 slow=100 slow-ms=1500 > /dev/null
ctl fault 8 malformed=100 > /dev/null
ctl fault 9 truncate=100 > /dev/null
assert_match "$(ctl faults 5)" "impostor=1 .*\(own\)" "faults BMC shows a BMC's own setting"
assert_match "$(ctl faults 11)" "drop=0 .*\(fleet\)" "an untouched BMC follows the fleet setting"

# itc BMC ARG...: ipmitool -C 17 against BMC; sets RC, OUT, ELAPSED
itc() {
    local bmc=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    RC=0
    OUT=$(timeout -k 5 120 ipmitool -I lanplus -H 127.0.0.1 -p "$((PORT + bmc))" -U admin -f "$RUNDIR/pw" \
        -C 17 "$@" 2>&1) || RC=$?
    t1=$(date +%s.%N)
    ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}
# fault_count KIND BMC
fault_count() { counter "fault_$1" "$2"; }

itc 0 -N 1 -R 8 mc info
assert_eq "$RC" 0 "drop 30%: ipmitool mc info succeeds through retries (${ELAPSED}s)"
assert_contains "$OUT" "Manufacturer ID           : 32473" "drop 30%: the answer is right"
assert_num ">" "$(fault_count drop 0)" 0 "drop 30%: drops counted ($(fault_count drop 0))"

itc 1 -N 1 -R 3 mc info
assert_eq "$RC" 0 "duplicate 100%: ipmitool mc info succeeds"
itc 1 -N 1 -R 3 sel list
assert_eq "$RC" 0 "duplicate 100%: ipmitool sel list succeeds"
assert_num ">=" "$(fault_count dup 1)" 10 "duplicate 100%: every response doubled ($(fault_count dup 1))"

itc 2 -N 1 -R 3 mc info
assert_eq "$RC" 0 "reorder 50%: ipmitool mc info succeeds"
assert_num ">" "$(fault_count reorder 2)" 0 "reorder 50%: held-back responses counted ($(fault_count reorder 2))"

itc 3 -N 2 -R 3 mc info
assert_eq "$RC" 0 "delay 300+-100 ms: ipmitool mc info succeeds"
assert_num ">=" "$ELAPSED" 1.2 "delay: it took at least 6 x 200 ms (${ELAPSED}s)"
assert_num ">=" "$(fault_count delay 3)" 6 "delay: delayed responses counted ($(fault_count delay 3))"

itc 4 -N 1 -R 2 mc info
assert_ne "$RC" 0 "busy 100%: ipmitool mc info fails"
assert_match "$OUT" "[Nn]ode [Bb]usy" "busy: ipmitool reports Node busy (C0h)"
assert_num ">" "$(fault_count busy 4)" 0 "busy: counted"

itc 5 -v -N 1 -R 2 mc info
assert_ne "$RC" 0 "impostor: ipmitool refuses the BMC"
assert_contains "$OUT" "RAKP 2 HMAC is invalid" "impostor: the RAKP 2 key exchange code does not verify"
assert_eq "$(fault_count impostor 5)" 1 "impostor: one forged RAKP 2 counted"

itc 6 -N 1 -R 2 mc info
r1=$RC
itc 6 -N 1 -R 2 mc info
r2=$RC
itc 6 -v -N 1 -R 2 mc info
assert_eq "$r1 $r2" "0 0" "refuse-after 2: the first two logins work"
assert_ne "$RC" 0 "refuse-after 2: the third login is refused"
assert_contains "$OUT" "unauthorized name" "refuse-after: RAKP 2 status 0Dh (unauthorized name)"
assert_eq "$(fault_count refuse 6)" 1 "refuse-after: one refusal counted"

itc 7 -N 1 -R 1 mc info
assert_ne "$RC" 0 "slow 1.5 s: ipmitool -N 1 gives up (${ELAPSED}s)"
itc 7 -N 2 -R 1 mc info
assert_eq "$RC" 0 "slow 1.5 s: ipmitool -N 2 waits long enough (${ELAPSED}s)"
assert_num ">" "$(fault_count slow 7)" 0 "slow: counted ($(fault_count slow 7))"

itc 8 -N 1 -R 1 mc info
assert_ne "$RC" 0 "malformed 100%: ipmitool mc info fails"
assert_contains "$OUT" "invalid authcode" "malformed: ipmitool rejects the integrity check"
assert_num ">" "$(fault_count malformed 8)" 0 "malformed: counted"

RC=0
OUT=$(timeout -k 5 60 bmc-info -D LAN_2_0 -h "127.0.0.1:$((PORT + 9))" --config-file="$RUNDIR/freeipmi.conf" \
    -I 17 2>&1) || RC=$?
assert_ne "$RC" 0 "truncate 100%: bmc-info rejects the short Get Device ID answer"
assert_num ">" "$(fault_count truncate 9)" 0 "truncate: counted"
itc 9 -N 1 -R 1 mc info
note "ipmitool mc info on the truncating BMC: $(grep 'Manufacturer ID' <<< "$OUT" || true)"

# ---- reboot ---------------------------------------------------------------------------
itc 10 -N 1 -R 1 mc info
assert_eq "$RC" 0 "before the reboot: BMC 10 answers"
assert_match "$(ctl reboot 10 2)" "rebooted=1" "reboot 10 2"
itc 10 -N 1 -R 1 mc info
assert_ne "$RC" 0 "while rebooting: BMC 10 is silent"
sleep 2.2
itc 10 -N 1 -R 2 mc info
assert_eq "$RC" 0 "after the reboot: BMC 10 answers again"

# ---- counters: each kind on exactly its BMC ---------------------------------------------
itc 11 -N 1 -R 1 mc info
assert_eq "$RC" 0 "the unfaulted BMC 11 answers"
ctl counters > "$RUNDIR/counters.txt"
expect=(drop:0 dup:1 reorder:2 delay:3 busy:4 impostor:5 refuse:6 slow:7 malformed:8 truncate:9)
for e in "${expect[@]}"; do
    kind=${e%%:*} bmc=${e#*:}
    total=$(awk -F= -v k="fault_$kind" '$1 == k { print $2 }' "$RUNDIR/counters.txt")
    assert_eq "$total" "$(fault_count "$kind" "$bmc")" "fleet fault_$kind ($total) all injected on BMC $bmc"
done
for k in drop dup reorder delay slow busy truncate malformed impostor refuse; do
    [[ $(fault_count "$k" 11) == 0 ]] || fail "BMC 11 has fault_$k=$(fault_count "$k" 11)"
done
pass "no fault counted on BMC 11"
assert_num ">=" "$(counter logins_failed 6)" 1 "the refused login is also a failed login"

# ---- fleet-wide -----------------------------------------------------------------------
assert_match "$(ctl fault all busy=100)" "busy=100" "fault all busy=100"
itc 11 -N 1 -R 1 mc info
assert_ne "$RC" 0 "fleet-wide busy reaches BMC 11"
assert_match "$(ctl faults 5)" "impostor=0 .*\(fleet\)" "fault all replaces per-BMC settings"
ctl fault all clear > /dev/null
itc 11 -N 1 -R 1 mc info
assert_eq "$RC" 0 "fault all clear: BMC 11 answers again"
stop_bmcsim
assert_eq "$SIM_EXIT" 0 "clean exit"

# ---- reproducible under --seed -------------------------------------------------------
drops=()
for run in 1 2; do
    start_bmcsim "seed$run" --count 1 --base-port "$PORT" --seed 42 --drop 30 --tick-ms 0 ||
        bail_out "bmcsim --drop did not start"
    itc 0 -N 1 -R 8 mc info
    drops+=("$RC/$(fault_count drop 0)/$(counter rx 0)")
    stop_bmcsim
done
note "run 1: ${drops[0]}, run 2: ${drops[1]} (exit/drops/datagrams)"
assert_eq "${drops[1]}" "${drops[0]}" "--seed 42 --drop 30: the same drops in two runs"

finish
