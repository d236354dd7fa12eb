#!/usr/bin/env bash
# test_daemon_ping.sh - unreachable BMCs (issue 9): a port where nobody
# answers gets RMCP/ASF Presence Pings (checked byte by byte by a listener
# written here from DMTF ASF 2.0) in rounds with growing gaps, and reads
# "unreachable", while the other BMCs keep polling.  A simulated BMC that
# goes silent (reboot) is pinged, answers with a Presence Pong once it is
# back (bmcsim counts the pings), and returns to "polling" with a new
# session.  A name that does not resolve and a peer answering garbage stay
# in the fleet (error / unreachable, garbage counted); the daemon runs on.
#
#   make check TESTS=tests/bmcsim/test_daemon_ping.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup

PORT=$(free_port 5 26300) || bail_out "no free ports"
DEAD=$((PORT + 3))
GARBAGE=$((PORT + 4)) # answers every datagram with noise
start_bmcsim sim --count 3 --base-port "$PORT" --seed 9 --tick-ms 0 || bail_out "bmcsim did not start"
note "$SIM_READY"

# ---- the simulator's Pong, checked against the layout of DMTF ASF 2.0 3.2.4.3
pong=$(python3 - "$PORT" << 'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
ping = bytes([0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x80, 0x2A, 0x00, 0x00])
s.sendto(ping, ("127.0.0.1", int(sys.argv[1])))
d, _ = s.recvfrom(512)
ok = (len(d) == 28 and d[0:4] == bytes([6, 0, 0xFF, 6]) and d[4:8] == bytes([0, 0, 0x11, 0xBE])
      and d[8] == 0x40 and d[9] == 0x2A and d[11] == 16 and d[12:16] == bytes([0, 0, 0x11, 0xBE])
      and d[20] & 0x80)
print("ok" if ok else "bad " + d.hex())
PY
) || pong="no answer"
assert_eq "$pong" ok "bmcsim answers a Presence Ping with a well-formed Pong (IPMI supported)"
assert_eq "$(counter asf_pings 0)" 1 "bmcsim counted that ping"

# ---- a listener on the dead port: logs every datagram, answers nothing
python3 - "$DEAD" "$RUNDIR/dead.log" << 'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "w", buffering=1) as log:
    log.write("ready\n")
    while True:
        d, _ = s.recvfrom(2048)
        log.write("%.3f %s\n" % (time.monotonic(), d.hex()))
PY
LPID=$!
track_pid "$LPID" python3
python3 - "$GARBAGE" << 'PY' &
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(os.urandom(37), a)                            # not RMCP at all
    s.sendto(bytes([6, 0, 0xFF, 7]) + os.urandom(40), a)   # RMCP, garbage inside
    s.sendto(bytes([6, 0, 0xFF, 6]) + os.urandom(24), a)   # ASF, garbage inside
PY
GPID=$!
track_pid "$GPID" python3
for ((i = 0; i < 50; i++)); do grep -q ready "$RUNDIR/dead.log" 2> /dev/null && break; sleep 0.1; done

CFG=$RUNDIR/bridge.conf
STATUS=$RUNDIR/status.json
cat > "$CFG" << EOF
timeout = 0.3
retries = 1
session-timeout = 2
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 1
sensor-interval = 3
unreachable-max-backoff = 16
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "sim" { addresses = "127.0.0.1:[$PORT-$((PORT + 2))]"  name-format = "sim%d" }
bmc "dead" { address = "127.0.0.1"  port = $DEAD }
bmc "nodns" { address = "no-such-host.invalid" }
bmc "garbage" { address = "127.0.0.1"  port = $GARBAGE }
EOF
"$BRIDGE" -c "$CFG" --no-agentx --allow-root -v > "$RUNDIR/daemon.out" 2> "$RUNDIR/daemon.err" < /dev/null &
DPID=$!
track_pid "$DPID" ipmi-snmp-bridge

bstat() {
    python3 -c 'import json,sys
try:
    d=json.load(open(sys.argv[1]))
except Exception:
    print("missing"); sys.exit(0)
for b in d["bmcs"]:
    if b["name"] == sys.argv[2]:
        print(b[sys.argv[3]]); sys.exit(0)
print("missing")' "$STATUS" "$1" "$2"
}
wait_for() {
    local t=$1
    shift
    for ((i = 0; i < t * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
state_is() { [[ $(bstat "$1" state) == "$2" ]]; }

wait_for 20 state_is "sim$((PORT + 1))" polling || true
assert_eq "$(bstat "sim$((PORT + 1))" state)" polling "sim$((PORT + 1)) polls"
opened1=$(counter sessions_opened 1)

# sim PORT+1 goes silent for 12 s: its session dies, it is pinged until it answers
ctl reboot 1 12 > /dev/null
wait_for 20 state_is "sim$((PORT + 1))" unreachable || true
assert_eq "$(bstat "sim$((PORT + 1))" state)" unreachable "a silent BMC reads unreachable"
c0=$(bstat "sim$PORT" chains)
t0=$(date +%s.%N)
wait_for 40 state_is "sim$((PORT + 1))" polling || true
assert_eq "$(bstat "sim$((PORT + 1))" state)" polling "back after the reboot: polling again"
assert_num ">=" "$(counter asf_pings 1)" 1 "bmcsim answered Presence Pings from the bridge ($(counter asf_pings 1))"
assert_eq "$(counter sessions_opened 1)" $((opened1 + 1)) "one new login after the pong"
c1=$(bstat "sim$PORT" chains)
t1=$(date +%s.%N)
# one chain per sensor-interval (3 s) while its neighbour was away, less one
# for the edges of the window (which the reboot grace now keeps short)
due=$(awk -v a="$t0" -v b="$t1" 'BEGIN { n = int((b - a) / 3) - 1; print (n < 1 ? 1 : n) }')
assert_num ">=" "$((c1 - c0))" "$due" "meanwhile sim$PORT kept polling ($((c1 - c0)) chains in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"

# the dead port: enough time for rounds at about 4, 8 and 16 s
wait_for 40 test "$(grep -c ' 060000ff06' "$RUNDIR/dead.log")" -ge 6 || true
assert_eq "$(bstat dead state)" unreachable "the dead port reads unreachable"
assert_eq "$(bstat nodns scheduler_state)" error "a name that does not resolve: the BMC stays, scheduler state error"
assert_eq "$(bstat nodns state)" resolve "its snapshot (and MIB) state is resolve"
assert_eq "$(bstat nodns error_word)" resolve "its error word is resolve"
assert_contains "$(bstat nodns error)" "nodns" "its error text names the BMC"
assert_match "$(bstat garbage scheduler_state)" '^(unreachable|error)$' "a BMC answering garbage never polls ($(bstat garbage scheduler_state))"
assert_num ">" "$(bstat garbage bad_packets)" 3 "its garbage is refused and counted ($(bstat garbage bad_packets) bad packets)"
assert_cmd "the daemon is still running" kill -0 "$DPID"
assert_num ">=" "$(bstat nodns failures)" 2 "the lookup was retried ($(bstat nodns failures) attempts)"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM: exit 0"

analysis=$(python3 - "$RUNDIR/dead.log" << 'PY'
import sys
pings, bad, ipmi = [], 0, 0
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) != 2:
        continue
    t, d = float(parts[0]), bytes.fromhex(parts[1])
    if len(d) >= 4 and d[3] & 0x1F == 0x06:
        # DMTF ASF 2.0 3.2.4.1: RMCP 06 00 FF 06, IANA 4542, type 80h, tag, 00, length 0
        if len(d) == 12 and d[:8] == bytes([6, 0, 0xFF, 6, 0, 0, 0x11, 0xBE]) and d[8] == 0x80 \
                and d[10] == 0 and d[11] == 0 and d[9] != 0xFF:
            pings.append(t)
        else:
            bad += 1
    else:
        ipmi += 1
rounds = []
for t in pings:
    if not rounds or t - rounds[-1][-1] > 1.5:
        rounds.append([t])
    else:
        rounds[-1].append(t)
starts = [r[0] for r in rounds]
gaps = [round(b - a, 1) for a, b in zip(starts, starts[1:])]
print(len(pings), bad, ipmi, len(rounds), " ".join(map(str, gaps)) or "-")
PY
)
read -r npings nbad nipmi nrounds gaps <<< "$analysis"
note "figure: dead port: $npings pings in $nrounds rounds, gaps $gaps s; $nipmi IPMI datagrams"
assert_eq "$nbad" 0 "every ASF datagram was a well-formed Presence Ping"
assert_num ">=" "$nrounds" 3 "at least three ping rounds"
read -r g1 g2 _ <<< "$gaps"
grew=$(awk -v a="${g1:-0}" -v b="${g2:-0}" 'BEGIN { print (b > 1.4 * a && a > 0) ? 1 : 0 }')
assert_eq "$grew" 1 "the gap between rounds grows ($gaps)"
stop_bmcsim
finish
