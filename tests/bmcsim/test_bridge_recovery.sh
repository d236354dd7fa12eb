#!/usr/bin/env bash
# test_bridge_recovery.sh - the bridge's session engine against the
# simulator's faults: it re-establishes sessions transparently after a BMC
# reboot, after the BMC timed an idle session out, and keeps reading through
# lost packets and busy answers; an impostor BMC is an authentication error.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
PORT=$(free_port 5 29600) || bail_out "no free port"
# BMC sessions time out after 2 s of silence here (real BMCs: about a minute)
start_bmcsim rec --count 5 --base-port "$PORT" --profile "$top_srcdir/tests/bmcsim/small.profile" \
    --session-timeout 2 --seed 5 || bail_out "bmcsim did not start"

conf() { # conf FILE EXTRA-GLOBAL-LINES BMC-INDEX...
    local f=$1 extra=$2 i
    shift 2
    {
        echo "timeout = 0.3"
        # 6 attempts: a request is lost for good with probability 0.2^6 at 20% loss
        echo "retries = 5"
        echo "sdr-cache-dir = \"$RUNDIR/sdr\""
        printf '%s\n' "$extra"
        for i in "$@"; do
            printf 'bmc "sim%d" { address = "127.0.0.1"  port = %d  username = "admin"  password-file = "%s"  cipher-suites = {17} }\n' \
                "$i" $((PORT + i)) "$RUNDIR/pw"
        done
    } > "$f"
}

# two polls in one process; between them, run the command given
two_polls() { # two_polls TAG CONF CMD...
    local tag=$1 cfg=$2 pid
    shift 2
    coproc BR { timeout 120 "$BRIDGE" -c "$cfg" --once --json --polls 2 --step -v 2> "$RUNDIR/$tag.err"; }
    pid=$BR_PID
    exec {bin}<&"${BR[0]}" {bout}>&"${BR[1]}"
    IFS= read -r P1 <&"$bin" || P1=""
    "$@"
    echo >&"$bout"
    IFS= read -r P2 <&"$bin" || P2=""
    exec {bin}<&- {bout}>&-
    wait "$pid" 2> /dev/null || true
    printf '%s\n' "$P1" > "$RUNDIR/$tag.p1"
    printf '%s\n' "$P2" > "$RUNDIR/$tag.p2"
}
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["bmcs"][int(sys.argv[2])]; print(eval(sys.argv[3], {}, {"d": d}))' "$@"; }
nsens() { field "$1" "$2" 'sum(1 for s in d["sensors"] or [] if s["reading"] is not None or s["states"])'; }

# ---- BMC reboot between polls: the session is gone on the BMC's side -----------------
conf "$RUNDIR/reboot.conf" "" 0
opened0=$(counter sessions_opened 0)
two_polls reboot "$RUNDIR/reboot.conf" ctl reboot 0
assert_eq "$(field "$RUNDIR/reboot.p1" 0 'd["state"]')" ok "reboot: first poll ok"
assert_eq "$(field "$RUNDIR/reboot.p2" 0 'd["state"]')" ok "reboot: second poll ok after the BMC dropped the session"
assert_num ">" "$(nsens "$RUNDIR/reboot.p2" 0)" 5 "reboot: second poll read the sensors"
assert_eq $(($(counter sessions_opened 0) - opened0)) 2 "reboot: the bridge opened a second session (simulator counters)"
assert_contains "$(cat "$RUNDIR/reboot.err")" "re-establishing" "reboot: the log says the session was re-established"

# ---- the BMC timed the idle session out: re-opened before use (idle-reopen) ------------
conf "$RUNDIR/idle.conf" "idle-reopen = 1" 1
opened0=$(counter sessions_opened 1)
two_polls idle "$RUNDIR/idle.conf" sleep 3
assert_eq "$(field "$RUNDIR/idle.p2" 0 'd["state"]')" ok "idle: second poll ok after the BMC timed the session out"
assert_eq $(($(counter sessions_opened 1) - opened0)) 2 "idle: a fresh session for the second poll"
assert_not_contains "$(cat "$RUNDIR/idle.err")" "re-establishing" \
    "idle: re-opened before use, not after a request timed out"

# ---- lost packets and busy answers: retransmits and busy retries ------------------------
ctl fault 2 drop=20 busy=20 > /dev/null
conf "$RUNDIR/lossy.conf" "" 2
run_bridge lossy -c "$RUNDIR/lossy.conf" --once --json
assert_eq "$(field "$RUNDIR/lossy.out" 0 'd["state"]')" ok "20% loss + 20% busy: the poll still succeeds"
assert_eq "$(field "$RUNDIR/lossy.out" 0 'sum(1 for s in d["sensors"] if s["status"] == "unavailable")')" 0 \
    "20% loss + 20% busy: no sensor left unavailable"
assert_num ">" "$(counter fault_drop 2)" 0 "the simulator did drop packets"
assert_num ">" "$(counter fault_busy 2)" 0 "the simulator did answer busy"
ctl fault 2 clear > /dev/null

# ---- corrupted answers: refused by the integrity check, counted, retransmitted -----
ctl fault 4 malformed=25 > /dev/null
conf "$RUNDIR/malformed.conf" "" 4
run_bridge malformed -c "$RUNDIR/malformed.conf" --once --json
assert_eq "$(field "$RUNDIR/malformed.out" 0 'd["state"]')" ok "25% corrupted answers: the poll still succeeds"
bad=$(field "$RUNDIR/malformed.out" 0 'd["counters"]["bad_packets"]')
assert_num ">" "$bad" 0 "corrupted answers are counted as bad packets ($bad)"
assert_num ">" "$(field "$RUNDIR/malformed.out" 0 'sum(d["counters"]["bad_packet_reasons"].values())')" 0 \
    "bad packets carry their decoder's reason codes"
assert_eq "$(field "$RUNDIR/malformed.out" 0 'sum(d["counters"]["bad_packet_reasons"].values())')" "$bad" \
    "every bad packet has a reason"
assert_num ">=" "$(field "$RUNDIR/malformed.out" 0 'd["counters"]["retransmits"]')" 1 \
    "corrupted answers were replaced by retransmits"

# ---- an impostor BMC: the RAKP 2 check fails, never ignored ----------------------------
ctl fault 3 impostor=1 > /dev/null
conf "$RUNDIR/impostor.conf" "" 3
run_bridge impostor -c "$RUNDIR/impostor.conf" --once --json
assert_eq "$(field "$RUNDIR/impostor.out" 0 'd["state"]')" auth_failed "impostor: auth_failed"
assert_contains "$(field "$RUNDIR/impostor.out" 0 'd["error"]')" "RAKP 2" "impostor: the error names the RAKP 2 check"
assert_eq "$(field "$RUNDIR/impostor.out" 0 'd["sensors"]')" None "impostor: nothing read from it"
stop_bmcsim
finish
