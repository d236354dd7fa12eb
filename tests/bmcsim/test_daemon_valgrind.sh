#!/usr/bin/env bash
# test_daemon_valgrind.sh - one minute of the soak under valgrind memcheck
# (issue 8): 20 BMCs with loss, duplication, reordering, busy, malformed
# and oversized answers, an impostor, reboots, two SIGHUP reloads (a BMC
# added, then removed again), SIGUSR1, the AgentX subagent under a private
# snmpd that is walked and restarted once (without snmpd: --no-agentx),
# then SIGTERM.  memcheck must report
# 0 errors and no definitely or indirectly lost bytes
# (--leak-check=full --errors-for-leak-kinds=definite).
#
#   make check TESTS=tests/bmcsim/test_daemon_valgrind.sh
#   VALGRIND_SECONDS=60 (default)
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$BMCSIM_DIR/daemonlib.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

N=20
SECS=${VALGRIND_SECONDS:-60}
require_bmcsim
require_bridge
require_cmds valgrind python3
bmcsim_setup
PORT=$(free_port $((N + 1)) 28700) || bail_out "no free ports"
start_bmcsim sim --count "$N" --base-port "$PORT" --seed 4 --tick-ms 1000 \
    --profile "$BMCSIM_DIR/small.profile" || bail_out "bmcsim did not start"
AGENTX=(--no-agentx)
AXLINE=""
if command -v snmpd > /dev/null && command -v snmpbulkwalk > /dev/null; then
    SNMP_PORT=$(free_port 1 28760) || bail_out "no free port"
    snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start"
    AGENTX=()
    AXLINE="agentx-socket = \"$AGENTX_SOCK\""
fi
walk_rows() {
    snmpbulkwalk -v2c -c public -On -Cr50 -t 3 -r 0 "$SNMPD_TARGET" .1.3.6.1.4.1.8072.9999.9999.623.1.3.1.2 2> /dev/null | grep -c STRING || true
}
ctl fault all drop=5 dup=5 reorder=10 busy=3 malformed=2 oversize=2 > /dev/null
ctl fault 7 impostor=1 > /dev/null

CFG=$RUNDIR/bridge.conf
ST=$RUNDIR/status.json
write_cfg() {
    cat > "$CFG" << EOF
timeout = 1.0
retries = 3
session-timeout = 15
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$ST"
status-interval = 3
sensor-interval = 2
sel-interval = 3
sdr-check-interval = 10
info-interval = 10
fru-interval = 60
auth-retry-interval = 10
unreachable-max-backoff = 10
$AXLINE
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc-group "v" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "v%d" }
$1
EOF
}
write_cfg ""
VG=$RUNDIR/valgrind.log
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite,indirect --track-fds=no --log-file="$VG" \
    "$BRIDGE" -c "$CFG" --allow-root "${AGENTX[@]}" > "$RUNDIR/vg.out" 2> "$RUNDIR/vg.err" < /dev/null &
DPID=$!
track_pid "$DPID" ipmi-snmp-bridge

up() {
    kill -0 "$DPID" 2> /dev/null || return 0
    [[ $(sq "$ST" "f['states']['polling'] + f['states']['degraded'] >= $((N - 1))") == True ]]
}
wait_for 90 up || note "not all up: $(sq "$ST" 'f["states"]')"
assert_num ">=" "$(sq "$ST" 'f["states"]["polling"] + f["states"]["degraded"]')" $((N - 1)) \
    "under valgrind every BMC but the impostor is polled"
t0=$(date +%s)
step=0
while (($(date +%s) - t0 < SECS)); do
    case $step in
        2) write_cfg "bmc \"extra\" { address = \"127.0.0.1\"  port = $((PORT + N)) }" && kill -HUP "$DPID" ;;
        4) ctl reboot 3-5 > /dev/null ;;
        5) if ((${#AGENTX[@]} == 0)); then
            note "walk under valgrind: $(walk_rows) rows"
            snmpd_stop
            sleep 1
            snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || note "snmpd did not restart"
        fi ;;
        6) kill -USR1 "$DPID" ;;
        8) write_cfg "" && kill -HUP "$DPID" ;;
    esac
    step=$((step + 1))
    kill -0 "$DPID" 2> /dev/null || break
    sleep 5
done
assert_cmd "the daemon ran ${SECS} s under valgrind" kill -0 "$DPID"
status_now "$ST" || true
note "figure: under valgrind: $(sq "$ST" 'sum(b["sweeps"] for b in bmcs)') sweeps, reloads $(sq "$ST" 'd["reloads"]'), counters $(sq "$ST" 'f["counters"]')"
assert_num ">=" "$(sq "$ST" 'd["reloads"]')" 2 "both reloads were applied"
assert_num ">" "$(sq "$ST" 'f["counters"]["bad_packets"]')" 0 "bad packets were met and refused"
if ((${#AGENTX[@]} == 0)); then
    wait_for 30 test "$(walk_rows)" -ge "$N" || true
    assert_num ">=" "$(walk_rows)" "$N" "the subagent under valgrind serves every BMC after the snmpd restart"
fi
kill -TERM "$DPID"
rc=0
for ((t = 0; t < 300; t++)); do # valgrind's leak check takes a while
    kill -0 "$DPID" 2> /dev/null || break
    sleep 0.1
done
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM: exit 0"
summary=$(grep -E "ERROR SUMMARY|definitely lost|indirectly lost|All heap blocks" "$VG" || true)
note "valgrind:" "$summary"
assert_match "$summary" "ERROR SUMMARY: 0 errors" "memcheck: 0 errors"
assert_no_match "$summary" "definitely lost: [1-9]" "memcheck: nothing definitely lost"
assert_no_match "$summary" "indirectly lost: [1-9]" "memcheck: nothing indirectly lost"
grep -q "ERROR SUMMARY: 0 errors" "$VG" || note "$(head -80 "$VG")"
snmpd_stop
stop_bmcsim
finish
