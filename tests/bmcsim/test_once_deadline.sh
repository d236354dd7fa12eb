#!/usr/bin/env bash
# test_once_deadline.sh - `--once` when its overall deadline passes (issue 8,
# defect 1).  Before the fix the run stopped at the deadline before any
# report: empty stdout, the data of the BMCs that did answer lost, sessions
# left open, the FRU reader leaked.
#
# Two simulated BMCs: sim0 answers at once, sim1 answers every packet after
# 150 ms (well within the 1 s timeout: it is slow, not failing) and hands out
# SDR and FRU data in small pieces, so reading it takes far longer than the
# 4 s `--deadline`.  Expected: a report on time; sim0 "ok"
# with everything it read; sim1 "timeout" with an error naming it, and what
# it did read (identity, sensors); both sessions closed (bmcsim counts
# Close Session); exit status 1.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3 timeout
bmcsim_setup
PORT=$(free_port 2 29750) || bail_out "no free port"

sed 's/fru_max_chunk=16/fru_max_chunk=8/' "$top_srcdir/tests/bmcsim/small.profile" > "$RUNDIR/slow.profile"
assert_eq "$(grep -c 'fru_max_chunk=8 ' "$RUNDIR/slow.profile")" 1 "fixture: FRU data in 8-byte chunks"
start_bmcsim dl --count 2 --base-port "$PORT" --profile "$RUNDIR/slow.profile" --seed 3 ||
    bail_out "bmcsim did not start"
ctl fault 1 delay=150 > /dev/null || bail_out "bmcsim-ctl fault failed"

CFG=$RUNDIR/bridge.conf
{
    echo "timeout = 1"
    echo "retries = 0"
    echo "session-timeout = 5"
    for i in 0 1; do
        printf 'bmc "sim%d" { address = "127.0.0.1"  port = %d  username = "admin"  password-file = "%s"  cipher-suites = {17} }\n' \
            "$i" $((PORT + i)) "$RUNDIR/pw"
    done
} > "$CFG"

closed0=$(counter sessions_closed)
rc=0
start=$(date +%s%N)
timeout 60 "$BRIDGE" -c "$CFG" --once --json --deadline 4 > "$RUNDIR/out.json" 2> "$RUNDIR/err.txt" || rc=$?
took_ms=$((($(date +%s%N) - start) / 1000000))
note "the run took $took_ms ms (deadline 4 s; not asserted)"
assert_eq "$rc" 1 "exit status 1 (one BMC did not finish)"
assert_num ">" "$(wc -c < "$RUNDIR/out.json")" 0 "stdout holds the report"

field() { # field PYTHON-EXPR over d = the document
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$RUNDIR/out.json" "$1" 2>&1
}
assert_eq "$(field 'len(d["bmcs"])')" 2 "both BMCs reported"
assert_eq "$(field 'd["bmcs"][0]["state"]')" ok "sim0: ok"
assert_num ">" "$(field 'len(d["bmcs"][0]["sensors"])')" 5 "sim0: its sensors are reported"
assert_num ">" "$(field 'len(d["bmcs"][0]["fru"])')" 0 "sim0: its FRU is reported"
assert_eq "$(field 'd["bmcs"][1]["state"]')" timeout "sim1: timeout"
assert_eq "$(field '"sim1" in d["bmcs"][1]["error"] and "deadline" in d["bmcs"][1]["error"]')" True \
    "sim1: the error names the BMC and the deadline"
assert_eq "$(field 'd["bmcs"][1]["device_id"] is not None')" True "sim1: what it did read (device ID) is kept"
assert_num ">" "$(grep -c 'sim1.*deadline.*\[timeout\]' "$RUNDIR/err.txt" || true)" 0 \
    "stderr: one line names sim1 and says timeout"
assert_eq "$(($(counter sessions_closed) - closed0))" 2 "both sessions were closed (Close Session)"

stop_bmcsim
finish
