# shellcheck shell=bash
# snmpd.sh - a private Net-SNMP snmpd as AgentX master for the tests (sourced
# after common.sh).  Loopback only, an unprivileged UDP port, the AgentX unix
# socket inside the run dir, no system config, MIBs or persistent files:
#
#   snmpd_start DIR PORT     start it; sets SNMPD_PID, SNMPD_TARGET
#                            (udp:127.0.0.1:PORT) and AGENTX_SOCK (DIR/agentx.sock)
#   snmpd_stop               stop it (TERM, then KILL), by PID
#   SNMPD_EXTRA_CONF         lines appended to snmpd.conf (e.g. a trap2sink)
#   snmpd_wait_ready [SECS]  true once it answers a GET of sysUpTime
#   snmptrapd_start DIR PORT start a private snmptrapd on udp 127.0.0.1:PORT
#                            logging one line per notification to DIR/traps.log
#                            (SNMPTRAPD_PID, TRAP_LOG); stop it with stop_pid
#
# SNMPD_ACCESS (default: "rwcommunity private 127.0.0.1") replaces the write
# access line, SNMPD_EXTRA is appended to snmpd.conf (e.g. createUser,
# rwuser, trap2sink).
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
${SNMPD_ACCESS-rwcommunity private 127.0.0.1}
authtrapenable 2
dontLogTCPWrappersConnects yes
${SNMPD_EXTRA:-}
EOF2
    [[ -n ${SNMPD_EXTRA_CONF:-} ]] && printf '%s\n' "$SNMPD_EXTRA_CONF" >> "$dir/snmpd.conf"
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

snmptrapd_start() {
    local dir=$1 port=$2 t
    TRAP_LOG="$dir/traps.log"
    : > "$TRAP_LOG"
    cat > "$dir/snmptrapd.conf" << EOF2
snmpTrapdAddr udp:127.0.0.1:$port
doNotRetainNotificationLogs yes
authCommunity log public
format2 TRAP %V| %v\n
EOF2
    MIBS="" snmptrapd -f -C -c "$dir/snmptrapd.conf" -On -Lf "$TRAP_LOG" -p "$dir/snmptrapd.pid" \
        < /dev/null >> "$dir/snmptrapd.out" 2>&1 &
    SNMPTRAPD_PID=$!
    track_pid "$SNMPTRAPD_PID" snmptrapd
    # the port may be someone else's (a race with another run): snmptrapd
    # then logs that it could not open it, and keeps running without it
    for ((t = 0; t < 50; t++)); do
        grep -q "couldn't open" "$TRAP_LOG" "$dir/snmptrapd.out" 2> /dev/null && return 1
        kill -0 "$SNMPTRAPD_PID" 2> /dev/null || return 1
        if ss -Hlun "src 127.0.0.1:$port" | grep -q .; then
            sleep 0.2 # its own log line comes after the bind
            grep -q "couldn't open" "$TRAP_LOG" "$dir/snmptrapd.out" 2> /dev/null && return 1
            return 0
        fi
        sleep 0.1
    done
    return 1
}
