#!/usr/bin/env bash
# bench_sel.sh - reading a 1,000-entry SEL (not a test; `make bench`):
# requests and time on the first poll, and on a later poll after 1 new
# entry, as the bridge reports them (sel_stats) and as the simulator counts
# Get SEL Entry requests.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"

ENTRIES=${BENCH_SEL_ENTRIES:-1000}
require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
PORT=$(free_port 1 29500) || bail_out "no free port"
# the small profile, with a SEL big enough for the entries
sed -e 's/sel_capacity=32/sel_capacity=1024/' "$top_srcdir/tests/bmcsim/small.profile" > "$RUNDIR/sel.profile"
start_bmcsim sel --count 1 --base-port "$PORT" --profile "$RUNDIR/sel.profile" --tick-ms 0 ||
    bail_out "bmcsim did not start"

sel_count() { ctl dump-sel 0 | awk -F= '$1 == "count" { print $2 }'; }
have=$(sel_count)
# fill the SEL through one control connection: PSU failure assert/deassert pairs
python3 - "$SIM_CTL" $((ENTRIES - have)) << 'PY'
import socket, sys
path, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
f = s.makefile("rw")
for i in range(n):
    evdir = "0x6f" if i % 2 == 0 else "0xef"
    f.write(f"inject-event 0 0x08 0x40 {evdir} 0x01\n")
    f.flush()
    while True:
        line = f.readline()
        if not line or line.startswith("OK") or line.startswith("ERR"):
            break
    if not line.startswith("OK"):
        sys.exit(f"inject-event failed: {line!r}")
PY
note "SEL of the simulated BMC: $(sel_count) entries"

CFG=$RUNDIR/bridge.conf
{
    echo 'sel-entries = 2048'
    echo "sdr-cache-dir = \"$RUNDIR/sdr\""
    echo "bmc \"sel0\" { address = \"127.0.0.1\"  port = $PORT  username = \"admin\"  password-file = \"$RUNDIR/pw\"  cipher-suites = {17} }"
} > "$CFG"
get_entry() { counter content_get_sel_entry; }
e0=$(get_entry)
coproc BR { timeout 300 "$BRIDGE" -c "$CFG" --once --json --polls 2 --step 2> "$RUNDIR/bridge.err"; }
br_pid=$BR_PID
exec {br_in}<&"${BR[0]}" {br_out}>&"${BR[1]}"
read -r first <&"$br_in"
e1=$(get_entry)
ctl inject-event 0 0x08 0x40 0x6f 0x01 > /dev/null
echo >&"$br_out"
read -r second <&"$br_in"
e2=$(get_entry)
wait "$br_pid" 2> /dev/null || true
printf '%s\n' "$first" > "$RUNDIR/first.json"
printf '%s\n' "$second" > "$RUNDIR/second.json"
for poll in first second; do
    python3 -c '
import json, sys
s = json.load(open(sys.argv[2]))["bmcs"][0]["sel_stats"]
print("bench: sel %s poll: %d new entries, %d requests (%d Get SEL Entry), %.1f ms" %
      (sys.argv[1], s["new_entries"], s["requests"], s["entries_read"], s["elapsed_ms"]))
' "$poll" "$RUNDIR/$poll.json"
done
echo "bench: simulator counted Get SEL Entry: first poll $((e1 - e0)), second poll $((e2 - e1))"
stop_bmcsim
