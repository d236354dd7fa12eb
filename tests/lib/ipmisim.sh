#!/usr/bin/env bash
# shellcheck shell=bash
# ipmisim.sh - start/stop OpenIPMI ipmi_sim BMC simulators for the tests.
#
# Sourceable library AND command line tool:
#
#   . tests/lib/ipmisim.sh
#   ipmisim_start N BASE_PORT RUNDIR   # N instances on 127.0.0.1:BASE..BASE+N-1
#   ipmisim_stop RUNDIR                # stop exactly the PIDs that start recorded
#   ipmisim_cmd PORT 'cmd' ['cmd'...]  # emulator console (ipmi_sim_cmd(5))
#   ipmisim_sel_add PORT N             # add N SEL records through the console
#   ipmisim_sel_clear PORT             # clear the SEL (ipmitool sel clear)
#   ipmisim_sel_count PORT             # number of SEL records (ipmitool sel info)
#
#   tests/lib/ipmisim.sh start 2 21000 /tmp/run
#   tests/lib/ipmisim.sh cmd 21000 'sensor_set_value 0x20 0 1 90 1'
#   tests/lib/ipmisim.sh stop /tmp/run
#
# Instance i (1-based) is named simNN (sim01, sim02, ...) and gets:
#   RMCP+ on udp 127.0.0.1:BASE+i-1, console on tcp 127.0.0.1:BASE+i-1+1000
#   RUNDIR/simNN/lan.conf        from tests/ipmisim/lan.conf.in
#   RUNDIR/simNN/state/          ipmi_sim -s dir; the SDR repository compiled
#                                from sensors.sdrs + raw-sdrs.txt (fresh every
#                                start, so the SEL always starts with the same
#                                $IPMISIM_SEL_INITIAL records)
#   RUNDIR/simNN/power           chassis power state 0/1 (chassis-control.sh)
#   RUNDIR/simNN/ipmi_sim.log    the simulator's output
#   System GUID as ipmitool prints it: $(ipmisim_guid i)
#   Users admin/password (admin), oper/operpass (operator), ro/ropass (user)
# RUNDIR/pids gets one line "PID PORT NAME" per instance; only those PIDs,
# and only while /proc/PID/cmdline still names ipmi_sim and RUNDIR, are ever
# signalled.  Everything listens on 127.0.0.1 only.
#
# Environment:
#   IPMISIM_POWER   initial chassis power: "alternate" (default: odd
#                   instances on, even ones off), "on" or "off"
#   IPMISIM_CMD_WAIT  seconds ipmisim_cmd collects console output (0.5)
#
# Gotchas (see also tests/ipmisim/*): ipmi_sim supports cipher suites 0-14
# only (no SHA-256: 15-17 fail); FreeIPMI clients need -W opensesspriv;
# FreeIPMI takes the port as -h 127.0.0.1:PORT; never send "quit" to the
# console; SEL timestamps count from the simulator's start until a client
# sets the SEL time; RMCP+ sessions get whatever privilege the client asks
# for (the user's max privilege and the channel priv_limit are not enforced,
# though each command is checked against the session's level), so ipmi_sim
# cannot produce a "privilege refused" error.

IPMISIM_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IPMISIM_FIXTURE_DIR="$(cd "$IPMISIM_LIB_DIR/../ipmisim" && pwd)"
IPMISIM_ADDR=127.0.0.1
IPMISIM_CONSOLE_OFFSET=1000
IPMISIM_MAX=200
# records in the SEL right after a start (1 generated at init + 20 sel_add in
# sim.emu); the SDR repository's record count (sensors.sdrs + raw-sdrs.txt)
# shellcheck disable=SC2034  # for the tests that source this file
IPMISIM_SEL_INITIAL=21
# shellcheck disable=SC2034
IPMISIM_SDR_COUNT=57

# Instance name for 1-based index $1.
ipmisim_name() {
    printf 'sim%02d\n' "$1"
}

# System GUID of instance $1 as `ipmitool mc guid` prints it ("System GUID"
# line).  ipmitool treats the 16 bytes of Get System GUID as IPMI/SMBIOS
# encoding, i.e. least significant byte first, and prints all 16 bytes
# reversed.  The last byte is the instance number, so every BMC is distinct
# and a byte-order mistake cannot go unnoticed (no byte is repeated).
ipmisim_guid() {
    printf '1a2b3c4d-5e6f-4708-9192-a3b4c5d6e7%02x\n' "$1"
}

# The same GUID in wire order (what lan.conf's `guid` wants): reversed bytes.
ipmisim_guid_wire() {
    local hex out="" i
    hex=$(ipmisim_guid "$1" | tr -d '-')
    for ((i = 30; i >= 0; i -= 2)); do
        out+=${hex:i:2}
    done
    printf '%s\n' "$out"
}

# Ports in use on this host (any address), one per line; $1 = udp|tcp.
ipmisim_used_ports() {
    local flag=-Huan
    [[ $1 == tcp ]] && flag=-Htan
    ss "$flag" 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un
}

# True if UDP port $1 or TCP port $1+1000 (the console) is in use.
ipmisim_port_busy() {
    local port=$1
    ss -Huan "sport = :$port" 2>/dev/null | grep -q . && return 0
    ss -Htan "sport = :$((port + IPMISIM_CONSOLE_OFFSET))" 2>/dev/null | grep -q . && return 0
    return 1
}

# True if PID $1 is an ipmi_sim whose command line names run dir $2.
ipmisim_is_ours() {
    local pid=$1 rundir=$2 cmd
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    { cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline"); } 2> /dev/null || return 1
    [[ $cmd == *ipmi_sim* && $cmd == *"$rundir/"* ]]
}

# True while PID $1 is a child forked by this script that has not exec'd
# ipmi_sim yet: its command line is still a copy of this shell's.
ipmisim_pre_exec() {
    local pid=$1 theirs mine
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    { theirs=$(tr '\0' ' ' < "/proc/$pid/cmdline"); mine=$(tr '\0' ' ' < "/proc/$$/cmdline"); } 2> /dev/null || return 1
    [[ -n $theirs && $theirs == "$mine" ]]
}

ipmisim_err() {
    printf 'ipmisim: %s\n' "$*" >&2
}

# ipmisim_start N BASE_PORT RUNDIR
ipmisim_start() {
    local n=${1:-} base=${2:-} rundir=${3:-}
    local i port cport name d power pid sdrs_mtime ok t
    if [[ ! $n =~ ^[0-9]+$ ]] || ((n < 1 || n > IPMISIM_MAX)); then
        ipmisim_err "N must be 1..$IPMISIM_MAX (got '$n')"; return 2
    fi
    if [[ ! $base =~ ^[0-9]+$ ]] || ((base < 1024 || base + n - 1 + IPMISIM_CONSOLE_OFFSET > 65535)); then
        ipmisim_err "BASE_PORT must be >= 1024 and BASE+N-1+$IPMISIM_CONSOLE_OFFSET <= 65535 (got '$base')"; return 2
    fi
    if [[ -z $rundir ]]; then
        ipmisim_err "usage: ipmisim_start N BASE_PORT RUNDIR"; return 2
    fi
    for t in ipmi_sim sdrcomp ss python3; do
        command -v "$t" >/dev/null || { ipmisim_err "$t not found (apt-get install openipmi iproute2 python3)"; return 1; }
    done
    mkdir -p "$rundir" || return 1
    rundir=$(cd "$rundir" && pwd) || return 1
    # lan.conf's chassis_control string is split on blanks by ipmi_sim
    if [[ $rundir == *[[:space:]]* || $IPMISIM_FIXTURE_DIR == *[[:space:]]* ]]; then
        ipmisim_err "paths with blanks are not supported: $rundir"; return 1
    fi
    # fresh start: stop whatever a previous start left in this run dir
    [[ -s $rundir/pids ]] && ipmisim_stop "$rundir"

    for ((i = 1; i <= n; i++)); do
        port=$((base + i - 1))
        if ipmisim_port_busy "$port"; then
            ipmisim_err "udp $port or tcp $((port + IPMISIM_CONSOLE_OFFSET)) is already in use"; return 1
        fi
    done

    sdrs_mtime=$(stat -c %Y "$IPMISIM_FIXTURE_DIR/sensors.sdrs") || return 1
    : > "$rundir/pids"
    for ((i = 1; i <= n; i++)); do
        port=$((base + i - 1))
        cport=$((port + IPMISIM_CONSOLE_OFFSET))
        name=$(ipmisim_name "$i")
        d=$rundir/$name
        rm -rf "$d"
        mkdir -p "$d/state/ipmi_sim/$name" || return 1
        case ${IPMISIM_POWER:-alternate} in
            on) power=1 ;;
            off) power=0 ;;
            *) power=$((i % 2)) ;;
        esac
        echo "$power" > "$d/power"
        sed -e "s|@NAME@|$name|g" -e "s|@PORT@|$port|g" -e "s|@CONSOLE_PORT@|$cport|g" \
            -e "s|@GUID@|$(ipmisim_guid_wire "$i")|g" \
            -e "s|@CHASSIS_CTL@|/bin/sh $IPMISIM_FIXTURE_DIR/chassis-control.sh $d|g" \
            "$IPMISIM_FIXTURE_DIR/lan.conf.in" > "$d/lan.conf" || return 1
        # SDR repository; -8 = 8-bit ASCII ID strings
        if ! sdrcomp -8 -o "$d/state/ipmi_sim/$name/sdr.20.main" \
                "$IPMISIM_FIXTURE_DIR/sensors.sdrs" > "$d/sdrcomp.log" 2>&1; then
            ipmisim_err "sdrcomp failed: $(cat "$d/sdrcomp.log")"; ipmisim_stop "$rundir"; return 1
        fi
        # sdrcomp stamps "last_add_time" with the current time; pin it to the
        # source's mtime so SDR caches (FreeIPMI's, the bridge's) keyed on the
        # repository timestamps survive a restart of the simulator.
        sed -i "s/^last_add_time:i:.*/last_add_time:i:$sdrs_mtime/" \
            "$d/state/ipmi_sim/$name/sdr.20.main" || return 1
        # records sdrcomp cannot express (OEM C0h) go after the compiled ones.
        # (Their changes do not move the pinned time: touch sensors.sdrs.)
        if ! python3 "$IPMISIM_FIXTURE_DIR/rawsdr.py" "$d/state/ipmi_sim/$name/sdr.20.main" \
                "$IPMISIM_FIXTURE_DIR/raw-sdrs.txt" >> "$d/sdrcomp.log" 2>&1; then
            ipmisim_err "rawsdr.py failed: $(cat "$d/sdrcomp.log")"; ipmisim_stop "$rundir"; return 1
        fi
        # -n: no console on stdin/stdout.  The subshell execs ipmi_sim, so $!
        # is the simulator's own PID.  cwd = fixture dir for `include "./fru.emu"`.
        (cd "$IPMISIM_FIXTURE_DIR" && exec ipmi_sim -n -c "$d/lan.conf" -f "$IPMISIM_FIXTURE_DIR/sim.emu" \
            -s "$d/state" < /dev/null > "$d/ipmi_sim.log" 2>&1) &
        pid=$!
        echo "$pid $port $name" >> "$rundir/pids"
    done

    # wait (max ~10 s) until every instance has bound its UDP port and console
    for ((t = 0; t < 200; t++)); do
        ok=1
        while read -r pid port name; do
            if ipmisim_pre_exec "$pid"; then
                ok=0    # forked, not exec'd yet (happens on a busy machine)
                break
            fi
            if ! ipmisim_is_ours "$pid" "$rundir"; then
                ipmisim_err "$name (pid $pid, port $port) exited: $(tail -n 5 "$rundir/$name/ipmi_sim.log" 2>/dev/null)"
                ipmisim_stop "$rundir"
                return 1
            fi
            if ! ss -Hlun "src $IPMISIM_ADDR:$port" 2>/dev/null | grep -q . ||
               ! ss -Hltn "src $IPMISIM_ADDR:$((port + IPMISIM_CONSOLE_OFFSET))" 2>/dev/null | grep -q .; then
                ok=0
                break
            fi
        done < "$rundir/pids"
        ((ok)) && return 0
        sleep 0.05
    done
    ipmisim_err "timeout waiting for the simulators to bind their ports (see $rundir/*/ipmi_sim.log)"
    ipmisim_stop "$rundir"
    return 1
}

# ipmisim_stop RUNDIR: TERM the recorded PIDs, wait up to 5 s, then KILL.
ipmisim_stop() {
    local rundir=${1:-} pid port name t
    local -a pids=() left=()
    [[ -n $rundir ]] || { ipmisim_err "usage: ipmisim_stop RUNDIR"; return 2; }
    [[ -d $rundir ]] || return 0
    rundir=$(cd "$rundir" && pwd) || return 1
    [[ -s $rundir/pids ]] || { rm -f "$rundir/pids"; return 0; }
    # a simulator forked a moment ago may not have exec'd yet: let it (max 2 s),
    # otherwise it would not be recognised as ours and outlive this stop
    for ((t = 0; t < 100; t++)); do
        left=()
        while read -r pid port name; do
            ipmisim_pre_exec "$pid" && left+=("$pid")
        done < "$rundir/pids"
        ((${#left[@]} == 0)) && break
        sleep 0.02
    done
    while read -r pid port name; do
        if ipmisim_is_ours "$pid" "$rundir"; then
            kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
        fi
    done < "$rundir/pids"
    # a zombie's cmdline is empty, so an exited child no longer counts as ours
    for ((t = 0; t < 100 && ${#pids[@]} > 0; t++)); do
        sleep 0.05
        left=()
        for pid in "${pids[@]}"; do
            ipmisim_is_ours "$pid" "$rundir" && left+=("$pid")
        done
        pids=("${left[@]}")
    done
    for pid in "${pids[@]}"; do
        ipmisim_err "pid $pid ignored SIGTERM, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -f "$rundir/pids"
    return 0
}

# ipmisim_cmd PORT 'cmd' ['cmd'...]: run emulator commands on the console of
# the instance whose RMCP+ port is PORT; prints the console's answers.
ipmisim_cmd() {
    local port=${1:-} c fd
    if [[ ! $port =~ ^[0-9]+$ || $# -lt 2 ]]; then
        ipmisim_err "usage: ipmisim_cmd PORT 'command' ['command' ...]"; return 2
    fi
    shift
    exec {fd}<> "/dev/tcp/$IPMISIM_ADDR/$((port + IPMISIM_CONSOLE_OFFSET))" || return 1
    for c in "$@"; do
        if [[ $c =~ ^[[:space:]]*quit ]]; then
            ipmisim_err "refusing to send 'quit' (it ends the simulator)"
            continue
        fi
        printf '%s\r\n' "$c" >&"$fd"
    done
    # collect output briefly; drop telnet negotiation bytes, CRs and prompts
    timeout "${IPMISIM_CMD_WAIT:-0.5}" cat <&"$fd" | LC_ALL=C tr -d '\377\373\374\375\376\001\003\r' |
        sed -e 's/^\(> \)*//' | grep -v '^>* *$' || true
    exec {fd}>&-
    return 0
}

# ipmisim_ipmitool PORT ARGS...: ipmitool (lanplus, admin, cipher suite 3) on
# the instance whose RMCP+ port is PORT, with a timeout.
ipmisim_ipmitool() {
    local port=$1
    shift
    timeout "${IPMISIM_IPMITOOL_TIMEOUT:-30}" ipmitool -I lanplus -H "$IPMISIM_ADDR" -p "$port" \
        -U admin -P password -C 3 "$@"
}

# ipmisim_sel_add PORT N [FIRST]: add N system event records at runtime
# through the console: CPU Temp (sensor 1) "upper non-critical going high",
# alternately asserted and deasserted, with trigger readings FIRST, FIRST+1,
# ... (default 76; threshold 75) so every record differs.  ipmi_sim gives
# them the next record IDs and its current timestamp.  Waits until the SEL
# has grown by N (max ~5 s; needs ipmitool); returns 1 if it did not.
ipmisim_sel_add() {
    local port=${1:-} n=${2:-} first=${3:-76} i dir before after t
    local -a cmds=()
    if [[ ! $port =~ ^[0-9]+$ || ! $n =~ ^[0-9]+$ ]] || ((n < 1 || first + n > 255)); then
        ipmisim_err "usage: ipmisim_sel_add PORT N [FIRST-READING]"; return 2
    fi
    before=$(ipmisim_sel_count "$port") || return 1
    for ((i = 0; i < n; i++)); do
        dir=$(((i % 2) ? 0x81 : 0x01))
        cmds+=("sel_add 0x20 0x02 0 0 0 0 0x20 0x00 0x04 0x01 0x01 $(printf '0x%02x' "$dir") 0x57 $((first + i)) 75")
    done
    IPMISIM_CMD_WAIT=${IPMISIM_CMD_WAIT:-0.3} ipmisim_cmd "$port" "${cmds[@]}" > /dev/null || return 1
    for ((t = 0; t < 50; t++)); do
        after=$(ipmisim_sel_count "$port") || return 1
        ((after >= before + n)) && return 0
        sleep 0.1
    done
    ipmisim_err "SEL on port $port has $after records, expected $((before + n))"
    return 1
}

# ipmisim_sel_clear PORT: erase the SEL as a client does (Clear SEL, ipmitool)
ipmisim_sel_clear() {
    local port=${1:-}
    [[ $port =~ ^[0-9]+$ ]] || { ipmisim_err "usage: ipmisim_sel_clear PORT"; return 2; }
    ipmisim_ipmitool "$port" sel clear > /dev/null
}

# ipmisim_sel_count PORT: print the SEL's record count ("Entries" of sel info)
ipmisim_sel_count() {
    local port=${1:-} out n
    [[ $port =~ ^[0-9]+$ ]] || { ipmisim_err "usage: ipmisim_sel_count PORT"; return 2; }
    out=$(ipmisim_ipmitool "$port" sel info 2>&1) || { ipmisim_err "ipmitool sel info: $out"; return 1; }
    n=$(printf '%s\n' "$out" | sed -n 's/^Entries *: *\([0-9][0-9]*\).*/\1/p')
    [[ -n $n ]] || { ipmisim_err "no 'Entries' in ipmitool sel info: $out"; return 1; }
    echo "$n"
}

# ipmisim_status RUNDIR: print "PID PORT NAME state" for each recorded instance.
ipmisim_status() {
    local rundir=${1:-} pid port name
    [[ -s $rundir/pids ]] || { echo "no simulators recorded in $rundir"; return 1; }
    rundir=$(cd "$rundir" && pwd) || return 1
    while read -r pid port name; do
        if ipmisim_is_ours "$pid" "$rundir"; then
            echo "$pid $port $name running"
        else
            echo "$pid $port $name gone"
        fi
    done < "$rundir/pids"
}

ipmisim_main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
        start)
            ipmisim_start "$@" || return
            echo "# pid port name   (console = port + $IPMISIM_CONSOLE_OFFSET)"
            cat "$3/pids"
            ;;
        stop) ipmisim_stop "$@" ;;
        cmd) ipmisim_cmd "$@" ;;
        sel-add) ipmisim_sel_add "$@" ;;
        sel-clear) ipmisim_sel_clear "$@" ;;
        sel-count) ipmisim_sel_count "$@" ;;
        status) ipmisim_status "$@" ;;
        guid) ipmisim_guid "$@" ;;
        *)
            sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
            return 2
            ;;
    esac
}

# executed rather than sourced: act as a command line tool
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    ipmisim_main "$@"
fi
