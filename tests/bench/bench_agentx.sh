#!/usr/bin/env bash
# bench_agentx.sh - varbinds per second of `snmpbulkwalk -Cr50` of
# ipmiSensorTable through a private snmpd, with the subagent serving 5,000
# and then 50,000 synthetic sensor rows (tests/agentx/agentx-driver), and the
# per-row cost ratio of the two (O(log n) lookups with the cursor hint should
# keep it near 1; goal <= 1.3).  As the ceiling: snmpd's walk rate of its own
# in-process mib-2 subtree.  Prints figures; asserts nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
. "$TESTS_LIB_DIR/snmpd.sh"
require_cmds snmpd snmpbulkwalk snmpget
DRIVER=$top_builddir/tests/agentx/agentx-driver
[[ -x $DRIVER ]] || bail_out "missing $DRIVER (make)"
make_rundir
OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
SNMP_PORT=$(free_port 1 22450) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start"

# walk OID -> "varbinds seconds"
timed_walk() {
    local t0 t1 n
    t0=$(date +%s.%N)
    n=$(snmpbulkwalk -v2c -c public -On -Cr50 -t 30 "$SNMPD_TARGET" "$1" | wc -l)
    t1=$(date +%s.%N)
    echo "$n $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
}

declare -A per_row
for rows in 5000 50000; do
    # one BMC with all the rows: the worst case for one part's binary search
    "$DRIVER" --socket "$AGENTX_SOCK" --synthetic "1:$rows" > "$RUNDIR/driver-$rows.out" 2>&1 < /dev/null &
    pid=$!
    track_pid "$pid" agentx-driver
    for ((t = 0; t < 100; t++)); do
        snmpget -v2c -c public -On -t 0.5 -r 0 "$SNMPD_TARGET" "$OBJ.3.1.2.1" 2>&1 | grep -q STRING && break
        sleep 0.1
    done
    read -r n secs <<< "$(timed_walk "$OBJ.5")"
    rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    per_row[$rows]=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.9f", s / n }')
    echo "ipmiSensorTable, $rows rows: $n varbinds in ${secs}s = $rate varbinds/s (snmpbulkwalk -Cr50)"
    stop_pid "$pid" agentx-driver
    grep stopping "$RUNDIR/driver-$rows.out" | sed 's/^/    /'
    sleep 1
done
awk -v a="${per_row[5000]}" -v b="${per_row[50000]}" \
    'BEGIN { printf "per-varbind cost, 50,000 rows / 5,000 rows: %.2f (goal <= 1.3)\n", b / a }'
read -r n secs <<< "$(timed_walk .1.3.6.1.2.1)"
echo "ceiling: snmpd's own mib-2 (in-process): $n varbinds in ${secs}s = $(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') varbinds/s"
pass "benchmark ran"
finish
