# shellcheck shell=bash
# snmpd.sh - a private Net-SNMP snmpd as AgentX master for the tests (sourced
# after common.sh).  Loopback only, an unprivileged UDP port, the AgentX unix
# socket inside the run dir, no system config, MIBs or persistent files:
#
#   snmpd_start DIR PORT     start it; sets SNMPD_PID, SNMPD_TARGET
#                            (udp:127.0.0.1:PORT) and AGENTX_SOCK (DIR/agentx.sock)
#   snmpd_stop               stop it (TERM, then KILL), by PID
#   snmpd_wait_ready [SECS]  true once it answers a GET of sysUpTime
#
# Everything snmp* runs with SNMPCONFPATH and SNMP_PERSISTENT_DIR in DIR and
# MIBS="" (numeric OIDs), exported here for the tools the test runs too.

snmpd_start() {
    local dir=$1 port=$2
    mkdir -p "$dir/persist"
    export SNMPCONFPATH="$dir" SNMP_PERSISTENT_DIR="$dir/persist" MIBS=""
    SNMPD_DIR=$dir
    SNMPD_TARGET="udp:127.0.0.1:$port"
    AGENTX_SOCK="$dir/agentx.sock"
    rm -f "$AGENTX_SOCK"
    # the tools: every octet string on one line, however long
    printf 'hexOutputLength 0\n' > "$dir/snmp.conf"
    cat > "$dir/snmpd.conf" << EOF2
agentAddress udp:127.0.0.1:$port
master agentx
agentXSocket $AGENTX_SOCK
agentXPerms 0600 0700
agentXTimeout 5
agentXRetries 1
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
authtrapenable 2
dontLogTCPWrappersConnects yes
EOF2
    snmpd -f -C -c "$dir/snmpd.conf" -Lf "$dir/snmpd.log" -p "$dir/snmpd.pid" \
        < /dev/null >> "$dir/snmpd.out" 2>&1 &
    SNMPD_PID=$!
    track_pid "$SNMPD_PID" snmpd
    snmpd_wait_ready 10
}

snmpd_wait_ready() {
    local secs=${1:-10} t
    for ((t = 0; t < secs * 10; t++)); do
        snmpget -v2c -c public -On -t 0.3 -r 0 "$SNMPD_TARGET" .1.3.6.1.2.1.1.3.0 > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

snmpd_stop() {
    [[ -n ${SNMPD_PID:-} ]] && stop_pid "$SNMPD_PID" snmpd
    SNMPD_PID=""
}
