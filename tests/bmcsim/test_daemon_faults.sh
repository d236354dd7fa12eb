#!/usr/bin/env bash
# test_daemon_faults.sh - the daemon under bmcsim's fault modes (issue 8):
#
#  1. loss: 30 % loss plus reordering plus duplication on 200 BMCs; every
#     BMC still completes a full sensor sweep (every sensor answered) within
#     3 sensor intervals, and none is ever marked unreachable;
#  2. reboots: 10 % of the BMCs reboot; each has a new session and a full
#     sweep within one interval plus the retry budget, and no SEL entry is
#     kept twice (events injected before and after the reboot; the status
#     file's sel_entries equals the simulator's SEL, sel_duplicates is 0).
#     Notifications are another module's: only the SEL rows are checked here;
#  3. hostile answers: busy, malformed, oversized and an impostor BMC (bad
#     RAKP 2), each counted by reason in the status file's counters; the
#     impostor never gets a session; the daemon polls the others throughout.
#
#   make check TESTS=tests/bmcsim/test_daemon_faults.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$BMCSIM_DIR/daemonlib.sh"

N=200
IV=10 # sensor-interval, seconds: long against a sweep under 30 % loss (about 7 s), so "3 intervals" measures the daemon, not the tail of one unlucky BMC
require_bmcsim
require_bridge
require_cmds python3 awk
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
PORT=$(free_port "$N" 27400) || bail_out "no free port range"
start_bmcsim sim --count "$N" --base-port "$PORT" --seed 11 --tick-ms 0 \
    --profile "$BMCSIM_DIR/small.profile" \
    --fault drop=30 --fault dup=10 --fault reorder=20 --fault reorder-ms=100 ||
    bail_out "bmcsim did not start"
note "$SIM_READY"

CFG=$RUNDIR/bridge.conf
ST=$RUNDIR/status.json
cat > "$CFG" << EOF
timeout = 0.25
retries = 6
session-timeout = 20
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$ST"
status-interval = 1
sensor-interval = $IV
sel-interval = 4
auth-retry-interval = 5
unreachable-max-backoff = 20
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc-group "fleet" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "f%d" }
EOF
name() { echo "f$((PORT + $1))"; }

daemon_start run "$CFG" --allow-root --no-agentx

# ---- 1. loss, reordering, duplication ----------------------------------------
all_swept() { [[ $(sq "$ST" 'sum(1 for b in bmcs if b["full_sweeps"] >= 1)') == "$N" ]]; }
wait_for 90 all_swept || note "after 90 s: $(sq "$ST" 'f["states"]')"
assert_eq "$(sq "$ST" 'sum(1 for b in bmcs if b["full_sweeps"] >= 1)')" "$N" \
    "under 30% loss + reorder + dup every one of the $N BMCs completed a full sensor sweep"
status_now "$ST" || true
snap "$RUNDIR/s1.json"
t0=$(date +%s)
max_unreach=0
while (($(date +%s) - t0 < 3 * IV)); do
    u=$(sq "$ST" 'f["states"]["unreachable"]')
    [[ $u =~ ^[0-9]+$ ]] && ((u > max_unreach)) && max_unreach=$u
    sleep 1
done
status_now "$ST" || true
snap "$RUNDIR/s2.json"
swept=$(grown "$RUNDIR/s1.json" "$RUNDIR/s2.json" full_sweeps)
assert_eq "$swept" "$N" "within 3 intervals ($((3 * IV)) s) every BMC completed another full sweep ($swept of $N)"
assert_eq "$max_unreach" 0 "no BMC was unreachable at any sample during the window"
assert_eq "$(sq "$ST" 'sum(b["unreachable_marks"] for b in bmcs)')" 0 "no BMC was ever marked unreachable (unreachable_marks)"
retx=$(sq "$ST" 'f["counters"]["retransmits"]')
stray=$(sq "$ST" 'f["counters"]["stray_packets"]')
assert_num ">" "$retx" 0 "the loss was felt: $retx retransmits"
assert_num ">" "$(counter fault_drop)" 0 "bmcsim dropped $(counter fault_drop) datagrams"
assert_num ">" "$(counter fault_dup)" 0 "bmcsim duplicated $(counter fault_dup) replies"
assert_num ">" "$(counter fault_reorder)" 0 "bmcsim reordered $(counter fault_reorder) replies"
note "figure: loss phase: retransmits $retx, stray (late/duplicate) packets $stray, sweeps $(sq "$ST" 'sum(b["sweeps"] for b in bmcs)'), full $(sq "$ST" 'sum(b["full_sweeps"] for b in bmcs)')"

# ---- 2. reboots: 10 % of the fleet -----------------------------------------------
ctl fault all clear > /dev/null
R0=100
R1=$((R0 + N / 10 - 1))
for ((i = R0; i <= R1; i++)); do
    ctl inject-event "$i" 0x01 0x01 0x01 0x57 > /dev/null # before the reboot
done
sleep 5 # one sel-interval and a bit: the entries are read
declare -A opened0
for ((i = R0; i <= R1; i++)); do opened0[$i]=$(counter sessions_opened "$i"); done
status_now "$ST" || true
snap "$RUNDIR/s3.json"
ctl reboot "$R0-$R1" > /dev/null
tr0=$(date +%s.%N)
for ((i = R0; i <= R1; i++)); do
    ctl inject-event "$i" 0x01 0x01 0x01 0x59 > /dev/null # after it
done
# a dead session is noticed when a request has used its retries
budget=$(awk -v iv="$IV" 'BEGIN { print int(iv + 0.25 * (1 + 2 + 4 + 4 + 4 + 4 + 4) + 3) }')
back() {
    local i
    for ((i = R0; i <= R1; i++)); do
        (($(counter sessions_opened "$i") > opened0[$i])) || return 1
    done
}
wait_for "$budget" back || true
tr1=$(date +%s.%N)
nback=0
for ((i = R0; i <= R1; i++)); do
    (($(counter sessions_opened "$i") > opened0[$i])) && nback=$((nback + 1))
done
note "figure: the $((R1 - R0 + 1)) rebooted BMCs had new sessions after $(awk -v a="$tr0" -v b="$tr1" 'BEGIN { printf "%.1f", b - a }') s (interval $IV s)"
assert_eq "$nback" $((R1 - R0 + 1)) "every rebooted BMC has a new session within one interval plus the retry budget ($budget s)"
sleep 5 # the SEL task runs again
status_now "$ST" || true
snap "$RUNDIR/s4.json"
# shellcheck disable=SC2046
swept_after=$(grown "$RUNDIR/s3.json" "$RUNDIR/s4.json" full_sweeps $(for ((i = R0; i <= R1; i++)); do name $i; done))
assert_eq "$swept_after" $((R1 - R0 + 1)) "every rebooted BMC completed a full sweep after the reboot"
assert_eq "$(sq "$ST" 'sum(b["sel_duplicates"] for b in bmcs)')" 0 "no SEL entry is kept twice anywhere (sel_duplicates)"
sel_ok=0
for ((i = R0; i <= R1; i++)); do
    sim_n=$(ctl dump-sel "$i" | grep -c '^sel|') || true
    got=$(sq "$ST" "[b['sel_entries'] for b in bmcs if b['name'] == '$(name $i)'][0]")
    [[ $got == "$sim_n" ]] && sel_ok=$((sel_ok + 1)) || note "$(name $i): bridge keeps $got SEL entries, the BMC has $sim_n"
done
assert_eq "$sel_ok" $((R1 - R0 + 1)) "rebooted BMCs: the bridge keeps exactly the BMC's SEL entries (both injected events once)"
assert_eq "$(sq "$ST" 'f["states"]["unreachable"] + f["states"]["error"]')" 0 "no BMC unreachable or in error after the reboots"

# ---- 3. hostile answers ------------------------------------------------------------
HB=190 # busy
HM=191 # malformed (one bit flipped)
HO=192 # oversized datagrams
HI=193 # impostor: RAKP 2 with a wrong key exchange code
ctl fault $HB busy=30 > /dev/null
ctl fault $HM malformed=20 > /dev/null
ctl fault $HO oversize=20 > /dev/null
ctl fault $HI impostor=1 > /dev/null
imp_opened0=$(counter sessions_opened $HI)
ctl reboot $HI > /dev/null # its next login meets the impostor
sleep $((2 * IV + 4))
# the per-BMC counters are those of the last published snapshot (one per
# chain): stop the oversized answers, let one more chain run, then compare
ctl fault $HO clear > /dev/null
sleep $((IV + 2))
status_now "$ST" || true
bq() { sq "$ST" "[b for b in bmcs if b['name'] == '$(name "$1")'][0]$2"; }
assert_num ">" "$(bq $HB '["counters"]["busy_retries"]')" 0 "busy answers are counted per BMC: busy_retries $(bq $HB '["counters"]["busy_retries"]') (bmcsim: $(counter fault_busy $HB))"
assert_num ">" "$(bq $HM '["counters"]["bad_packets"]')" 0 "malformed answers are counted: bad_packets $(bq $HM '["counters"]["bad_packets"]'), by reason $(bq $HM '["counters"]["bad_packet_reasons"]') (bmcsim: $(counter fault_malformed $HM))"
assert_eq "$(bq $HO '["counters"]["bad_packet_reasons"].get("oversize", 0)')" "$(counter fault_oversize $HO)" \
    "each oversized datagram is counted under reason oversize ($(counter fault_oversize $HO))"
assert_num ">" "$(counter fault_oversize $HO)" 0 "oversized datagrams were sent"
assert_eq "$(bq $HI '["scheduler_state"]')" auth_failed "the impostor reads auth_failed (scheduler)"
assert_eq "$(bq $HI '["state"]')" auth_failed "and in its snapshot"
assert_num ">" "$(bq $HI '["counters"]["auth_failures"]')" 0 "its authentication failures are counted ($(bq $HI '["counters"]["auth_failures"]'))"
assert_num ">" "$(counter login_attempts $HI)" 0 "the bridge did try to log in to the impostor"
assert_eq "$(counter sessions_opened $HI)" "$imp_opened0" "the impostor never got a session (bmcsim sessions_opened unchanged)"
assert_ne "$(bq $HI '["session"]')" active "no session with the impostor in the status file"
assert_contains "$(cat "$RUNDIR/run.err")" "$(name $HI)" "the impostor's failure is logged with its name"
for h in $HB $HM $HO; do
    assert_match "$(bq "$h" '["scheduler_state"]')" '^(polling|degraded)$' "$(name "$h") is still polled ($(bq "$h" '["scheduler_state"]'))"
done
fleet_ok=$(sq "$ST" 'f["states"]["polling"] + f["states"]["degraded"]')
assert_eq "$fleet_ok" $((N - 1)) "every BMC but the impostor is up"
note "figure: fleet counters: $(sq "$ST" 'f["counters"]')"

assert_cmd "the daemon is still running" kill -0 "$DPID"
daemon_stop
assert_eq "$DSTOP_RC" 0 "SIGTERM: exit 0"
assert_not_contains "$(cat "$RUNDIR/run.err")" "AddressSanitizer" "no sanitizer report"
stop_bmcsim
finish
