# shellcheck shell=bash
# demo_stack.sh - the operator's stack for the integration tests of conf/
# (sourced after common.sh and bmcsim's testlib.sh): snmpd configured with
# exactly conf/snmpd.conf.d/ipmi-snmp-bridge.conf (only the AgentX socket
# path and the user/group names substituted, and an agentAddress on a free
# loopback port added), the bridge as its AgentX subagent, and three BMCs:
#
#   sim01   ipmi_sim (tests/ipmisim): FAN2 below lower critical on purpose
#   bmc0    bmcsim BMC 0 (cipher 17)
#   dead    a port where nobody answers (state unreachable)
#
#   demo_snmpd_start DIR PORT   snmpd with the substituted snippet; sets
#                               SNMPD_PID, SNMPD_TARGET, AGENTX_SOCK, DEMO_SNIPPET
#   demo_stack_start            everything; sets DEMO_* below; bails out on failure
#   DEMO_IDX[name]              ipmiBmcIndex of each BMC
#   SUBAGENT_PID                the bridge (or agentx-driver, see below)
#
# The subagent is the daemon (agentx-socket in its config).  DEMO_SUBAGENT=
# driver uses tests/agentx/agentx-driver (one --once poll served through
# AgentX) instead.
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

SNIPPET_SRC=$top_srcdir/conf/snmpd.conf.d/ipmi-snmp-bridge.conf
OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
declare -A DEMO_IDX=()

demo_snmpd_start() {
    local dir=$1 port=$2
    mkdir -p "$dir/persist"
    export SNMPCONFPATH="$dir" SNMP_PERSISTENT_DIR="$dir/persist" MIBS=""
    SNMPD_TARGET="udp:127.0.0.1:$port"
    AGENTX_SOCK="$dir/agentx/master"
    DEMO_SNIPPET=$dir/ipmi-snmp-bridge.conf
    sed -e "s|/var/agentx/master|$AGENTX_SOCK|" \
        -e "s|^agentXPerms \([0-7]*\) \([0-7]*\) Debian-snmp ipmi-snmp-bridge\$|agentXPerms \1 \2 $(id -un) $(id -gn)|" \
        "$SNIPPET_SRC" > "$DEMO_SNIPPET"
    printf 'hexOutputLength 0\n' > "$dir/snmp.conf"
    cat > "$dir/snmpd.conf" << EOF2
agentAddress udp:127.0.0.1:$port
includeFile $DEMO_SNIPPET
EOF2
    snmpd -f -C -c "$dir/snmpd.conf" -Lf "$dir/snmpd.log" -p "$dir/snmpd.pid" \
        < /dev/null >> "$dir/snmpd.out" 2>&1 &
    SNMPD_PID=$!
    track_pid "$SNMPD_PID" snmpd
    snmpd_wait_ready 10
}

# wait_oid OID REGEX [SECS]: poll snmpget until its output matches
wait_oid() {
    local out t
    for ((t = 0; t < ${3:-30} * 5; t++)); do
        out=$(snmpget -v2c -c public -On -t 0.5 -r 0 "$SNMPD_TARGET" "$1" 2>&1 || true)
        [[ $out =~ $2 ]] && return 0
        sleep 0.2
    done
    return 1
}

demo_stack_start() {
    local port sport name i
    port=$(free_port 4 ${DEMO_PORT_START:-23100}) || bail_out "no free ports"
    start_sims 1 "$port"
    write_secret "$RUNDIR/sim.pw" password
    start_bmcsim bmcsim --count 1 --base-port $((port + 1)) --seed 7 --tick-ms 0 ||
        bail_out "bmcsim did not start"
    sport=$(free_port 1 $((${DEMO_PORT_START:-23100} + 50))) || bail_out "no free port"
    demo_snmpd_start "$RUNDIR/snmpd" "$sport" || bail_out "snmpd did not start: $(cat "$RUNDIR/snmpd/snmpd.log")"

    DEMO_CFG=$RUNDIR/bridge.conf
    cat > "$DEMO_CFG" << EOF2
timeout = 0.3
retries = 1
session-timeout = 3
sensor-interval = 2
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
agentx-socket = "$AGENTX_SOCK"
EOF2
    write_bmc_block "$DEMO_CFG" sim01 "$port" "$RUNDIR/sim.pw" 3 admin admin
    write_bmc_block "$DEMO_CFG" bmc0 $((port + 1)) "$RUNDIR/pw" 17 admin admin
    write_bmc_block "$DEMO_CFG" dead $((port + 3)) "$RUNDIR/pw" 17 admin admin
    if [[ ${DEMO_SUBAGENT:-daemon} == driver ]]; then
        "$top_builddir/tests/agentx/agentx-driver" --socket "$AGENTX_SOCK" -c "$DEMO_CFG" \
            --json-out "$RUNDIR/once.json" > "$RUNDIR/subagent.out" 2> "$RUNDIR/subagent.err" < /dev/null &
        SUBAGENT_PID=$!
        track_pid "$SUBAGENT_PID" agentx-driver
    else
        "$BRIDGE" -c "$DEMO_CFG" > "$RUNDIR/subagent.out" 2> "$RUNDIR/subagent.err" < /dev/null &
        SUBAGENT_PID=$!
        track_pid "$SUBAGENT_PID" ipmi-snmp-bridge
    fi
    # every BMC has a row and sim01's sensors are read
    for i in 1 2 3; do
        wait_oid "$OBJ.3.1.2.$i" 'STRING' 30 ||
            bail_out "ipmiBmcName.$i never answered: $(tail -5 "$RUNDIR/subagent.err")"
        name=$(snmpget -v2c -c public -Oqv "$SNMPD_TARGET" "$OBJ.3.1.2.$i" | tr -d '"')
        DEMO_IDX[$name]=$i
    done
    for name in sim01 bmc0 dead; do
        [[ -n ${DEMO_IDX[$name]:-} ]] || bail_out "BMC $name has no row"
    done
    wait_oid "$OBJ.3.1.28.${DEMO_IDX[sim01]}" 'Gauge32: [1-9]' 30 ||
        bail_out "sim01's sensors never counted"
    wait_oid "$OBJ.3.1.28.${DEMO_IDX[bmc0]}" 'Gauge32: [1-9]' 30 ||
        bail_out "bmc0's sensors never counted"
    wait_oid "$OBJ.3.1.4.${DEMO_IDX[dead]}" 'INTEGER: (7|12)$' 30 ||
        bail_out "dead never became unreachable"
}
