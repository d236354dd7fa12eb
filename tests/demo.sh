#!/usr/bin/env bash
# demo.sh - show ipmi-snmp-bridge polling two simulated BMCs.
#
#   tests/demo.sh                      (from the repo root, after building)
#   top_builddir=/tmp/build tests/demo.sh
#   BRIDGE=/path/to/ipmi-snmp-bridge tests/demo.sh
#   KEEP_RUNDIR=1 tests/demo.sh        keep the temp dir (config, outputs)
#
# Starts 2 OpenIPMI ipmi_sim instances on 127.0.0.1 (free UDP ports found at
# run time), writes a bridge config and password file into a private temp
# dir, runs `ipmi-snmp-bridge --once` (human output) and `--once --json`,
# prints both, and stops exactly the processes it started.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

require_cmds ipmi_sim sdrcomp ss timeout
require_bridge
make_rundir

step() {
    printf '\n=== %s\n' "$*"
}

BASE=$(free_port 2 21300) || bail_out "no free ports"
step "starting 2 ipmi_sim BMC simulators"
start_sims 2 "$BASE"
while read -r pid port name; do
    echo "  $name: pid $pid, RMCP+ udp 127.0.0.1:$port, console tcp 127.0.0.1:$((port + IPMISIM_CONSOLE_OFFSET))"
done < "$RUNDIR/sims/pids"

step "bridge configuration ($RUNDIR/bridge.conf)"
write_secret "$RUNDIR/bmc.pw" password
CFG=$RUNDIR/bridge.conf
write_config_head "$CFG" 0.5 2
write_bmc_block "$CFG" "$(ipmisim_name 1)" "$BASE" "$RUNDIR/bmc.pw" 3 admin admin
write_bmc_block "$CFG" "$(ipmisim_name 2)" $((BASE + 1)) "$RUNDIR/bmc.pw" 3 admin admin
sed 's/^/  /' "$CFG"
echo "  (password file $RUNDIR/bmc.pw, mode $(stat -c %a "$RUNDIR/bmc.pw"))"

status=0
step "ipmi-snmp-bridge -c bridge.conf --check-config"
run_bridge check -c "$CFG" --check-config
printf '%s\n' "$BR_OUT" "$BR_ERR" | sed '/^$/d; s/^/  /'
echo "  -> exit status $BR_RC"
((BR_RC == 0)) || status=1

step "ipmi-snmp-bridge -c bridge.conf --once"
run_bridge once -c "$CFG" --once
printf '%s\n' "$BR_OUT" "$BR_ERR" | sed '/^$/d; s/^/  /'
echo "  -> exit status $BR_RC, ${BR_ELAPSED} s"
((BR_RC == 0)) || status=1

step "ipmi-snmp-bridge -c bridge.conf --once --json"
run_bridge json -c "$CFG" --once --json
if command -v python3 > /dev/null && python3 -m json.tool "$RUNDIR/json.out" > "$RUNDIR/json.pretty" 2> /dev/null; then
    sed 's/^/  /' "$RUNDIR/json.pretty"
else
    printf '%s\n' "$BR_OUT" | sed 's/^/  /'
fi
[[ -n $BR_ERR ]] && printf '%s\n' "$BR_ERR" | sed 's/^/  stderr: /'
echo "  -> exit status $BR_RC, ${BR_ELAPSED} s"
((BR_RC == 0)) || status=1

step "stopping the simulators"
ipmisim_stop "$RUNDIR/sims"
echo "  done"
if ((status != 0)); then
    T_FAILED=1   # keeps the run dir for a look
    echo "demo: the bridge reported a failure (exit status above); files kept in $RUNDIR" >&2
fi
exit "$status"
