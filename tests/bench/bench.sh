#!/usr/bin/env bash
# bench.sh - `make bench`: the whole daemon, one table (not a test; `make
# check` runs a 2-second smoke of it through tests/bench/smoke_bench.sh).
#
# Real programs only: bmcsim (the simulated fleet, in one or more processes
# pinned to their own cores), the real daemon (ipmi-snmp-bridge), a private
# snmpd (AgentX master) and snmptrapd, and FreeIPMI's ipmi-sensors.  Rows:
#
#   poll      readings/s and the daemon's CPU (utime + stime of the process,
#             i.e. its getrusage, kernel included) per reading, for every
#             size x cipher x workers; readings are Get Sensor Reading
#             requests answered, counted by the simulators; which side was
#             CPU-bound; the cold start (daemon start until every BMC is
#             polling, from the daemon's sd_notify STATUS) and RSS per BMC
#             after a full poll
#   callgrind instructions (user space, libraries included) per reading,
#             collected only in a window after every BMC polls
#   snmp      snmpbulkwalk varbinds/s of ipmiSensorTable at two fleet sizes,
#             the per-varbind cost ratio of the two, snmpd's own mib-2 walk
#             as the ceiling; snmpget p50/p99 (snmpget_lat) at the larger
#             size, idle and while polling at full rate
#   pet       events injected at bmcsim -> PET -> daemon -> snmpd -> trap
#             sink: p50/p99 latency and losses at PET_RATE/s
#   freeipmi  ipmi-sensors -F 64 with a warm SDR cache against the same
#             fleet as the daemon in the same run: readings/s, CPU us per
#             reading (getrusage of the children), ratio to ours
#
# Environment (defaults: see the note on 50,000 BMCs below):
#   BENCH_ROWS="poll callgrind snmp pet freeipmi"  BENCH_SECONDS=10
#   BENCH_SIZES="1000 10000 50000"  BENCH_CIPHERS="17 3"  BENCH_WORKERS="1 <cores>"
#   BENCH_COLD_BMCS=10000  BENCH_CALLGRIND_BMCS=100  BENCH_CALLGRIND_SECONDS=10
#   BENCH_WALK_SIZES="100 1000"  BENCH_GETS=20000  BENCH_PET_BMCS=100
#   BENCH_PET_RATE=1000  BENCH_FREEIPMI_BMCS=200  BENCH_JSON=./bench.json
#   BENCH_SMOKE=1: tiny sizes, about 2 s a row, asserts only that it ran.
#
# Sizes a bmcsim process cannot hold (one socket per BMC, the open-files
# limit is per process: 50,000 BMCs need 3 processes at 20,000) are split
# over several processes on separate loopback addresses (127.71.K.1).  On 2
# cores they all share the simulator's core, and the poll row says so and
# which side was CPU-bound.  The four 50,000-BMC poll cases took 10.5
# minutes on a 2-core VM (the first a cold start with an empty SDR cache:
# 7.7 million Get SDR requests; the others find it warm), the whole default
# run about 18; BENCH_SIZES="1000 10000" leaves them out (about 7).
set -euo pipefail
TESTS_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"
# shellcheck source=tests/bmcsim/testlib.sh
. "$TESTS_LIB_DIR/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

HERE="$top_srcdir/tests/bench"
LIBPY="$HERE/bench_lib.py"
SINKPY="$top_srcdir/tests/bmcsim/sdnotify_sink.py"
LAT="$top_builddir/tests/bench/snmpget_lat"
OBJ=.1.3.6.1.4.1.8072.9999.9999.623.1
ROOT=.1.3.6.1.4.1.8072.9999.9999.623
CORES=$(nproc)
SMOKE=${BENCH_SMOKE:-0}
ROWS=${BENCH_ROWS:-poll callgrind snmp pet freeipmi}
SECS=${BENCH_SECONDS:-10}
SIZES=${BENCH_SIZES:-1000 10000 50000}
CIPHERS=${BENCH_CIPHERS:-17 3}
WORKERS=${BENCH_WORKERS:-1 $((CORES > 1 ? CORES : 2))}
COLD_BMCS=${BENCH_COLD_BMCS:-10000}
CG_BMCS=${BENCH_CALLGRIND_BMCS:-100}
CG_SECS=${BENCH_CALLGRIND_SECONDS:-10}
WALK_SIZES=${BENCH_WALK_SIZES:-100 1000}
GETS=${BENCH_GETS:-20000}
PET_BMCS=${BENCH_PET_BMCS:-100}
PET_RATE=${BENCH_PET_RATE:-1000}
FI_BMCS=${BENCH_FREEIPMI_BMCS:-200}
COLD_LIMIT=${BENCH_COLD_LIMIT:-900}

require_bmcsim
require_bridge
require_cmds python3 awk ss
bmcsim_setup
JSON=${BENCH_JSON:-$PWD/bench.json}
if ((SMOKE)); then
    SECS=2 SIZES=20 CIPHERS=17 WORKERS="1 2" COLD_BMCS=20 CG_BMCS=5 CG_SECS=2
    WALK_SIZES="5 10" GETS=200 PET_BMCS=5 PET_RATE=50 FI_BMCS=5 COLD_LIMIT=60
    JSON=$RUNDIR/bench.json
fi
OPEN_MAX=$(ulimit -Hn)
ulimit -n "$OPEN_MAX" 2> /dev/null || true
SIM_CAP=$((OPEN_MAX - 200)) # BMCs one bmcsim process holds (one socket each)
HZ=$(getconf CLK_TCK)
FIGS=$RUNDIR/figs.tsv
: > "$FIGS"
fig() { printf '%s\t%s\n' "$1" "$2" >> "$FIGS"; }
say() { echo "bench: $*" >&2; }

# ---- cores: the simulators get the last cores, the daemon (and FreeIPMI) the rest
if ((CORES > 2)); then
    SIM_NCORES=$((CORES / 2 > 8 ? 8 : CORES / 2))
elif ((CORES == 2)); then
    SIM_NCORES=1
else
    SIM_NCORES=0
fi
if ((SIM_NCORES > 0)); then
    DAEMON_CPUS="0-$((CORES - SIM_NCORES - 1))"
    DAEMON_NCORES=$((CORES - SIM_NCORES))
else
    DAEMON_CPUS=0
    DAEMON_NCORES=1
fi
sim_cpu() { # sim_cpu K: the core of simulator process K
    if ((SIM_NCORES > 0)); then echo $((CORES - SIM_NCORES + $1 % SIM_NCORES)); else echo 0; fi
}
# pin CPUS CMD...: exec under taskset (keeps the PID) when there is more than one core
pin() {
    if ((CORES > 1)) && command -v taskset > /dev/null; then exec taskset -c "$1" "${@:2}"; else exec "${@:2}"; fi
}
ticks() { # ticks PID...: utime + stime summed, clock ticks
    local t=0 p v
    for p in "$@"; do
        v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2> /dev/null || echo 0)
        t=$((t + v))
    done
    echo "$t"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf $1 }"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

fig meta/machine "$(uname -srm); $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); $CORES cores; $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
fig meta/load_average_at_start "$(loadavg)"
fig meta/cores_bmcsim_daemon "bmcsim on $((SIM_NCORES > 0 ? SIM_NCORES : 1)) core(s) ($(sim_cpu 0)..), the daemon and FreeIPMI on cores $DAEMON_CPUS"
fig meta/open_files_limit "$OPEN_MAX"
fig meta/seconds_per_window "$SECS"

# ---- what this build supports --------------------------------------------------------
probe_key() { # probe_key 'KEY = VALUE': true if --check-config accepts it
    local f=$RUNDIR/probe.conf
    printf '%s\nbmc "p" { address = "127.0.0.1"  username = "u"  password-file = "%s" }\n' "$1" "$RUNDIR/pw" > "$f"
    "$BRIDGE" -c "$f" --check-config > /dev/null 2>&1
}
HAVE_WORKERS=0
if probe_key "worker-threads = 2"; then HAVE_WORKERS=1; fi
fig meta/worker_threads "$( ((HAVE_WORKERS)) && echo supported || echo 'not in this build')"

# ---- the fleet: one or more bmcsim processes ---------------------------------------------
SIM_PROFILE=$RUNDIR/bench.profile
# the default server (51 sensors) with room for the PET row's events in the SEL
sed -e 's/sel_capacity=[0-9]*/sel_capacity=1024/' "$top_srcdir/tests/bmcsim/default.profile" > "$SIM_PROFILE"
FLEET_PIDS=()
FLEET_CTLS=()
FLEET_GROUPS=""
FLEET_HOSTS=""
FLEET_WHY=""
# The simulated BMCs live on loopback addresses of their own (127.71.K.1 for
# simulator process K), so that other programs on 127.0.0.1 take none of
# their ports; only a wildcard listener could (what "--address" is for).
FLEET_NET=127.71
# fleet_base COUNT: a base port P < 32768 (the ephemeral range) such that no
# socket holds any of P..P+COUNT-1 on the wildcard or the fleet's addresses
fleet_base() {
    local count=$1 base p ok a
    local -A used=()
    while read -r a; do used[${a##*:}]=1; done < <(ss -Huan | awk '{ print $4 }' |
        grep -E "^(0\.0\.0\.0|\*|\[::\]|${FLEET_NET//./\.}\.)" || true)
    for ((base = 2000; base + count <= 32768; base += 500)); do
        ok=1
        for ((p = base; p < base + count; p++)); do
            if [[ -n ${used[$p]:-} ]]; then
                ok=0
                break
            fi
        done
        if ((ok)); then
            echo "$base"
            return 0
        fi
    done
    return 1
}
# fleet_fits N: true if this machine runs N simulated BMCs (FLEET_WHY if
# not).  A bmcsim process holds at most SIM_CAP BMCs (one socket each, the
# open-files limit is per process), so a larger fleet is split over several
# processes; when there are more of them than simulator cores they share
# those cores (FLEET_NOTE says so, and the CPU-bound column shows whether
# they kept up).  Only the memory for the simulators' sockets and sessions
# (about 4 KB a BMC) could stop a fleet.
FLEET_NOTE=""
fleet_fits() {
    local procs=$((($1 + SIM_CAP - 1) / SIM_CAP)) ncores=$((SIM_NCORES > 0 ? SIM_NCORES : 1)) avail
    FLEET_NOTE=""
    avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
    if ((avail < $1 / 25)); then
        FLEET_WHY="skipped: $1 BMCs need about $(($1 / 25)) MB for the simulators and the daemon; $avail MB available"
        return 1
    fi
    if ((procs > ncores)); then
        FLEET_NOTE="$procs bmcsim processes (one socket per BMC, open-files limit $OPEN_MAX) on $ncores core(s)"
    fi
    return 0
}
# start_fleet N TAG [BMCSIM-ARG...]: 0 started; 2 too big for this machine (FLEET_WHY)
start_fleet() {
    local n=$1 tag=$2 procs per port k i c addr
    shift 2
    fleet_fits "$n" || return 2
    procs=$(((n + SIM_CAP - 1) / SIM_CAP))
    if ((CORES > 2 && n >= 2000 && procs < SIM_NCORES)); then procs=$SIM_NCORES; fi
    per=$(((n + procs - 1) / procs))
    port=$(fleet_base "$per") || bail_out "no free port range of $per on $FLEET_NET.*"
    FLEET_PIDS=() FLEET_CTLS=() FLEET_GROUPS="" FLEET_HOSTS=""
    for ((k = 0, i = 0; i < n; k++, i += per)); do
        c=$((n - i < per ? n - i : per))
        addr=$FLEET_NET.$k.1
        (pin "$(sim_cpu "$k")" "$BMCSIM" --control "$RUNDIR/$tag-$k.ctl" --password-file "$RUNDIR/pw" \
            --address "$addr" --count "$c" --base-port "$port" --seed $((11 + k)) --profile "$SIM_PROFILE" \
            "$@" > "$RUNDIR/$tag-$k.out" 2> "$RUNDIR/$tag-$k.err" < /dev/null) &
        FLEET_PIDS+=($!)
        FLEET_CTLS+=("$RUNDIR/$tag-$k.ctl")
        track_pid "$!" bmcsim
        FLEET_GROUPS+="bmc-group \"$tag$k\" { addresses = \"$addr:[$port-$((port + c - 1))]\"  name-format = \"$tag$k-%d\" }"$'\n'
        for ((j = 0; j < c; j++)); do FLEET_HOSTS+="${FLEET_HOSTS:+,}$addr:$((port + j))"; done
    done
    for ((k = 0; k < ${#FLEET_PIDS[@]}; k++)); do
        for ((i = 0; i < 1200; i++)); do
            grep -q '^bmcsim: ready: ' "$RUNDIR/$tag-$k.out" 2> /dev/null && break
            kill -0 "${FLEET_PIDS[$k]}" 2> /dev/null || bail_out "bmcsim $tag-$k: $(cat "$RUNDIR/$tag-$k.err")"
            sleep 0.05
        done
    done
    return 0
}
stop_fleet() {
    local p
    for p in "${FLEET_PIDS[@]}"; do stop_pid "$p" bmcsim; done
    FLEET_PIDS=()
}
fleet_counter() { # fleet_counter NAME: summed over the simulator processes
    local ctl t=0 v
    for ctl in "${FLEET_CTLS[@]}"; do
        v=$("$BMCSIM_CTL" -s "$ctl" counters all | awk -F= -v k="$1" '$1 == k { print $2 }')
        t=$((t + ${v:-0}))
    done
    echo "$t"
}
# sim_util SECONDS: the busiest simulator core's share (the processes
# pinned to one core summed), from SIM_T0 (sim_ticks0)
SIM_T0=()
sim_ticks0() {
    local p
    SIM_T0=()
    for p in "${FLEET_PIDS[@]}"; do SIM_T0+=("$(ticks "$p")"); done
}
sim_util() {
    local k m=0 u c
    local -A per=()
    for ((k = 0; k < ${#FLEET_PIDS[@]}; k++)); do
        c=$(sim_cpu "$k")
        per[$c]=$((${per[$c]:-0} + $(ticks "${FLEET_PIDS[$k]}") - ${SIM_T0[$k]}))
    done
    for c in "${!per[@]}"; do
        u=$(calc "\"%.0f\", ${per[$c]} / $HZ / $1 * 100")
        ((u > m)) && m=$u
    done
    echo "$m"
}

# ---- the daemon --------------------------------------------------------------------------
DPID=""
DTAG=""
# write_cfg FILE TAG CIPHER SENSOR-INTERVAL WORKERS [EXTRA-LINES]
write_cfg() {
    local wline=""
    ((HAVE_WORKERS)) && wline="worker-threads = $5"
    cat > "$1" << EOF
# written by bench.sh
timeout = 2.0
retries = 3
max-logins = 64
max-sdr-reads = 128
sel-entries = 256
state-dir = "$RUNDIR/state-$2"
sdr-cache-dir = "$RUNDIR/sdr-$2"
status-file = "$RUNDIR/status.json"
status-interval = 0
sensor-interval = $4
$wline
${6:-}
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {$3} }
$FLEET_GROUPS
EOF
}
# start_daemon CFG TAG [DAEMON-ARG...]: the daemon (pinned to the daemon's
# cores; under DAEMON_PREFIX, e.g. valgrind, when set) with a private
# sd_notify socket: STATUS every half second
DAEMON_PREFIX=()
start_daemon() {
    local cfg=$1 tag=$2
    shift 2
    DTAG=$tag
    python3 "$SINKPY" "$RUNDIR/notify-$tag.sock" "$RUNDIR/notify-$tag.log" < /dev/null > /dev/null 2>&1 &
    track_pid "$!" sdnotify_sink
    for ((i = 0; i < 100; i++)); do
        [[ -S $RUNDIR/notify-$tag.sock ]] && break
        sleep 0.05
    done
    (NOTIFY_SOCKET="$RUNDIR/notify-$tag.sock" WATCHDOG_USEC=1000000 \
        pin "$DAEMON_CPUS" "${DAEMON_PREFIX[@]}" "$BRIDGE" -c "$cfg" --allow-root "$@" \
        > "$RUNDIR/daemon-$tag.out" 2> "$RUNDIR/daemon-$tag.err" < /dev/null) &
    DPID=$!
    track_pid "$DPID" "$BRIDGE"
}
# stop_daemon: SIGTERM, and up to 60 s to close every session (50,000 BMCs:
# about 20 s here) before stop_pid's 5 s and SIGKILL; STOP_S = the seconds
stop_daemon() {
    local t0 t
    STOP_S=""
    if [[ -n $DPID ]]; then
        t0=$(now)
        kill -TERM "$DPID" 2> /dev/null || true
        for ((t = 0; t < 1200; t++)); do
            pid_matches "$DPID" "$BRIDGE" || break
            sleep 0.05
        done
        pid_matches "$DPID" "$BRIDGE" || STOP_S=$(calc "\"%.1f\", $(now) - $t0")
        stop_pid "$DPID" "$BRIDGE"
    fi
    DPID=""
}
# polling_now: BMCs in state polling (sd_notify STATUS; the status file, on
# SIGUSR1, when this build has no libsystemd)
polling_now() {
    local line st=$RUNDIR/status.json k
    line=$(grep -o 'STATUS=[0-9]* BMCs[^|]*' "$RUNDIR/notify-$DTAG.log" 2> /dev/null | tail -1 || true)
    if [[ -n $line ]]; then
        [[ $line =~ ([0-9]+)\ polling ]] && echo "${BASH_REMATCH[1]}" || echo 0
        return
    fi
    grep -q 'notice: running: ' "$RUNDIR/daemon-$DTAG.err" 2> /dev/null || {
        echo 0
        return
    }
    rm -f "$st"
    kill -USR1 "$DPID" 2> /dev/null || true
    for ((k = 0; k < 300; k++)); do
        [[ -s $st ]] && break
        sleep 0.1
    done
    grep -o '"polling": [0-9]*' "$st" 2> /dev/null | head -1 | awk '{ print $2 + 0 }' || echo 0
}
# wait_polling N LIMIT-SECONDS: prints the seconds from start until all N poll ("" if not)
wait_polling() {
    local n=$1 limit=$2 t0 p=0
    t0=$(now)
    while :; do
        p=$(polling_now)
        if ((p >= n)); then
            calc "\"%.1f\", $(now) - $t0"
            return 0
        fi
        kill -0 "$DPID" 2> /dev/null || {
            say "the daemon exited: $(tail -3 "$RUNDIR/daemon-$DTAG.err")"
            return 0
        }
        (($(calc "\"%d\", $(now) - $t0") >= limit)) && {
            say "only $p of $n BMCs polling after $limit s"
            return 0
        }
        sleep 0.25
    done
}
# window SECONDS: readings, daemon CPU, simulator CPU over SECONDS; sets
# W_RATE W_US W_DPCT W_SPCT W_LOAD (the 1-minute load average after it)
window() {
    local r0 r1 c0 c1 t0 t1
    r0=$(fleet_counter content_get_sensor_reading)
    c0=$(ticks "$DPID")
    sim_ticks0
    t0=$(now)
    sleep "$1"
    c1=$(ticks "$DPID")
    t1=$(now)
    W_SPCT=$(sim_util "$(calc "\"%.3f\", $t1 - $t0")")
    r1=$(fleet_counter content_get_sensor_reading)
    W_RATE=$(calc "\"%.0f\", ($r1 - $r0) / ($t1 - $t0)")
    W_US=$(calc "\"%.2f\", ($r1 > $r0) ? ($c1 - $c0) / $HZ * 1e6 / ($r1 - $r0) : 0")
    W_DPCT=$(calc "\"%.0f\", ($c1 - $c0) / $HZ / ($t1 - $t0) * 100")
    W_LOAD=$(cut -d' ' -f1 /proc/loadavg)
}

# ---- poll: readings/s, CPU per reading, cold start, RSS ----------------------------------
poll_case() {
    local n=$1 cipher=$2 w=$3 key="poll/$1/c$2/w$3" cold ival dcores bound
    if ! fleet_fits "$n"; then
        fig "$key/skipped" "$FLEET_WHY"
        say "$FLEET_WHY"
        return 0
    fi
    if ((w > 1 && !HAVE_WORKERS)); then
        fig "$key/readings_per_s" "n/a (no worker-threads in this build)"
        return 0
    fi
    say "poll: $n BMCs, cipher $cipher, $w worker(s) (load $(loadavg))"
    start_fleet "$n" p || bail_out "$FLEET_WHY"
    # the cold start with nothing else to do (sensor-interval 3600: one first
    # sweep a BMC); the first case of a size starts with an empty SDR cache,
    # the others find it warm (same fleet, same seeds)
    local warm=0 dtag="p$n-$cipher-$w"
    [[ -d $RUNDIR/sdr-p$n ]] && warm=1
    write_cfg "$RUNDIR/p.conf" "p$n" "$cipher" 3600 "$w"
    start_daemon "$RUNDIR/p.conf" "$dtag" --no-agentx
    cold=$(wait_polling "$n" "$COLD_LIMIT")
    # then the load: one sweep a second up to 2,000 BMCs, every 5 s above;
    # more readings asked than the machine gives, so the figure is the capacity
    ival=$((n > 2000 ? 5 : 1))
    sed -i -e "s/^sensor-interval = .*/sensor-interval = $ival/" "$RUNDIR/p.conf"
    kill -HUP "$DPID"
    sleep $((ival + 2)) # a full sweep at the new interval
    window "$SECS"
    local rss
    rss=$(rss_kb "$DPID")
    dcores=$((w < DAEMON_NCORES ? w : DAEMON_NCORES))
    bound=neither
    if ((W_DPCT >= 85 * dcores && W_SPCT >= 85)); then
        bound="both (each near its cores)"
    elif ((W_DPCT >= 85 * dcores)); then
        bound=bridge
    elif ((W_SPCT >= 85)); then
        bound=bmcsim
    elif awk -v l="$W_LOAD" -v c="$CORES" 'BEGIN { exit !(l > c) }'; then
        # neither got its cores: other processes had them
        bound="neither (machine busy: load $W_LOAD on $CORES cores)"
    fi
    fig "$key/readings_per_s" "$W_RATE"
    fig "$key/cpu_us_per_reading" "$W_US"
    fig "$key/bridge_cpu_pct" "$W_DPCT"
    fig "$key/bmcsim_cpu_pct" "$W_SPCT"
    fig "$key/cpu_bound" "$bound"
    fig "$key/load_average" "$W_LOAD"
    fig "$key/cold_start_s" "${cold:-not all polling}$( ((warm)) && echo ' (SDR cache warm)')"
    fig "$key/rss_kb_per_bmc" "$(calc "\"%.1f\", $rss / $n")"
    local note=$FLEET_NOTE
    [[ -n $cold ]] || note+="${note:+; }not all BMCs polling within $COLD_LIMIT s"
    [[ -z $note ]] || fig "$key/note" "$note"
    if ((n == COLD_BMCS && !warm)); then
        fig cold/bmcs "$n"
        fig cold/seconds "${cold:-not all polling within $COLD_LIMIT s}"
        fig cold/rss_kb_per_bmc "$(calc "\"%.1f\", $rss / $n")"
    elif ((n == COLD_BMCS)); then
        if [[ -n $cold ]]; then
            fig cold/seconds_sdr_cache_warm "$cold s (cipher $cipher, $w worker(s))"
        else
            fig cold/seconds_sdr_cache_warm "not all polling within $COLD_LIMIT s (cipher $cipher, $w worker(s))"
        fi
    fi
    say "$key: $W_RATE readings/s, $W_US us/reading, bridge $W_DPCT%, bmcsim $W_SPCT%, cold ${cold:-?} s, RSS $rss kB"
    stop_daemon
    fig "$key/stop_s" "${STOP_S:-not stopped within 60 s}"
    stop_fleet
}

# ---- callgrind: instructions per reading ---------------------------------------------------
callgrind_row() {
    local n=$CG_BMCS cold r0 r1 ir out f
    fig callgrind/bmcs "$n"
    if ! command -v valgrind > /dev/null || ! command -v callgrind_control > /dev/null; then
        fig callgrind/ir_per_reading "n/a (no valgrind/callgrind_control)"
        return 0
    fi
    say "callgrind: $n BMCs (load $(loadavg))"
    start_fleet "$n" cg || bail_out "$FLEET_WHY"
    # under valgrind everything is ~50 times slower: generous timeouts
    write_cfg "$RUNDIR/cg.conf" cg 17 1 1 "session-timeout = 60"
    sed -i -e 's/^timeout = .*/timeout = 5.0/' "$RUNDIR/cg.conf"
    DAEMON_PREFIX=(valgrind --tool=callgrind --instr-atstart=no "--callgrind-out-file=$RUNDIR/cg.out.%p")
    start_daemon "$RUNDIR/cg.conf" cg --no-agentx
    DAEMON_PREFIX=()
    cold=$(wait_polling "$n" $((COLD_LIMIT > 300 ? 300 : COLD_LIMIT)))
    if [[ -z $cold ]]; then
        fig callgrind/ir_per_reading "n/a (not all BMCs polling under valgrind)"
        stop_daemon
        stop_fleet
        return 0
    fi
    sleep 2
    # collect only over the window: start-up, logins and SDR reads left out
    callgrind_control -i on "$DPID" > "$RUNDIR/cg-ctl.out" 2>&1
    r0=$(fleet_counter content_get_sensor_reading)
    sleep "$CG_SECS"
    callgrind_control -i off "$DPID" >> "$RUNDIR/cg-ctl.out" 2>&1
    r1=$(fleet_counter content_get_sensor_reading)
    callgrind_control -d "$DPID" >> "$RUNDIR/cg-ctl.out" 2>&1
    sleep 1
    stop_daemon
    stop_fleet
    # the dump asked for (.1): its totals are the window's (instrumentation was off before and after)
    out=""
    for f in "$RUNDIR"/cg.out.*.1; do [[ -e $f ]] && out=$f; done
    ir=$(awk '/^totals:/ { print $2; exit }' "${out:-/dev/null}")
    if [[ -z $ir || $((r1 - r0)) -le 0 ]]; then
        fig callgrind/ir_per_reading "n/a (no dump or no readings: $(tr '\n' ' ' < "$RUNDIR/cg-ctl.out" | cut -c1-200))"
        return 0
    fi
    fig callgrind/readings $((r1 - r0))
    fig callgrind/seconds "$CG_SECS"
    fig callgrind/ir "$ir"
    fig callgrind/ir_per_reading "$(calc "\"%.0f\", $ir / ($r1 - $r0)")"
    say "callgrind: $ir Ir over $((r1 - r0)) readings"
}

# ---- snmp: bulkwalk rate, per-row cost, ceiling, snmpget latency ---------------------------
timed_walk() { # timed_walk OID -> "varbinds seconds"
    local t0 t1 n
    t0=$(now)
    n=$(snmpbulkwalk -v2c -c public -On -Cr50 -t 30 "$SNMPD_TARGET" "$1" 2> /dev/null | wc -l)
    t1=$(now)
    echo "$n $(calc "\"%.3f\", $t1 - $t0")"
}
col_count() { # col_count OID: rows of one column
    snmpbulkwalk -v2c -c public -On -Cr50 -t 30 "$SNMPD_TARGET" "$1" 2> /dev/null | wc -l
}
snmp_row() {
    local n prev cur rows vb secs small="" large="" first=1 last
    if ! command -v snmpd > /dev/null || ! command -v snmpbulkwalk > /dev/null; then
        fig walk/x/varbinds_per_s "n/a (no snmpd/snmpbulkwalk)"
        return 0
    fi
    SNMP_PORT=$(free_port 1 22750) || bail_out "no free port"
    snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"
    last=${WALK_SIZES##* }
    for n in $WALK_SIZES; do
        say "snmp: $n BMCs (load $(loadavg))"
        start_fleet "$n" s || bail_out "$FLEET_WHY"
        write_cfg "$RUNDIR/s.conf" "s$n" 17 3600 1 "agentx-socket = \"$AGENTX_SOCK\"
sel-interval = 3600
sdr-check-interval = 3600
fru-interval = 86400
info-interval = 3600"
        start_daemon "$RUNDIR/s.conf" "s$n"
        [[ -n $(wait_polling "$n" "$COLD_LIMIT") ]] || say "snmp: not all $n BMCs polling"
        # the table is complete when two walks of one column agree
        prev=-1
        for ((t = 0; t < 60; t++)); do
            cur=$(col_count "$OBJ.5.1.3") # ipmiSensorNumber: every row has one
            ((cur > 0 && cur == prev)) && break
            prev=$cur
            sleep 1
        done
        rows=$cur
        read -r vb secs <<< "$(timed_walk "$OBJ.5")"
        fig "walk/$n/rows" "$rows"
        fig "walk/$n/varbinds" "$vb"
        fig "walk/$n/seconds" "$secs"
        fig "walk/$n/varbinds_per_s" "$(calc "\"%.0f\", $vb / $secs")"
        say "walk: $n BMCs, $rows rows: $vb varbinds in $secs s"
        if ((first)); then small="$n $vb $secs"; else large="$n $vb $secs"; fi
        first=0
        if ((n == last)) && [[ -x $LAT ]]; then get_latency "$n"; fi
        stop_daemon
        stop_fleet
    done
    if [[ -n $small && -n $large ]]; then
        read -r sn svb ssecs <<< "$small"
        read -r ln lvb lsecs <<< "$large"
        fig walk/ratio_at "$ln vs $sn BMCs"
        fig walk/per_row_ratio "$(calc "\"%.2f\", ($lsecs / $lvb) / ($ssecs / $svb)")"
    fi
    # the ceiling: snmpd walking a table of its own, in-process (no AgentX):
    # HOST-RESOURCES-MIB (cached tables); all of mib-2 is shown too, but its
    # UDP and TCP tables read /proc/net, slow on a machine with many sockets
    read -r vb secs <<< "$(timed_walk .1.3.6.1.2.1.25)"
    fig walk/ceiling_varbinds "$vb"
    fig walk/ceiling_varbinds_per_s "$(calc "\"%.0f\", $vb / $secs")"
    read -r vb secs <<< "$(timed_walk .1.3.6.1.2.1)"
    fig walk/mib2_varbinds_per_s "$(calc "\"%.0f\", $vb / $secs")"
    snmpd_stop
}
# get_latency N: snmpget p50/p99, idle and while polling at full rate
get_latency() {
    local n=$1 oids=$RUNDIR/oids.txt out a b cur prev
    fig get/bmcs "$n"
    snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ.3.1.4" 2> /dev/null | cut -d' ' -f1 > "$oids" || true
    snmpbulkwalk -v2c -c public -On -Cr50 -t 10 "$SNMPD_TARGET" "$OBJ.5.1.12" 2> /dev/null | cut -d' ' -f1 >> "$oids" || true
    get_phase idle "$oids"
    sed -i -e 's/^sensor-interval = .*/sensor-interval = 1/' "$RUNDIR/s.conf"
    kill -HUP "$DPID"
    # let the rate settle: two 2-second windows within 10 %
    prev=0
    for ((t = 0; t < 10; t++)); do
        a=$(fleet_counter content_get_sensor_reading)
        sleep 2
        b=$(fleet_counter content_get_sensor_reading)
        cur=$(((b - a) / 2))
        ((prev > 0 && cur * 10 >= prev * 9 && cur * 10 <= prev * 11)) && break
        prev=$cur
    done
    get_phase busy "$oids"
    fig get/busy/readings_per_s "$cur"
}
get_phase() {
    local out
    out=$("$LAT" "$SNMPD_TARGET" public "$GETS" 7 < "$2")
    say "snmpget $1: $out"
    fig "get/$1/requests" "$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<< "$out")"
    fig "get/$1/errors" "$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<< "$out")"
    fig "get/$1/p50_ms" "$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<< "$out")"
    fig "get/$1/p99_ms" "$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<< "$out")"
}

# ---- pet: PET -> notification latency and losses ----------------------------------------------
pet_row() {
    local n=$PET_BMCS trapport sinkport petport out got
    fig pet/bmcs "$n"
    fig pet/rate "$PET_RATE"
    if ! command -v snmpd > /dev/null || ! command -v snmptrapd > /dev/null; then
        fig pet/p50_ms "n/a (no snmpd/snmptrapd)"
        return 0
    fi
    say "pet: $n BMCs, $PET_RATE PET/s for $SECS s (load $(loadavg))"
    trapport=$(free_port 1 23300) || bail_out "no free port"
    sinkport=$(free_port 1 23320) || bail_out "no free port"
    petport=$(free_port 1 23360) || bail_out "no free port"
    mkdir -p "$RUNDIR/trapd/persist"
    printf '[snmp] hexOutputLength 0\nauthCommunity log public\n' > "$RUNDIR/trapd/snmptrapd.conf"
    MIBS="" SNMP_PERSISTENT_DIR="$RUNDIR/trapd/persist" snmptrapd -f -C -c "$RUNDIR/trapd/snmptrapd.conf" \
        -On -F 'TRAP %v\n' -Lf "$RUNDIR/traps.log" "udp:127.0.0.1:$trapport" > /dev/null 2>&1 < /dev/null &
    track_pid $! snmptrapd
    local tpid=$!
    SNMP_PORT=$(free_port 1 23340) || bail_out "no free port"
    SNMPD_EXTRA_CONF="trap2sink udp:127.0.0.1:$trapport public
trap2sink udp:127.0.0.1:$sinkport public"
    snmpd_start "$RUNDIR/snmpd-pet" "$SNMP_PORT" || bail_out "snmpd did not start"
    SNMPD_EXTRA_CONF=""
    start_fleet "$n" e --tick-ms 0 --pet-dest "127.0.0.1:$petport" || bail_out "$FLEET_WHY"
    write_cfg "$RUNDIR/e.conf" e 17 10 1 "agentx-socket = \"$AGENTX_SOCK\"
pet-listen = \"udp:127.0.0.1:$petport\"
notify-rate-per-bmc = 0
notify-rate-global = 0
notify-sensor-status = false
sel-interval = 3600
sdr-check-interval = 3600
fru-interval = 86400
info-interval = 3600"
    start_daemon "$RUNDIR/e.conf" e
    [[ -n $(wait_polling "$n" "$COLD_LIMIT") ]] || say "pet: not all $n BMCs polling"
    for ((t = 0; t < 100; t++)); do
        snmpget -v2c -c public -On -t 0.5 -r 0 "$SNMPD_TARGET" "$OBJ.3.1.4.1" 2>&1 | grep -q INTEGER && break
        sleep 0.1
    done
    sleep 1
    : > "$RUNDIR/traps.log"
    out=$(python3 "$LIBPY" pet "${FLEET_CTLS[0]}" "$sinkport" "$n" "$PET_RATE" "$SECS")
    sleep 2
    got=$(grep -c "4\.1\.0 = OID: $ROOT\.0\.1	" "$RUNDIR/traps.log" || true)
    say "pet: $out; snmptrapd logged $got ipmiPlatformEvent; bmcsim sent $(fleet_counter pets_sent) PETs"
    local sent recv
    sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<< "$out")
    recv=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' <<< "$out")
    fig pet/sent "$sent"
    fig pet/injected_ok "$(sed -n 's/.*injected_ok=\([0-9]*\).*/\1/p' <<< "$out")"
    fig pet/bmcsim_pets_sent "$(fleet_counter pets_sent)"
    fig pet/received "$recv"
    fig pet/lost $((sent - recv))
    if ((sent > recv)); then
        say "pet: the daemon's log: $(grep -v 'RAKP' "$RUNDIR/daemon-e.err" | grep -i 'agentx\|pet\|notif' | tail -5)"
        say "pet: snmpd's log: $(tail -5 "$RUNDIR/snmpd-pet/snmpd.log")"
    fi
    fig pet/snmptrapd_logged "$got"
    fig pet/p50_ms "$(sed -n 's/.*p50_ms=\([0-9.a-z]*\).*/\1/p' <<< "$out")"
    fig pet/p99_ms "$(sed -n 's/.*p99_ms=\([0-9.a-z]*\).*/\1/p' <<< "$out")"
    # where any loss happened: the daemon's own counters (PETs received, bad;
    # notifications it handed to snmpd)
    local k v
    for k in 4:pets_received 5:pets_bad 7:notifications_sent; do
        v=$(snmpget -v2c -c public -Oqv -t 5 "$SNMPD_TARGET" "$OBJ.1.${k%%:*}.0" 2> /dev/null || true)
        fig "pet/daemon_${k#*:}" "${v:-?}"
    done
    stop_daemon
    stop_fleet
    snmpd_stop
    stop_pid "$tpid" snmptrapd
}

# ---- freeipmi: ipmi-sensors -F 64 against the same fleet ------------------------------------
freeipmi_row() {
    local n=$FI_BMCS r0 r1 out fiargs
    fig freeipmi/bmcs "$n"
    if ! command -v ipmi-sensors > /dev/null; then
        fig freeipmi/cpu_us_per_reading "n/a (no ipmi-sensors)"
        return 0
    fi
    say "freeipmi: $n BMCs (load $(loadavg))"
    start_fleet "$n" f || bail_out "$FLEET_WHY"
    fiargs=(ipmi-sensors -D LAN_2_0 -h "$FLEET_HOSTS" --config-file="$RUNDIR/freeipmi.conf" -I 17 -F 64
        --sdr-cache-directory="$RUNDIR/sdr-cache" --quiet-cache --always-prefix)
    # warm the SDR cache (not measured)
    if ! timeout -k 5 600 "${fiargs[@]}" > "$RUNDIR/fi-warm.out" 2>&1; then
        say "freeipmi: warming run failed: $(head -3 "$RUNDIR/fi-warm.out")"
    fi
    r0=$(fleet_counter content_get_sensor_reading)
    out=$(pin "$DAEMON_CPUS" python3 "$LIBPY" runs "$SECS" "${fiargs[@]}")
    r1=$(fleet_counter content_get_sensor_reading)
    say "freeipmi: $out; $((r1 - r0)) readings; $(grep -c . "$RUNDIR/fi-warm.out") lines a run"
    local wall cpu fails
    wall=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<< "$out")
    cpu=$(sed -n 's/.*cpu_s=\([0-9.]*\).*/\1/p' <<< "$out")
    fails=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' <<< "$out")
    fig freeipmi/runs "$(sed -n 's/.*runs=\([0-9]*\).*/\1/p' <<< "$out")"
    fig freeipmi/failed_runs "$fails"
    if ((r1 - r0 <= 0)); then
        fig freeipmi/cpu_us_per_reading "n/a (ipmi-sensors read nothing: $(head -1 "$RUNDIR/fi-warm.out"))"
        stop_fleet
        return 0
    fi
    fig freeipmi/readings_per_s "$(calc "\"%.0f\", ($r1 - $r0) / $wall")"
    fig freeipmi/cpu_us_per_reading "$(calc "\"%.2f\", $cpu * 1e6 / ($r1 - $r0)")"
    # ours, on the same fleet
    write_cfg "$RUNDIR/f.conf" f 17 1 1
    start_daemon "$RUNDIR/f.conf" f --no-agentx
    [[ -n $(wait_polling "$n" "$COLD_LIMIT") ]] || say "freeipmi: not all $n BMCs polling (ours)"
    sleep 2
    window "$SECS"
    fig freeipmi/ours_readings_per_s "$W_RATE"
    fig freeipmi/ours_cpu_us_per_reading "$W_US"
    fig freeipmi/ratio "$(calc "\"%.1f\", ($W_US > 0) ? $cpu * 1e6 / ($r1 - $r0) / $W_US : 0")"
    stop_daemon
    stop_fleet
}

# ---- run ----------------------------------------------------------------------------------------
for row in $ROWS; do
    case $row in
        poll)
            for n in $SIZES; do
                for c in $CIPHERS; do
                    for w in $WORKERS; do poll_case "$n" "$c" "$w"; done
                done
            done
            ;;
        callgrind) callgrind_row ;;
        snmp) snmp_row ;;
        pet) pet_row ;;
        freeipmi) freeipmi_row ;;
        *) bail_out "unknown row '$row' in BENCH_ROWS" ;;
    esac
done
fig meta/load_average_at_end "$(loadavg)"
python3 "$LIBPY" report "$FIGS" "$JSON"
if ((SMOKE)); then
    assert_cmd "the bench wrote its JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["figures"]' "$JSON"
    finish
fi
