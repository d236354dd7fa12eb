#!/usr/bin/env bash
# test_daemon_scale.sh - cold start of the daemon against 2,000 simulated
# BMCs (one port each, one bmc-group line) with a low max-logins: the
# simulator never sees more logins in progress at once than the cap (its
# own logins_pending_max counter), and every BMC reaches "polling".
#
#   make check TESTS=tests/bmcsim/test_daemon_scale.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

N=${DAEMON_SCALE_BMCS:-2000}
CAP=${DAEMON_SCALE_MAX_LOGINS:-8}
require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
PORT=$(free_port "$N" 24000) || bail_out "no free port range"
start_bmcsim fleet --count "$N" --base-port "$PORT" --seed 3 || bail_out "bmcsim did not start"
note "$SIM_READY"

CFG=$RUNDIR/fleet.conf
STATUS=$RUNDIR/status.json
cat > "$CFG" << EOF2
timeout = 1.0
retries = 3
max-logins = $CAP
max-sdr-reads = 16
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 2
sensor-interval = 60
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "fleet" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "f%d" }
EOF2

"$BRIDGE" -c "$CFG" --no-agentx --allow-root > "$RUNDIR/daemon.out" 2> "$RUNDIR/daemon.err" < /dev/null &
DPID=$!
track_pid "$DPID" ipmi-snmp-bridge

summary() {
    python3 -c 'import json,sys
try:
    d=json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0 0"); sys.exit(0)
f=d["fleet"]
print(f["states"]["polling"], f["max_logins_seen"], f["max_sdr_seen"], f["bmcs"])' "$STATUS"
}

polling=0
for ((t = 0; t < 600; t++)); do # at most 5 minutes
    read -r polling seen sdrseen total < <(summary)
    ((polling == N)) && break
    kill -0 "$DPID" 2> /dev/null || break
    sleep 0.5
done
note "figure: $polling of $N BMCs polling after about $((t / 2)) s; max logins seen by the daemon $seen, SDR reads $sdrseen"
assert_eq "$polling" "$N" "every one of the $N BMCs reaches polling"
pending_max=$(counter logins_pending_max)
opened=$(counter sessions_opened)
assert_num ">=" "$opened" "$N" "bmcsim counted at least $N logins ($opened)"
assert_num "<=" "$pending_max" "$CAP" "bmcsim never saw more than max-logins=$CAP logins in progress at once ($pending_max)"
assert_num ">=" "$pending_max" 2 "logins did overlap (peak $pending_max), so the cap was what held them"
assert_num "<=" "$seen" "$CAP" "the daemon's own count of logins in flight stayed within the cap ($seen)"
assert_num "<=" "$sdrseen" 16 "SDR reads in flight stayed within max-sdr-reads ($sdrseen)"
wmin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fleet"]["login_window_min"])' "$STATUS")
assert_eq "$wmin" "$CAP" "without loss the login window never shrank ($wmin)"

kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM: exit 0"
# the simulator may still be working through the Close Session datagrams
# (the daemon's workers send them in parallel); well within its 60 s idle
# timeout, so a session left open is still counted
for ((t = 0; t < 150; t++)); do
    [[ $(counter sessions_active) == 0 ]] && break
    sleep 0.1
done
assert_eq "$(counter sessions_active)" 0 "SIGTERM: every session closed at the simulator"

# ---- sharding: two processes, shard = 1/2 and 2/2, share the fleet exactly
declare -a SPIDS=()
for k in 1 2; do
    sed -e "s#^status-file = .*#status-file = \"$RUNDIR/status$k.json\"#" \
        -e "s#^state-dir = .*#state-dir = \"$RUNDIR/state$k\"#" "$CFG" > "$RUNDIR/shard$k.conf"
    # shard 1 from the config key, shard 2 from the command line
    shardarg=()
    if ((k == 1)); then
        echo "shard = \"1/2\"" >> "$RUNDIR/shard$k.conf"
    else
        shardarg=(--shard 2/2)
    fi
    "$BRIDGE" -c "$RUNDIR/shard$k.conf" --no-agentx --allow-root "${shardarg[@]}" > "$RUNDIR/shard$k.out" 2> "$RUNDIR/shard$k.err" < /dev/null &
    SPIDS+=($!)
    track_pid "$!" ipmi-snmp-bridge
done
shards() {
    python3 -c 'import json,sys
try:
    a=[b["name"] for b in json.load(open(sys.argv[1]))["bmcs"]]
    b=[b["name"] for b in json.load(open(sys.argv[2]))["bmcs"]]
except Exception:
    print("0 0 0 0"); sys.exit(0)
print(len(a), len(b), len(set(a) | set(b)), len(set(a) & set(b)))' "$RUNDIR/status1.json" "$RUNDIR/status2.json"
}
for ((t = 0; t < 100; t++)); do
    read -r n1 n2 union inter < <(shards)
    ((union == N)) && break
    sleep 0.2
done
note "figure: shard 1/2 owns $n1 BMCs, shard 2/2 owns $n2"
assert_eq "$union" "$N" "shards 1/2 and 2/2 together poll every BMC"
assert_eq "$inter" 0 "no BMC is polled by both shards"
assert_num ">" "$n1" $((N / 3)) "shard 1/2 owns a fair part ($n1)"
assert_num ">" "$n2" $((N / 3)) "shard 2/2 owns a fair part ($n2)"
for p in "${SPIDS[@]}"; do
    kill -TERM "$p"
    wait "$p" || true
done

# ---- heavy loss: most logins time out, so the login window shrinks
ctl fault all drop=85 > /dev/null
rm -f "$STATUS"
sed -e 's/^timeout = .*/timeout = 0.2/' -e 's/^retries = .*/retries = 1/' "$CFG" > "$RUNDIR/loss.conf"
echo "session-timeout = 1" >> "$RUNDIR/loss.conf"
"$BRIDGE" -c "$RUNDIR/loss.conf" --no-agentx --allow-root > "$RUNDIR/loss.out" 2> "$RUNDIR/loss.err" < /dev/null &
DPID=$!
track_pid "$DPID" ipmi-snmp-bridge
lossfig() {
    python3 -c 'import json,sys
try:
    f=json.load(open(sys.argv[1]))["fleet"]
    print(f["login_window_min"], f["login_timeouts"], f["max_logins_seen"])
except Exception:
    print(99999, 0, 0)' "$STATUS"
}
for ((t = 0; t < 150; t++)); do
    read -r lwmin lto lseen < <(lossfig)
    ((lwmin < CAP)) && break
    sleep 0.2
done
note "figure: with 85% loss: login window down to $lwmin after $lto login timeouts"
assert_num "<" "$lwmin" "$CAP" "with 85% loss the login window shrank below max-logins ($lwmin)"
assert_num ">" "$lto" 0 "login timeouts were counted ($lto)"
assert_num "<=" "$lseen" "$CAP" "logins in flight never exceeded max-logins ($lseen)"
assert_contains "$(cat "$RUNDIR/loss.err")" "login window" "the shrinking window is logged"
kill -TERM "$DPID"
wait "$DPID" || true
ctl fault all clear > /dev/null
stop_bmcsim
finish
