#!/usr/bin/env bash
# test_daemon_snmpd.sh - snmpd restarts twice under the running daemon
# (issue 8): 100 BMCs polled every 2 s with some loss, walks of
# ipmiBmcTable going on; snmpd is stopped and started again, twice.  After
# each restart the walk answers again with every BMC; the daemon polled on
# meanwhile; and nothing leaks: its descriptor count is the same after the
# second restart as before the first, its RSS after the second within 1 % of
# that after the first.  Then the MIB walk is searched for the password.
#
#   make check TESTS=tests/bmcsim/test_daemon_snmpd.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$BMCSIM_DIR/daemonlib.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

N=100
OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
require_bmcsim
require_bridge
require_cmds snmpd snmpbulkwalk snmpget python3 xxd
SIM_PASSWORD="Wq4-snmpd-Secret9"
bmcsim_setup
PORT=$(free_port "$N" 28800) || bail_out "no free port range"
start_bmcsim sim --count "$N" --base-port "$PORT" --seed 9 --tick-ms 1000 \
    --profile "$BMCSIM_DIR/small.profile" --fault drop=3 || bail_out "bmcsim did not start"
SNMP_PORT=$(free_port 1 28950) || bail_out "no free port"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start"

CFG=$RUNDIR/bridge.conf
ST=$RUNDIR/status.json
cat > "$CFG" << EOF
timeout = 0.3
retries = 4
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$ST"
status-interval = 2
agentx-socket = "$AGENTX_SOCK"
sensor-interval = 2
sel-interval = 3
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin" }
bmc-group "s" { addresses = "127.0.0.1:[$PORT-$((PORT + N - 1))]"  name-format = "s%d" }
EOF
daemon_start run "$CFG" --allow-root

# rows: ipmiBmcName rows of a walk ("0" when snmpd or the subagent does not answer)
rows() {
    local n
    n=$(snmpbulkwalk -v2c -c public -On -Cr50 -t 2 -r 0 "$SNMPD_TARGET" "$OBJ.3.1.2" 2> /dev/null | grep -c 'STRING:') || true
    echo "${n:-0}"
}
all_rows() { [[ $(rows) == "$N" ]]; }
all_up() {
    kill -0 "$DPID" 2> /dev/null || return 0
    [[ $(sq "$ST" "sum(1 for b in bmcs if b['full_sweeps'] >= 1)") == "$N" ]]
}
wait_for 90 all_up || note "not all up: $(sq "$ST" 'f["states"]')"
wait_for 30 all_rows || true
assert_eq "$(rows)" "$N" "the walk lists every BMC"
sleep 4 # settle: sessions and snapshots of every BMC exist
fd0=$(proc_fds "$DPID")
rss0=$(proc_rss "$DPID")

declare -a RSS=()
for round in 1 2; do
    sw0=$(sq "$ST" 'sum(b["sweeps"] for b in bmcs)')
    snmpd_stop
    sleep 6 # one AgentX ping interval and more without a master, under load
    assert_cmd "round $round: the daemon runs on while snmpd is down" kill -0 "$DPID"
    snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start again"
    t0=$(date +%s)
    wait_for 30 all_rows || true
    note "figure: round $round: the walk answered again after about $(($(date +%s) - t0)) s"
    assert_eq "$(rows)" "$N" "round $round: after the snmpd restart the walk lists every BMC again"
    status_now "$ST" || true
    assert_num ">" "$(sq "$ST" 'sum(b["sweeps"] for b in bmcs)')" "$sw0" "round $round: polling went on"
    sleep 4
    RSS+=("$(proc_rss "$DPID")")
done
fd2=$(proc_fds "$DPID")
note "figure: descriptors $fd0 -> $fd2; RSS $rss0 -> ${RSS[0]} -> ${RSS[1]} kB"
assert_eq "$fd2" "$fd0" "descriptors after two snmpd restarts: as before ($fd2)"
assert_num "<=" "${RSS[1]}" "$(awk -v r="${RSS[0]}" 'BEGIN { print int(r * 1.01) }')" \
    "RSS after the second restart within 1 % of that after the first (${RSS[0]} -> ${RSS[1]} kB)"
c=$(grep -c -i 'agentx' "$RUNDIR/run.err") || true
note "figure: $c log lines about AgentX over two restarts"

# the MIB holds no secret
walk=$(snmpbulkwalk -v2c -c public -On -Cr50 -t 5 "$SNMPD_TARGET" "$OBJ" 2> /dev/null) || true
assert_num ">" "$(printf '%s\n' "$walk" | wc -l)" $((N * 10)) "the whole MIB walks ($(printf '%s\n' "$walk" | wc -l) lines)"
assert_not_contains "$walk" "$SIM_PASSWORD" "MIB walk: no password"
pw_hex=$(printf '%s' "$SIM_PASSWORD" | xxd -p | tr -d '\n' | sed 's/../& /g' | tr 'a-f' 'A-F')
assert_not_contains "$walk" "${pw_hex% }" "MIB walk: no password as hex octets"
assert_not_contains "$(cat "$RUNDIR/run.err" "$RUNDIR/run.out" "$RUNDIR"/snmpd/snmpd.log 2> /dev/null)" "$SIM_PASSWORD" "daemon and snmpd logs: no password"

daemon_stop
assert_eq "$DSTOP_RC" 0 "SIGTERM: exit 0"
snmpd_stop
stop_bmcsim
finish
