#!/usr/bin/env bash
# test_bridge_inflight.sh - max-in-flight per BMC against the simulator:
#
#   two BMCs in one --once run, "one" inheriting the default (1) and "four"
#   with max-in-flight = 4 in its bmc section; every response is delayed
#   (--delay), and the datagrams the simulator holds (received, not yet
#   answered) are sampled: never more than 1 for "one", more than 1 and at
#   most 4 for "four" (counts, not time); both get every sensor, and
#   every reading equals the simulator's own (dump-sensors; within one raw
#   step, as the simulator's values drift)
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
PORT=$(free_port 2 29720) || bail_out "no free port"
PROFILE=$top_srcdir/tests/bmcsim/small.profile

start_bmcsim inflight --count 2 --base-port "$PORT" --profile "$PROFILE" --tick-ms 0 --delay 60 ||
    bail_out "bmcsim did not start"
cat > "$RUNDIR/inflight.conf" << EOF
timeout = 2
sdr-cache-dir = "$RUNDIR/sdr"
defaults { username = "admin"  password-file = "$RUNDIR/pw" }
bmc "one" { address = "127.0.0.1"  port = $PORT }
bmc "four" {
    address = "127.0.0.1"
    port = $((PORT + 1))
    max-in-flight = 4
}
EOF
run_bridge inflight-check -c "$RUNDIR/inflight.conf" --check-config
assert_eq "$BR_RC" 0 "max-in-flight in a bmc section: --check-config accepts it"

timeout 120 "$BRIDGE" -c "$RUNDIR/inflight.conf" --once --json > "$RUNDIR/inflight.json" \
    2> "$RUNDIR/inflight.err" &
br_pid=$!
track_pid "$br_pid" ipmi-snmp-bridge
# sample, for each BMC, the datagrams received but not yet answered (rx - tx):
# the responses the simulator holds back, i.e. the requests in flight
held() { ctl counters "$1" | awk -F= '$1 == "rx" { rx = $2 } $1 == "tx" { tx = $2 } END { print rx - tx }'; }
: > "$RUNDIR/samples"
for ((t = 0; t < 6000; t++)); do
    echo "$(held 0) $(held 1)" >> "$RUNDIR/samples"
    kill -0 "$br_pid" 2> /dev/null || break
    sleep 0.005
done
wait "$br_pid" 2> /dev/null || true
read -r max1 max4 < <(awk '$1 > a { a = $1 } $2 > b { b = $2 } END { print a + 0, b + 0 }' "$RUNDIR/samples")
note "most requests in flight seen: \"one\" $max1, \"four\" $max4 ($(wc -l < "$RUNDIR/samples") samples)"
assert_eq "$max1" 1 "\"one\" (default max-in-flight): at most 1 request in flight, and 1 seen"
assert_num ">" "$max4" 1 "\"four\" (max-in-flight = 4): more than 1 request in flight seen"
assert_num "<=" "$max4" 4 "\"four\": never more than 4 in flight"
assert_eq "$(counter content_get_sensor_reading 0)" "$(counter content_get_sensor_reading 1)" \
    "both BMCs read the same sensors"

field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["bmcs"][int(sys.argv[2])]; print(eval(sys.argv[3], {}, {"d": d}))' "$@" 2> /dev/null || echo "<missing>"; }
for i in 0 1; do
    name=$(field "$RUNDIR/inflight.json" "$i" 'd["name"]')
    assert_eq "$(field "$RUNDIR/inflight.json" "$i" 'd["state"]')" ok "$name: poll ok"
    assert_eq "$(field "$RUNDIR/inflight.json" "$i" 'd["counters"]["retransmits"]')" 0 "$name: no retransmits"
    sim=0 # the simulator's BMC at the port of this one
    [[ $name == four ]] && sim=1
    ctl dump-sensors "$sim" > "$RUNDIR/sim$i.txt"
    if python3 - "$RUNDIR/inflight.json" "$i" "$RUNDIR/sim$i.txt" > "$RUNDIR/cmp$i.txt" 2>&1 << 'PY'; then
import json, sys
b = json.load(open(sys.argv[1]))["bmcs"][int(sys.argv[2])]
got = {s["number"]: s for s in (b["sensors"] or [])}
n = bad = 0
for line in open(sys.argv[3]):
    f = line.rstrip("\n").split("|")
    if f[0] != "sensor" or (f[5] == "na" and f[4] != "0x01"):
        continue  # event-only records have no reading
    num, name, threshold, val, lsb = int(f[1], 16), f[2], f[4] == "0x01", f[6], f[7]
    s = got.get(num)
    n += 1
    if s is None or not s["name"].startswith(name):
        bad += 1
        print("# sensor %02xh (%s): bridge has %r" % (num, name, s and s["name"]))
        continue
    # threshold readings drift by a raw step now and then: allow one
    if threshold and val != "na" and (s["reading"] is None or abs(s["reading"] - float(val)) > float(lsb) * 1.01):
        bad += 1
        print("# %s reading %r, simulator %s" % (name, s["reading"], val))
print("# compared %d sensors, %d mismatched" % (n, bad))
sys.exit(0 if n and not bad else 1)
PY
        pass "$name: every reading equals the simulator's ($(tail -1 "$RUNDIR/cmp$i.txt"))"
    else
        fail "$name: readings differ from the simulator's" "$(cat "$RUNDIR/cmp$i.txt")"
    fi
done
stop_bmcsim
finish
