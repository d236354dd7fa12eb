#!/usr/bin/env bash
# test_sdr_cache_trust.sh - the SDR disk cache does not trust the BMC or the
# directory (review issue 8, defect 8):
#  - two BMCs that report the same GUID (two simulators with the same seed)
#    get a cache file each, keyed by the configured name and address too,
#    and each later loads its own;
#  - a group- or world-writable cache directory, or one owned by another
#    user, is refused with a log line naming it: the BMCs are still read,
#    nothing is written there, nothing is loaded from there.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup

P1=$(free_port 1 28400) || bail_out "no free port"
start_bmcsim simA --count 1 --base-port "$P1" --seed 5 || bail_out "bmcsim A did not start"
PID_A=$SIM_PID
P2=$(free_port 1 $((P1 + 1))) || bail_out "no free port"
start_bmcsim simB --count 1 --base-port "$P2" --seed 5 || bail_out "bmcsim B did not start"
PID_B=$SIM_PID

# write_cfg FILE DIR
write_cfg() {
    {
        echo "timeout = 1.0"
        echo "retries = 3"
        echo "sdr-cache-dir = \"$2\""
        echo "defaults { username = \"admin\"  password-file = \"$RUNDIR/pw\"  cipher-suites = {17} }"
        echo "bmc \"alpha\" { address = \"127.0.0.1\"  port = $P1 }"
        echo "bmc \"beta\" { address = \"127.0.0.1\"  port = $P2 }"
    } > "$1"
}

# per BMC: name state guid from_cache get_sdr_requests sensors
summarize() {
    python3 - "$1" << 'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["bmcs"]:
    print(b["name"], b["state"], b.get("guid"), b["sdr"]["from_cache"],
          b["sdr"]["get_sdr_requests"], len(b["sensors"] or []))
PY
}

nfiles() { find "$1" -maxdepth 1 -type f | wc -l; }

# ---- the same GUID from two BMCs --------------------------------------------
CFG=$RUNDIR/same-guid.conf
write_cfg "$CFG" "$RUNDIR/sdr"
run_bridge first -c "$CFG" --once --json
assert_eq "$BR_RC" 0 "same GUID: first run exits 0"
mapfile -t rows < <(summarize "$RUNDIR/first.out")
read -r _ st_a guid_a cache_a _ _ <<< "${rows[0]}"
read -r _ st_b guid_b cache_b _ _ <<< "${rows[1]}"
assert_eq "$st_a $st_b" "ok ok" "same GUID: both BMCs ok"
assert_eq "$guid_a" "$guid_b" "same GUID: the two simulators report one GUID ($guid_a)"
assert_eq "$cache_a $cache_b" "False False" "same GUID: first run reads both over the wire"
assert_eq "$(nfiles "$RUNDIR/sdr")" 2 "same GUID: one cache file per configured BMC, not per GUID"
modes=$(stat -c '%a' "$RUNDIR/sdr"/*.sdr | sort -u)
assert_eq "$modes" 600 "cache files are created mode 0600"
assert_eq "$(find "$RUNDIR/sdr" -name '*.new.*' | wc -l)" 0 "no temporary file is left behind"

run_bridge second -c "$CFG" --once --json
mapfile -t rows < <(summarize "$RUNDIR/second.out")
read -r _ st_a _ cache_a req_a _ <<< "${rows[0]}"
read -r _ st_b _ cache_b req_b _ <<< "${rows[1]}"
assert_eq "$st_a $st_b" "ok ok" "same GUID: second run, both BMCs ok"
assert_eq "$cache_a $cache_b" "True True" "same GUID: second run, each from its own cache file"
assert_eq "$req_a $req_b" "0 0" "same GUID: second run sends no Get SDR"

# a file renamed to another BMC's name is not used for it
files=("$RUNDIR"/sdr/*.sdr)
if ((${#files[@]} == 2)); then
    cp "${files[0]}" "$RUNDIR/swap"
    cp "${files[1]}" "${files[0]}"
    cp "$RUNDIR/swap" "${files[1]}"
    run_bridge swapped -c "$CFG" --once --json -v
    mapfile -t rows < <(summarize "$RUNDIR/swapped.out")
    read -r _ st_a _ cache_a _ _ <<< "${rows[0]}"
    read -r _ st_b _ cache_b _ _ <<< "${rows[1]}"
    assert_eq "$st_a $st_b" "ok ok" "swapped files: both BMCs ok"
    assert_eq "$cache_a $cache_b" "False False" "swapped files: neither BMC uses the other's file"
    assert_contains "$BR_ERR" "written for another BMC" "swapped files: the log says why"
else
    fail "swapped files: not tested, there are ${#files[@]} cache files instead of 2"
fi

# ---- directories we must not use ---------------------------------------------
# refused DIR TAG WHAT: a run with DIR as the cache: BMCs ok, refusal logged,
# nothing written; a second run still reads over the wire
refused() {
    local dir=$1 tag=$2 what=$3
    write_cfg "$RUNDIR/$tag.conf" "$dir"
    run_bridge "$tag" -c "$RUNDIR/$tag.conf" --once --json -v
    mapfile -t rows < <(summarize "$RUNDIR/$tag.out")
    read -r _ st_a _ cache_a req_a _ <<< "${rows[0]}"
    read -r _ st_b _ cache_b req_b _ <<< "${rows[1]}"
    assert_eq "$BR_RC" 0 "$what: the run exits 0"
    assert_eq "$st_a $st_b" "ok ok" "$what: both BMCs are still polled"
    assert_contains "$BR_ERR" "SDR cache directory $dir refused" "$what: the log names the directory"
    assert_contains "$BR_ERR" "not using the disk cache" "$what: the log says the cache is off"
    assert_eq "$(nfiles "$dir")" 0 "$what: nothing was written there"
    run_bridge "$tag-2" -c "$RUNDIR/$tag.conf" --once --json -v
    mapfile -t rows < <(summarize "$RUNDIR/$tag-2.out")
    read -r _ _ _ cache_a req_a _ <<< "${rows[0]}"
    read -r _ _ _ cache_b req_b _ <<< "${rows[1]}"
    assert_eq "$cache_a $cache_b" "False False" "$what: a second run loads nothing from there"
    assert_num ">" "$req_a" 0 "$what: a second run reads the SDRs over the wire"
}

mkdir -m 0777 "$RUNDIR/world"
chmod 0777 "$RUNDIR/world"
refused "$RUNDIR/world" world "world-writable directory"
mkdir "$RUNDIR/group"
chmod 0770 "$RUNDIR/group"
refused "$RUNDIR/group" group "group-writable directory"
# a good cache copied into a directory that became group-writable: not loaded
cp "$RUNDIR"/sdr/*.sdr "$RUNDIR/group/" 2> /dev/null || true
write_cfg "$RUNDIR/group-full.conf" "$RUNDIR/group"
run_bridge group-full -c "$RUNDIR/group-full.conf" --once --json -v
mapfile -t rows < <(summarize "$RUNDIR/group-full.out")
read -r _ st_a _ cache_a _ _ <<< "${rows[0]}"
assert_eq "$st_a $cache_a" "ok False" "group-writable directory: its files are not loaded"
rm -f "$RUNDIR"/group/*.sdr

if (($(id -u) == 0)); then
    mkdir "$RUNDIR/other"
    chown 65534 "$RUNDIR/other"
    chmod 0755 "$RUNDIR/other"
    refused "$RUNDIR/other" other "directory owned by another user"
else
    note "not root: the directory of another user is covered by test_sdr_repo only"
fi

SIM_PID=$PID_A stop_bmcsim
SIM_PID=$PID_B stop_bmcsim
finish
