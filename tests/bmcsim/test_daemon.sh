#!/usr/bin/env bash
# test_daemon.sh - the daemon mode against bmcsim (issue 9): states, the
# status file, SIGHUP reloads (added, removed, changed, unchanged BMCs,
# a refused file), stable indices (restart, a BMC inserted mid-file),
# authentication retry limits, unreachable backoff, and a SIGTERM that
# closes every session.  Counts come from the simulator's own counters.
#
#   make check TESTS=tests/bmcsim/test_daemon.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3 awk
bmcsim_setup

PORT=$(free_port 8 26100) || bail_out "no free ports"
CLOSED=$((PORT + 7)) # nobody listens there
start_bmcsim sim --count 6 --base-port "$PORT" --seed 5 --tick-ms 0 || bail_out "bmcsim did not start"
note "$SIM_READY"
write_secret "$RUNDIR/wrong.pw" "not-the-password"

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
# write_cfg MIDDLE: the config; MIDDLE is text placed between the groups
write_cfg() {
    cat > "$CFG" << EOF
timeout = 0.3
retries = 1
session-timeout = 2
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 1
sensor-interval = 3
sel-interval = 5
auth-retry-interval = 30
unreachable-max-backoff = 20
socket-buffer = 67108864
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc-group "sim" { addresses = "127.0.0.1:[$PORT-$((PORT + ${NGROUP:-3}))]"  name-format = "sim%d" }
$1
bmc "badpw" { address = "127.0.0.1"  port = $((PORT + 5))  password-file = "$RUNDIR/wrong.pw" }
bmc "closed" { address = "127.0.0.1"  port = $CLOSED }
EOF
}

DPID=""
start_daemon() {
    "$BRIDGE" -c "$CFG" --no-agentx -v > "$RUNDIR/$1.out" 2> "$RUNDIR/$1.err" < /dev/null &
    DPID=$!
    track_pid "$DPID" ipmi-snmp-bridge
}

# bstat NAME FIELD: a field of one BMC in the status file ("missing" if none)
bstat() {
    python3 - "$STATUS" "$1" "$2" << 'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("missing"); sys.exit(0)
for b in d["bmcs"]:
    if b["name"] == sys.argv[2]:
        v = b
        for k in sys.argv[3].split("."):
            v = v.get(k) if isinstance(v, dict) else None
        print("null" if v is None else v)
        sys.exit(0)
print("missing")
PY
}

# fstat PATH: a top-level field (dotted)
fstat() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$STATUS" "$1" 2> /dev/null || echo missing
}

# indices: "name=index" lines, sorted
indices() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print("\n".join(sorted("%s=%s" % (b["name"], b["index"]) for b in d["bmcs"])))' "$STATUS"
}

# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
    local t=$1
    shift
    for ((i = 0; i < t * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

polling_count() { [[ $(fstat fleet.states.polling) == "$1" ]]; }
state_is() { [[ $(bstat "$1" state) == "$2" ]]; }
# per-BMC simulator counter: simctr BMC NAME
simctr() { counter "$2" "$1"; }

T0=$(date +%s)
write_cfg ""
start_daemon run1
wait_for 30 polling_count 4 || note "status:" "$(cat "$STATUS" 2> /dev/null)" "$(tail -20 "$RUNDIR/run1.err")"
assert_eq "$(fstat fleet.states.polling)" 4 "the four good BMCs reach polling"
wait_for 15 state_is closed unreachable || true
assert_eq "$(bstat closed state)" unreachable "a closed port reads unreachable"
assert_eq "$(bstat closed error_word)" unreachable "its error word is unreachable"
wait_for 15 state_is badpw auth_failed || true
assert_eq "$(bstat badpw state)" auth_failed "a wrong password reads auth_failed"
assert_contains "$(bstat badpw error)" "badpw" "the error text names the BMC"
assert_num ">" "$(bstat sim$PORT sensor_count)" 10 "sensors were read from sim$PORT ($(bstat sim$PORT sensor_count))"
assert_num ">" "$(bstat sim$PORT readings)" 10 "readings are there ($(bstat sim$PORT readings))"
assert_eq "$(bstat sim$PORT fru_read)" True "FRU was read"
rmem_max=$(cat /proc/sys/net/core/rmem_max 2> /dev/null || echo 0)
if ((rmem_max > 0 && rmem_max < 67108864)); then
    assert_contains "$(cat "$RUNDIR/run1.err")" "socket receive buffer is $rmem_max bytes, not the 67108864 asked for" \
        "socket-buffer above net.core.rmem_max ($rmem_max): the clamp is logged"
else
    assert_not_contains "$(cat "$RUNDIR/run1.err")" "socket receive buffer is" "socket-buffer granted: nothing logged"
fi
idx1=$(indices)
nidx=$(printf '%s\n' "$idx1" | cut -d= -f2 | sort -u | wc -l)
assert_eq "$nidx" 6 "six distinct indices"
assert_cmd "the index file exists in state-dir" test -s "$RUNDIR/state/bmc-index"

# sensors are polled again and again on the same session
c0=$(bstat sim$PORT chains)
wait_for 20 test "$(bstat sim$PORT chains)" -ge $((c0 + 3)) || true
assert_num ">=" "$(bstat sim$PORT chains)" $((c0 + 3)) "sim$PORT: three more chains ran"
assert_eq "$(simctr 0 sessions_opened)" 1 "sim$PORT: still the one session (bmcsim counts 1 login)"

# the unreachable BMC backs off: the backoff doubles up to the cap, the others go on
wait_for 45 test "$(bstat closed backoff_s)" = 20 || true
assert_eq "$(bstat closed backoff_s)" 20 "closed: backoff grew to unreachable-max-backoff (20 s)"
assert_num "<=" "$(bstat closed failures)" 4 "closed: at most 4 attempts so far (10, 20, 20 s apart) ($(bstat closed failures))"
assert_eq "$(fstat fleet.states.polling)" 4 "the other BMCs kept polling meanwhile"

# ---- SIGHUP: sim2 (PORT+2) changes, sim3 (PORT+3) goes, "added" (PORT+4) comes mid-file
before_open0=$(simctr 0 sessions_opened)
before_open2=$(simctr 2 sessions_opened)
# sim(PORT+2) changes: drop it from the group, give it a different cipher suite under its own name
NGROUP=1 write_cfg "bmc \"added\" { address = \"127.0.0.1\"  port = $((PORT + 4)) }
bmc \"sim$((PORT + 2))\" { address = \"127.0.0.1\"  port = $((PORT + 2))  cipher-suites = {3} }"
kill -HUP "$DPID"
wait_for 20 state_is added polling || true
assert_contains "$(cat "$RUNDIR/run1.err")" "1 added, 1 removed, 1 restarted" "reload: 1 added, 1 removed, 1 restarted"
assert_eq "$(bstat added state)" polling "the added BMC polls"
assert_eq "$(bstat sim$((PORT + 3)) state)" missing "the removed BMC is gone"
wait_for 10 test "$(simctr 3 sessions_closed)" -ge 1 || true
assert_eq "$(simctr 3 sessions_closed)" 1 "the removed BMC's session got a Close Session"
assert_eq "$(simctr 0 sessions_opened)" "$before_open0" "unchanged sim$PORT kept its session (no new login)"
wait_for 20 state_is sim$((PORT + 2)) polling || true
assert_eq "$(simctr 2 sessions_opened)" $((before_open2 + 1)) "changed sim$((PORT + 2)) logged in again"
assert_eq "$(simctr 2 sessions_closed)" 1 "changed sim$((PORT + 2)): its old session was closed"
idx2=$(indices)
for n in sim$PORT sim$((PORT + 1)) sim$((PORT + 2)) badpw closed; do
    assert_eq "$(printf '%s\n' "$idx2" | grep "^$n=")" "$(printf '%s\n' "$idx1" | grep "^$n=")" "reload: $n keeps its index"
done
added_idx=$(printf '%s\n' "$idx2" | grep '^added=' | cut -d= -f2)
assert_num ">" "$added_idx" 6 "the added BMC gets a new index ($added_idx), none reused"

# ---- a config with an error is refused as a whole
cp "$CFG" "$RUNDIR/good.conf"
printf 'bmc "broken" {\n    adress = "127.0.0.1"\n}\n' >> "$CFG"
bad_line=$(grep -n adress "$CFG" | cut -d: -f1)
kill -HUP "$DPID"
wait_for 10 test "$(fstat reload_errors)" = 1 || true
assert_eq "$(fstat reload_errors)" 1 "the broken file is counted as a refused reload"
assert_contains "$(cat "$RUNDIR/run1.err")" "$CFG:$bad_line:" "the error names FILE:LINE"
assert_eq "$(bstat broken state)" missing "nothing of the broken file was applied"
assert_eq "$(fstat fleet.bmcs)" 6 "the running configuration stays (6 BMCs)"
assert_cmd "the daemon is still running" kill -0 "$DPID"
cp "$RUNDIR/good.conf" "$CFG"

# ---- authentication failures are retried once per auth-retry-interval
elapsed=$(($(date +%s) - T0))
attempts=$(simctr 5 login_attempts)
# retries 30 s +-10% apart: at most 1 + elapsed/27 attempts
assert_num ">=" "$attempts" 1 "badpw: the wrong password was tried ($attempts in ${elapsed} s)"
assert_num "<=" "$attempts" $((1 + elapsed / 27)) "badpw: at most one login per auth-retry-interval ($attempts in ${elapsed} s)"

# ---- SIGTERM: every open session is closed, exit 0
active=$(counter sessions_active)
closed0=$(counter sessions_closed)
kill -TERM "$DPID"
rc=0
for ((i = 0; i < 100; i++)); do
    kill -0 "$DPID" 2> /dev/null || break
    sleep 0.1
done
if kill -0 "$DPID" 2> /dev/null; then
    fail "the daemon exits after SIGTERM" "still running after 10 s"
else
    pass "the daemon exits after SIGTERM"
fi
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "exit status 0"
assert_num ">=" "$active" 4 "sessions open before SIGTERM ($active)"
assert_eq "$(($(counter sessions_closed) - closed0))" "$active" "one Close Session per open session"
assert_eq "$(counter sessions_active)" 0 "no session left open at the simulator"

# ---- a restart keeps every index; the status file now only on SIGUSR1
rm -f "$STATUS"
sed -i 's/^status-interval = 1$/status-interval = 0/' "$CFG"
start_daemon run2
sleep 2
assert_cmd "status-interval = 0: no status file without SIGUSR1" test ! -e "$STATUS"
usr1_polling() {
    kill -USR1 "$DPID" 2> /dev/null
    sleep 0.3
    polling_count 4
}
wait_for 40 usr1_polling || true
assert_eq "$(fstat fleet.states.polling)" 4 "SIGUSR1 writes the status file: the four BMCs poll again"
assert_eq "$(indices)" "$idx2" "after a restart every BMC has the same index"
kill -TERM "$DPID"
wait "$DPID" || true

stop_bmcsim
finish
