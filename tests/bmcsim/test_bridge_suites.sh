#!/usr/bin/env bash
# test_bridge_suites.sh - cipher suite choice of the bridge's session engine
# against the simulator:
#
#   cipher-suites = {17, 3}, the BMC offers only 3, then (restarted between
#   two polls of one process) only 17: the second poll reaches it with 17,
#   trying the suites circularly from the remembered 3
#   cipher suite 1 needs allow-cipher-one (--check-config names the key);
#   with it the session comes up and one warning line names the BMC (-v)
#   an impostor BMC: its RAKP 2s are dropped and counted (rakp_rejected),
#   and the result is still auth_failed
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
PORT=$(free_port 2 29700) || bail_out "no free port"
PROFILE=$top_srcdir/tests/bmcsim/small.profile

conf() { # conf FILE PORT SUITES [EXTRA-BMC-KEYS]
    {
        echo "timeout = 0.3"
        echo "retries = 2"
        echo "sdr-cache-dir = \"$RUNDIR/sdr\""
        printf 'bmc "suites%d" { address = "127.0.0.1"  port = %d  username = "admin"  password-file = "%s"  cipher-suites = {%s} %s }\n' \
            "$2" "$2" "$RUNDIR/pw" "$3" "${4:-}"
    } > "$1"
}
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["bmcs"][int(sys.argv[2])]; print(eval(sys.argv[3], {}, {"d": d}))' "$@" 2> /dev/null || echo "<missing>"; }

# ---- {17, 3}: offered 3, then only 17 -------------------------------------------------
start_bmcsim only3 --count 1 --base-port "$PORT" --profile "$PROFILE" --ciphers 3 ||
    bail_out "bmcsim did not start"
restart_with_17() {
    stop_bmcsim
    start_bmcsim only17 --count 1 --base-port "$PORT" --profile "$PROFILE" --ciphers 17 ||
        bail_out "bmcsim did not restart"
}
conf "$RUNDIR/circ.conf" "$PORT" "17, 3"
coproc BR { timeout 120 "$BRIDGE" -c "$RUNDIR/circ.conf" --once --json --polls 2 --step -v 2> "$RUNDIR/circ.err"; }
# shellcheck disable=SC2153 # BR_PID is set by coproc BR
br_pid=$BR_PID
exec {bin}<&"${BR[0]}" {bout}>&"${BR[1]}"
IFS= read -r P1 <&"$bin" || P1=""
restart_with_17
echo >&"$bout"
IFS= read -r P2 <&"$bin" || P2=""
exec {bin}<&- {bout}>&-
wait "$br_pid" 2> /dev/null || true
printf '%s\n' "$P1" > "$RUNDIR/circ.p1"
printf '%s\n' "$P2" > "$RUNDIR/circ.p2"
assert_eq "$(field "$RUNDIR/circ.p1" 0 'd["state"]')" ok "{17, 3} vs a BMC offering 3: first poll ok"
assert_eq "$(field "$RUNDIR/circ.p1" 0 'd["cipher_suite"]')" 3 "first poll: suite 3 (17 refused)"
assert_eq "$(field "$RUNDIR/circ.p2" 0 'd["state"]')" ok "the BMC now offers only 17: second poll ok"
assert_eq "$(field "$RUNDIR/circ.p2" 0 'd["cipher_suite"]')" 17 \
    "second poll: suite 17, tried after the remembered 3 was refused"
[[ $(field "$RUNDIR/circ.p2" 0 'd["state"]') == ok ]] || note "bridge log:" "$(cat "$RUNDIR/circ.err")"
stop_bmcsim

# ---- cipher suite 1: only with allow-cipher-one ----------------------------------------
start_bmcsim only1 --count 1 --base-port "$PORT" --profile "$PROFILE" --ciphers 1 ||
    bail_out "bmcsim did not start"
conf "$RUNDIR/one.conf" "$PORT" "1"
run_bridge one-check -c "$RUNDIR/one.conf" --check-config
assert_ne "$BR_RC" 0 "suite 1 without allow-cipher-one: --check-config fails"
assert_contains "$BR_OUT$BR_ERR" "allow-cipher-one" "the message names allow-cipher-one"
assert_contains "$BR_OUT$BR_ERR" "one.conf:" "the message names the file"

conf "$RUNDIR/one-ok.conf" "$PORT" "1" "allow-cipher-one = true"
# -v: --once alone logs errors only (the warning is for the daemon's log)
run_bridge one-ok -c "$RUNDIR/one-ok.conf" --once --json -v
assert_eq "$(field "$RUNDIR/one-ok.out" 0 'd["state"]')" ok "suite 1 with allow-cipher-one: poll ok"
assert_eq "$(field "$RUNDIR/one-ok.out" 0 'd["cipher_suite"]')" 1 "suite 1 with allow-cipher-one: suite 1 used"
warn=$(grep -F "suites$PORT" <<< "$BR_ERR" | grep -F "warning" | grep -F "cipher suite 1" || true)
assert_one_line "$warn" "suite 1: one warning line naming the BMC"
assert_contains "$warn" "allow-cipher-one" "the warning says which key allowed it"
stop_bmcsim

# ---- an impostor: RAKP 2s dropped and counted, then auth_failed ------------------------
start_bmcsim imp --count 1 --base-port "$PORT" --profile "$PROFILE" --impostor ||
    bail_out "bmcsim did not start"
conf "$RUNDIR/imp.conf" "$PORT" "17"
run_bridge imp -c "$RUNDIR/imp.conf" --once --json
assert_eq "$(field "$RUNDIR/imp.out" 0 'd["state"]')" auth_failed "impostor: auth_failed"
assert_contains "$(field "$RUNDIR/imp.out" 0 'd["error"]')" "RAKP 2" "impostor: the error names the RAKP 2 check"
assert_num ">=" "$(field "$RUNDIR/imp.out" 0 'd["counters"]["rakp_rejected"]')" 1 \
    "impostor: its RAKP 2s are counted as rakp_rejected"
assert_eq "$(field "$RUNDIR/imp.out" 0 'd["counters"]["auth_failures"]')" 1 "impostor: one auth failure"
stop_bmcsim
finish
