#!/usr/bin/env bash
# test_sdr_cache.sh - the SDR disk cache at scale (issue "Sensors", acceptance 3):
# against 1,000 simulated BMCs x ~50 sensors, the first `--once` reads every
# SDR repository over the wire; a second run (a new process) reads them all
# from the cache: zero Get SDR requests, as the simulator itself counts them.
# A corrupt cache file is discarded and that one repository is read again.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

N=${SDR_CACHE_BMCS:-1000}
require_bmcsim
require_bridge
require_cmds python3 awk
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
PORT=$(free_port "$N" 28000) || bail_out "no free port range"
start_bmcsim fleet --count "$N" --base-port "$PORT" --seed 11 || bail_out "bmcsim did not start"
note "$SIM_READY"

CFG=$RUNDIR/fleet.conf
{
    echo "timeout = 1.0"
    echo "retries = 3"
    echo "sdr-cache-dir = \"$RUNDIR/sdr\""
    echo "defaults { username = \"admin\"  password-file = \"$RUNDIR/pw\"  cipher-suites = {17} }"
    for ((i = 0; i < N; i++)); do
        printf 'bmc "sim%04d" { address = "127.0.0.1"  port = %d }\n' "$i" $((PORT + i))
    done
} > "$CFG"

# summary of one --once --json run: ok count, sensors, wire reads, cache hits
summarize() {
    python3 - "$1" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))["bmcs"]
ok = sum(1 for b in d if b["state"] == "ok")
sensors = sum(len(b["sensors"] or []) for b in d)
wire = sum(b["sdr"]["get_sdr_requests"] for b in d)
cached = sum(1 for b in d if b["sdr"]["from_cache"])
errors = sum(1 for b in d if b["sdr"]["error"])
print(ok, sensors, wire, cached, errors)
PY
}

get_sdr_count() { counter content_get_sdr; }

before=$(get_sdr_count)
run_bridge first -c "$CFG" --once --json
read -r ok1 sensors1 wire1 cached1 err1 < <(summarize "$RUNDIR/first.out")
after1=$(get_sdr_count)
sim1=$((after1 - before))
note "figure: first run ${BR_ELAPSED} s: $ok1 BMCs ok, $sensors1 sensors, $wire1 Get SDR requests (bmcsim counted $sim1)"
assert_eq "$BR_RC" 0 "first run exits 0"
assert_eq "$ok1" "$N" "first run: all $N BMCs ok"
assert_num ">=" "$sensors1" $((N * 40)) "first run: at least 40 sensors per BMC were read"
assert_eq "$cached1" 0 "first run: no repository came from the (empty) cache"
assert_num ">" "$sim1" $((N * 40)) "first run: the simulator answered Get SDR requests ($sim1)"
assert_eq "$sim1" "$wire1" "first run: our count of Get SDR requests equals the simulator's"
ncache=$(find "$RUNDIR/sdr" -name '*.sdr' | wc -l)
assert_eq "$ncache" "$N" "first run: one cache file per BMC GUID"

run_bridge second -c "$CFG" --once --json
read -r ok2 sensors2 wire2 cached2 err2 < <(summarize "$RUNDIR/second.out")
after2=$(get_sdr_count)
sim2=$((after2 - after1))
note "figure: second run ${BR_ELAPSED} s: $cached2 repositories from the cache, $sim2 Get SDR requests at the simulator"
assert_eq "$BR_RC" 0 "second run exits 0"
assert_eq "$ok2" "$N" "second run: all $N BMCs ok"
assert_eq "$sensors2" "$sensors1" "second run: the same number of sensors"
assert_eq "$cached2" "$N" "second run: every repository from the cache"
assert_eq "$sim2" 0 "second run: zero Get SDR requests reached the simulator"
assert_eq "$wire2" 0 "second run: zero Get SDR requests sent"

# a corrupt cache file: discarded (with a log line), that repository read again
victim=$(find "$RUNDIR/sdr" -name '*.sdr' | sort | sed -n 1p)
printf 'garbage' | dd of="$victim" bs=1 seek=50 conv=notrunc status=none
run_bridge third -c "$CFG" --once --json -v
read -r ok3 _ wire3 cached3 _ < <(summarize "$RUNDIR/third.out")
after3=$(get_sdr_count)
sim3=$((after3 - after2))
assert_eq "$ok3" "$N" "corrupt cache file: all BMCs still ok"
assert_eq "$cached3" $((N - 1)) "corrupt cache file: the other repositories came from the cache"
assert_num ">" "$sim3" 0 "corrupt cache file: that one repository was read over the wire ($sim3 requests)"
assert_eq "$sim3" "$wire3" "corrupt cache file: our request count equals the simulator's"
assert_contains "$BR_ERR" "corrupt" "corrupt cache file: the log says the cache file was corrupt"
stop_bmcsim
finish
