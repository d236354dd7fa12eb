#!/usr/bin/env bash
# test_daemon_faults.sh - the daemon under bmcsim's fault modes (issue 8):
#
#  1. loss: 30 % loss plus reordering plus duplication on 200 BMCs; every
#     BMC still completes a full sensor sweep (every sensor answered) within
#     3 sensor intervals, and none is ever marked unreachable;
#  2. reboots: 10 % of the BMCs reboot (bmcsim drops their sessions and
#     stays silent), twice: 3 s, then 20 s, longer than a request's whole
#     retry budget, so the BMCs go unreachable and come back through the
#     scheduler's reboot grace (Presence Pings every half sensor interval,
#     src/poll/scheduler.c, not the exponential backoff of a BMC never
#     reached); measured from the moment they answer
#     again (a Presence Ping watcher), every rebooted BMC has a new session
#     within one sensor interval (the engine's session liveness probe:
#     src/poll/bmc.c), the dead sessions are counted (sessions_lost), then
#     a full sweep; no SEL entry is kept twice (events injected before and
#     after the reboot; the status file's sel_entries equals the
#     simulator's SEL, sel_duplicates is 0) and no notification is sent
#     twice: through a private snmpd (AgentX master, trap2sink) to a private
#     snmptrapd, each injected event's ipmiPlatformEvent arrives exactly
#     once across the reboot;
#  3. hostile answers: busy, malformed, oversized and an impostor BMC (bad
#     RAKP 2), each counted by reason in the status file's counters; the
#     impostor never gets a session; the daemon polls the others throughout.
#
#   make check TESTS=tests/bmcsim/test_daemon_faults.sh
#   FAULTS_REBOOT_GRACE=0 make check TESTS=... runs it without the reboot
#   grace (reboot-grace = 0, the plain exponential backoff): the 20 s reboot
#   then fails the one-interval assertion
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$BMCSIM_DIR/daemonlib.sh"

N=200
IV=10 # sensor-interval, seconds: long against a sweep under 30 % loss (about 7 s), so "3 intervals" measures the daemon, not the tail of one unlucky BMC
# part 2 reboots BMCs R0..R1; they poll sensors every IVR seconds, shorter
# than a dead session's old cost: a request's whole retransmit schedule
# (0.25 s x (1+2+4+4+4+4+4) = 5.75 s) plus the wait for the next request
R0=100
R1=$((R0 + N / 10 - 1))
IVR=6
require_bmcsim
require_bridge
require_cmds python3 awk snmpd snmptrapd snmpget ss
# shellcheck source=tests/lib/snmpd.sh
. "$top_srcdir/tests/lib/snmpd.sh"
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
PORT=$(free_port "$N" 27400) || bail_out "no free port range"
start_bmcsim sim --count "$N" --base-port "$PORT" --seed 11 --tick-ms 0 \
    --profile "$BMCSIM_DIR/small.profile" \
    --fault drop=30 --fault dup=10 --fault reorder=20 --fault reorder-ms=100 ||
    bail_out "bmcsim did not start"
note "$SIM_READY"

# notifications: snmpd (AgentX master) -> trap2sink -> snmptrapd, one line each
ROOT=.1.3.6.1.4.1.8072.9999.9999.623
# snmptrapd first, on a port another run may take between free_port and the
# bind (make -j2 check runs tests side by side): retried on another port
mkdir -p "$RUNDIR/trapd" "$RUNDIR/snmpd/persist"
export SNMP_PERSISTENT_DIR="$RUNDIR/snmpd/persist" # never the system's
TRAPPORT=
for try in 1 2 3 4 5; do
    p=$(free_port 1 $((30000 + (RANDOM % 1500)))) || bail_out "no free port"
    if snmptrapd_start "$RUNDIR/trapd" "$p"; then
        TRAPPORT=$p
        break
    fi
    note "snmptrapd could not have udp port $p (try $try)"
    kill "$SNMPTRAPD_PID" 2> /dev/null
    wait "$SNMPTRAPD_PID" 2> /dev/null
done
[[ -n $TRAPPORT ]] || bail_out "snmptrapd did not start (see $RUNDIR/trapd)"
SNMP_PORT=$(free_port 1 24720) || bail_out "no free port"
SNMPD_EXTRA_CONF="trap2sink udp:127.0.0.1:$TRAPPORT public"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"

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
reboot-grace = ${FAULTS_REBOOT_GRACE:-600}
agentx-socket = "$AGENTX_SOCK"
notify-sensor-status = false
notify-rate-per-bmc = 0
notify-rate-global = 0
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc-group "fleet" { addresses = "127.0.0.1:[$PORT-$((PORT + R0 - 1))]"  name-format = "f%d" }
bmc-group "rebooting" { addresses = "127.0.0.1:[$((PORT + R0))-$((PORT + R1))]"  name-format = "f%d"  sensor-interval = $IVR }
bmc-group "fleet2" { addresses = "127.0.0.1:[$((PORT + R1 + 1))-$((PORT + N - 1))]"  name-format = "f%d" }
EOF
name() { echo "f$((PORT + $1))"; }

daemon_start run "$CFG" --allow-root

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
NR=$((R1 - R0 + 1))
# pevents BMC-NAME RECORD-ID: ipmiPlatformEvent notifications (ROOT.0.1) naming
# the BMC (ipmiBmcName) with that ipmiEventSelRecordId
pevents() {
    grep -E "4\.1\.0 = OID: $ROOT\.0\.1([^.0-9]|$)" "$TRAP_LOG" 2> /dev/null | grep -F "STRING: \"$1\"" |
        grep -cE "$ROOT\.1\.20\.2\.0 = Gauge32: $2([^0-9]|$)" || true
}
# all_notified ARRAY-NAME: every rebooted BMC's event (record ID in the array) notified
all_notified() {
    local -n recs=$1
    local i
    for ((i = R0; i <= R1; i++)); do
        (($(pevents "$(name $i)" "${recs[$i]}") >= 1)) || return 1
    done
}
# exactly_once ARRAY-NAME: how many rebooted BMCs have that event notified exactly once
exactly_once() {
    local -n recs=$1
    local i n=0
    for ((i = R0; i <= R1; i++)); do
        (($(pevents "$(name $i)" "${recs[$i]}") == 1)) && n=$((n + 1))
    done
    echo "$n"
}
rnames=$(for ((i = R0; i <= R1; i++)); do printf "'%s'," "$(name $i)"; done)
for SILENT in 3 20; do # seconds bmcsim stays silent after the reboot
    unset rec_before rec_after opened0 t_back
    declare -A rec_before rec_after opened0 t_back
    # shellcheck disable=SC2034 # read through the namerefs of all_notified and exactly_once
    for ((i = R0; i <= R1; i++)); do # before the reboot
        rec_before[$i]=$(ctl inject-event "$i" 0x01 0x01 0x01 0x57 | awk -F= '$1 == "record" { print $2 }')
    done
    wait_for 30 all_notified rec_before || note "not every event before the reboot was notified"
    assert_eq "$(exactly_once rec_before)" "$NR" "before the reboot: each of the $NR injected events notified exactly once"
    for ((i = R0; i <= R1; i++)); do opened0[$i]=$(counter sessions_opened "$i"); done
    status_now "$ST" || true
    snap "$RUNDIR/s3.json"
    marks0=$(sq "$ST" "sum(b['unreachable_marks'] for b in bmcs if b['name'] in [$rnames])")
    lost0=$(sq "$ST" "sum(b['counters']['sessions_lost'] for b in bmcs if b['name'] in [$rnames])")
    ctl reboot "$R0-$R1" "$SILENT" > /dev/null
    note "reboot of BMCs $R0-$R1, silent for $SILENT s"
    tr0=$(date +%s.%N)
    # the moment the rebooted BMCs answer again: a Presence Ping watcher on one of
    # them (bmcsim's silence covers every packet, pings included)
    python3 - "$((PORT + R0))" $((SILENT + 10)) > "$RUNDIR/up.t" << 'PY' &
import socket, sys, time
port, deadline = int(sys.argv[1]), time.time() + float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.02)
tag = 0
while time.time() < deadline:
    tag = tag % 254 + 1
    s.sendto(bytes([6, 0, 0xff, 6, 0, 0, 0x11, 0xbe, 0x80, tag, 0, 0]), ("127.0.0.1", port))
    try:
        d, _ = s.recvfrom(512)
        if len(d) >= 12 and d[8] == 0x40 and d[9] == tag:
            print("%.3f" % time.time())
            sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
PY
    UPW=$!
    track_pid "$UPW" up-watcher
    # shellcheck disable=SC2034 # read through the namerefs of all_notified and exactly_once
    for ((i = R0; i <= R1; i++)); do # after it
        rec_after[$i]=$(ctl inject-event "$i" 0x01 0x01 0x01 0x59 | awk -F= '$1 == "record" { print $2 }')
    done
    # when each rebooted BMC got its new session (bmcsim's sessions_opened)
    nleft=$NR
    t_end=$(awk -v a="$tr0" -v s="$SILENT" -v iv="$IVR" 'BEGIN { printf "%.3f", a + s + 3 * iv }')
    while ((nleft > 0)) && awk -v n="$(date +%s.%N)" -v e="$t_end" 'BEGIN { exit !(n < e) }'; do
        for ((i = R0; i <= R1; i++)); do
            [[ -n ${t_back[$i]:-} ]] && continue
            if (($(counter sessions_opened "$i") > opened0[$i])); then
                t_back[$i]=$(date +%s.%N)
                nleft=$((nleft - 1))
            fi
        done
        sleep 0.1
    done
    wait "$UPW" 2> /dev/null || true
    tup=$(cat "$RUNDIR/up.t" 2> /dev/null || true)
    [[ $tup =~ ^[0-9.]+$ ]] || {
        fail "the Presence Ping watcher saw the rebooted BMC answer again" "$(cat "$RUNDIR/up.t" 2> /dev/null)"
        tup=$(awk -v a="$tr0" -v s="$SILENT" 'BEGIN { printf "%.3f", a + s }')
    }
    nin=0
    worst=0
    for ((i = R0; i <= R1; i++)); do
        [[ -n ${t_back[$i]:-} ]] || continue
        d=$(awk -v a="$tup" -v b="${t_back[$i]}" 'BEGIN { printf "%.1f", b - a }')
        awk -v d="$d" -v iv="$IVR" 'BEGIN { exit !(d <= iv) }' && nin=$((nin + 1))
        awk -v d="$d" -v w="$worst" 'BEGIN { exit !(d > w) }' && worst=$d
    done
    note "figure: silent for $(awk -v a="$tr0" -v b="$tup" 'BEGIN { printf "%.1f", b - a }') s; from answering again to a new session: at most $worst s over the $NR rebooted BMCs ($((NR - nleft)) back; their sensor interval $IVR s)"
    assert_eq "$nin" "$NR" "every rebooted BMC has a new session within one sensor interval ($IVR s) of answering again"
    status_now "$ST" || true
    lost=$(($(sq "$ST" "sum(b['counters']['sessions_lost'] for b in bmcs if b['name'] in [$rnames])") - lost0))
    note "figure: sessions_lost: +$lost on the rebooted BMCs; fleet: $(sq "$ST" 'f["counters"]["sessions_lost"]') lost, $(sq "$ST" 'f["counters"]["probes"]') probes, $(sq "$ST" 'f["counters"]["probe_answers"]') answered"
    marks=$(($(sq "$ST" "sum(b['unreachable_marks'] for b in bmcs if b['name'] in [$rnames])") - marks0))
    if ((SILENT > 6)); then
        # longer than a request's retry budget (5.75 s): the probe is not
        # answered either, so the BMCs go unreachable and come back through
        # the scheduler's reboot grace
        assert_num ">" "$marks" 0 "silent longer than the retry budget: the rebooted BMCs were marked unreachable ($marks times)"
    else
        note "figure: unreachable marks during the short reboot: $marks"
        assert_num ">" "$lost" 0 "the dead sessions were found by the liveness probe (sessions_lost +$lost)"
        nlog=0
        for ((i = R0; i <= R1; i++)); do
            grep -qF "BMC $(name $i) (127.0.0.1:$((PORT + i))): session lost" "$RUNDIR/run.err" && nlog=$((nlog + 1))
        done
        assert_num ">" "$nlog" 0 "a lost session is logged naming the BMC ($nlog of the $NR; the log is rate-limited per BMC)"
    fi
    wait_for 20 all_notified rec_after || note "not every event after the reboot was notified"
    sleep 5 # one more SEL read after the reboot: nothing may be notified again
    status_now "$ST" || true
    snap "$RUNDIR/s4.json"
    # shellcheck disable=SC2046
    swept_after=$(grown "$RUNDIR/s3.json" "$RUNDIR/s4.json" full_sweeps $(for ((i = R0; i <= R1; i++)); do name $i; done))
    assert_eq "$swept_after" "$NR" "every rebooted BMC completed a full sweep after the reboot"
    assert_eq "$(sq "$ST" 'sum(b["sel_duplicates"] for b in bmcs)')" 0 "no SEL entry is kept twice anywhere (sel_duplicates)"
    sel_ok=0
    for ((i = R0; i <= R1; i++)); do
        sim_n=$(ctl dump-sel "$i" | grep -c '^sel|') || true
        got=$(sq "$ST" "[b['sel_entries'] for b in bmcs if b['name'] == '$(name $i)'][0]")
        [[ $got == "$sim_n" ]] && sel_ok=$((sel_ok + 1)) || note "$(name $i): bridge keeps $got SEL entries, the BMC has $sim_n"
    done
    assert_eq "$sel_ok" "$NR" "rebooted BMCs: the bridge keeps exactly the BMC's SEL entries (both injected events once)"
    assert_eq "$(exactly_once rec_before)" "$NR" "no duplicate notification: each event from before the reboot still notified exactly once"
    assert_eq "$(exactly_once rec_after)" "$NR" "each event injected at the reboot notified exactly once"
    assert_eq "$(sq "$ST" 'f["states"]["unreachable"] + f["states"]["error"]')" 0 "no BMC unreachable or in error after the reboots"
done

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
