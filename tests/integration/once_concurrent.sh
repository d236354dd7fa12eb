#!/usr/bin/env bash
# once_concurrent.sh - one `ipmi-snmp-bridge --once --json` process polls 20
# ipmi_sim BMCs concurrently; every BMC must come back "ok" with ITS OWN data.
#
#   make check TESTS=tests/integration/once_concurrent.sh
#   bash tests/integration/once_concurrent.sh          (from the repo root)
#
# Each simulator has a distinct System GUID (last byte = instance number) and
# alternating power state (odd on, even off), so replies mixed up between
# sessions would show.  The run times for 1 BMC and for 20 BMCs are printed
# as a figure ("figure: ..."), not asserted: shared CI machines are noisy.
# ONCE_RUNS (default 3) sets how many times each case is timed.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

require_cmds ipmi_sim sdrcomp ss python3 timeout
require_bridge
make_rundir

N=20
RUNS=${ONCE_RUNS:-3}
BASE=$(free_port "$N" 21200) || bail_out "no free port range"
IPMISIM_POWER=alternate start_sims "$N" "$BASE"
note "$N ipmi_sim on udp 127.0.0.1:$BASE..$((BASE + N - 1))"

write_secret "$RUNDIR/admin.pw" password
CFG1=$RUNDIR/one.conf
CFGN=$RUNDIR/all.conf
write_config_head "$CFG1" 0.5 2
write_config_head "$CFGN" 0.5 2
write_bmc_block "$CFG1" "$(ipmisim_name 1)" "$BASE" "$RUNDIR/admin.pw" 3 admin admin
for ((i = 1; i <= N; i++)); do
    write_bmc_block "$CFGN" "$(ipmisim_name "$i")" $((BASE + i - 1)) "$RUNDIR/admin.pw" 3 admin admin
done

# time_runs TAG CONFIG: run RUNS times; sets BEST (min seconds), ALL (list),
# FAILS (runs with a non-zero exit); the last run's JSON is $RUNDIR/TAG.out
time_runs() {
    local tag=$1 cfg=$2 r
    BEST="" ALL="" FAILS=0
    for ((r = 1; r <= RUNS; r++)); do
        run_bridge "$tag" -c "$cfg" --once --json
        ((BR_RC == 0)) || { FAILS=$((FAILS + 1)); show_bridge_run; }
        ALL+="${ALL:+ }$BR_ELAPSED"
        if [[ -z $BEST ]] || awk -v a="$BR_ELAPSED" -v b="$BEST" 'BEGIN { exit !(a < b) }'; then
            BEST=$BR_ELAPSED
        fi
    done
}

time_runs one "$CFG1"
one_best=$BEST one_all=$ALL
assert_eq "$FAILS" 0 "--once --json with 1 BMC exits 0 ($RUNS runs)"
assert_eq "$(jq_get "$RUNDIR/one.out" bmcs.0.state)" ok "1 BMC: state ok"

time_runs all "$CFGN"
all_best=$BEST all_all=$ALL
assert_eq "$FAILS" 0 "--once --json with $N BMCs in one process exits 0 ($RUNS runs)"
J=$RUNDIR/all.out
assert_eq "$(python3 "$JSONQ" --len "$J" bmcs 2>&1)" "$N" "JSON lists all $N BMCs"

# every BMC ok, and each entry carries its own simulator's data
oks=0 mism=()
declare -A seen=()
while IFS=$'\t' read -r name address state guid power; do
    [[ $name =~ ^sim([0-9]+)$ ]] || { mism+=("unexpected name '$name'"); continue; }
    i=$((10#${BASH_REMATCH[1]}))
    seen[$name]=1
    want_power=off
    ((i % 2)) && want_power=on
    [[ $state == ok ]] && oks=$((oks + 1))
    [[ $state == ok ]] || mism+=("$name: state $state")
    [[ $address == "127.0.0.1:$((BASE + i - 1))" ]] || mism+=("$name: address $address")
    [[ $guid == "$(ipmisim_guid "$i")" ]] || mism+=("$name: guid $guid, expected $(ipmisim_guid "$i")")
    [[ $power == "$want_power" ]] || mism+=("$name: power $power, expected $want_power")
done < <(python3 "$JSONQ" --tsv "$J" bmcs name address state guid chassis.power 2> /dev/null || true)
assert_eq "$oks" "$N" "all $N BMCs are ok"
assert_eq "${#seen[@]}" "$N" "all $N BMC names appear exactly as configured"
if ((${#mism[@]} == 0)); then
    pass "every BMC reports its own address, GUID and power state (no crossed replies)"
else
    fail "every BMC reports its own address, GUID and power state (no crossed replies)" "${mism[@]}"
fi

echo "figure: once 1 BMC $one_best s, $N BMCs $all_best s (best of $RUNS; all runs: 1 BMC [$one_all], $N BMCs [$all_all])"

finish
