#!/usr/bin/env bash
# bench_rss.sh - the daemon's memory per BMC (not a test; `make bench`).
#
# For each fleet size N (BENCH_RSS_SIZES, default "10000 50000": the
# issue's figures; 50,000 takes about 5 minutes on a 2-core VM, most of it
# the cold start's 7.7 million Get SDR and 12.8 million Get SEL Entry
# requests) it starts bmcsim with N BMCs (the default profile with
# a SEL of BENCH_RSS_SEL entries, default 256: sel_history), the real daemon
# (--no-agentx, no status file: rendering one would itself grow the heap),
# and waits until every BMC has been read in full, as the simulator counts
# it per BMC: the SDR repository, every sensor, the FRU inventory, every SEL
# entry; then until the fleet is quiet (sensor-interval is long, so after the
# cold start nothing is polled).  The same is done with 1 BMC first: the
# baseline.  Printed per size: the daemon's VmRSS, its heap ([heap] and
# anonymous mappings of /proc/PID/smaps), and
#     RSS per BMC = (RSS(N) - RSS(1)) / (N - 1).
#
# Where the memory goes: with BENCH_RSS_MASSIF=M (default 500; 0: skip) the
# daemon runs under `valgrind --tool=massif` with M BMCs; once they are read a
# detailed snapshot is taken through vgdb and the heap is summed by
# allocation site: bytes per BMC of each top consumer.
#
#   make bench-rss   or   tests/bench/bench_rss.sh
#   BENCH_RSS_SIZES="1000 5000 10000" BENCH_RSS_MASSIF=0 tests/bench/bench_rss.sh
#
# What sharing identical SDR repositories saves: run it once more with
# IPMI_BRIDGE_SDR_SHARE=0 in the environment (each BMC then keeps its own
# repository and sensor set, as before src/poll/sdr_share.c).
#
# Extra daemon configuration lines (e.g. "malloc-arena-max = 1") can be
# passed in BENCH_RSS_CONF.  bmcsim holds one socket per BMC and the
# open-files limit is per process: N BMCs run in ceil(N / (limit - 200))
# bmcsim processes (3 for 50,000 at a limit of 20,000), process K on
# 127.0.(K + 1).*.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$BMCSIM_DIR/daemonlib.sh"

SIZES=${BENCH_RSS_SIZES-10000 50000}
SEL=${BENCH_RSS_SEL:-256}
MASSIF_N=${BENCH_RSS_MASSIF:-500}
require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

# the default profile, with a SEL of $SEL entries (the prefill adds 4)
hist=$((SEL > 4 ? SEL - 4 : 0))
sed -e "s/sel_capacity=128/sel_capacity=$((SEL + 16)) sel_history=$hist/" \
    "$top_srcdir/tests/bmcsim/default.profile" > "$RUNDIR/rss.profile"

# BMC i is on 127.0.1.(1 + i / PER), port PORT + i % PER (bmcsim --per-address):
# a short port range, which a shared machine has free more often
PER=${BENCH_RSS_PER_ADDR:-2000}

write_conf() { # write_conf FILE PORT N
    local k m
    cat > "$1" << EOF2
timeout = 1.0
retries = 3
max-logins = 32
max-sdr-reads = 32
state-dir = "$RUNDIR/state.$3"
sdr-cache-dir = "$RUNDIR/sdr"
sensor-interval = 3600
sel-interval = 3600
sel-entries = $SEL
${BENCH_RSS_CONF:-}
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
EOF2
    # the same split as start_fleet: process P, address A of it
    local procs=$((($3 + CAP - 1) / CAP)) per p c i
    per=$((($3 + procs - 1) / procs))
    for ((p = 0, i = 0; i < $3; p++, i += per)); do
        c=$(($3 - i < per ? $3 - i : per))
        for ((k = 0; k * PER < c; k++)); do
            m=$((c - k * PER < PER ? c - k * PER : PER))
            echo "bmc-group \"a$p-$k\" { addresses = \"127.0.$((p + 1)).$((k + 1)):[$2-$(($2 + m - 1))]\"  name-format = \"a$p-$k-%d\" }" >> "$1"
        done
    done
}

# The fleet: one bmcsim process holds at most CAP BMCs (one socket per BMC,
# the open-files limit is per process), so N BMCs run in ceil(N / CAP)
# processes; process K puts its BMCs on 127.0.(K + 1).1, .2, ... (PER
# to an address).
CAP=$(($(ulimit -Hn) - 200))
SIM_PIDS=()
SIM_CTLS=()

# read_state: "done reads" from the simulators' per-BMC counters: done =
# BMCs whose sensors (so their SDRs), FRU and SEL were read; reads = those
# requests fleet-wide (the info reader's and Get Chassis Status go on
# meanwhile).  One query per BMC: slow at 50,000 (wait_full asks the
# fleet's totals first).
read_state() {
    python3 - "$SEL" "${SIM_CTLS[@]}" << 'PY'
import socket, sys
sel = int(sys.argv[1])
done = total = 0
for path in sys.argv[2:]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    f = s.makefile("rw")
    def counters(which):
        f.write(f"counters {which}\n")
        f.flush()
        c = {}
        while True:
            line = f.readline()
            if not line or line.startswith("OK") or line.startswith("ERR"):
                break
            k, _, v = line.strip().partition("=")
            c[k] = int(v) if v.isdigit() else 0
        return c
    for i in range(counters("all")["bmcs"]):
        c = counters(i)
        total += sum(c.get(k, 0) for k in ("content_get_sdr", "content_get_sensor_reading",
                                            "content_read_fru", "content_get_sel_entry"))
        if (c.get("content_get_sensor_reading", 0) >= 40
                and c.get("content_read_fru", 0) > 0 and c.get("content_get_sel_entry", 0) >= sel):
            done += 1
print(done, total)
PY
}

# read_totals N: "maybe reads": the same from the fleet's totals (one query
# a process); maybe = 1 when the totals allow every BMC to be done
read_totals() {
    local ctl sdr=0 sr=0 fru=0 sel=0 k v
    for ctl in "${SIM_CTLS[@]}"; do
        while IFS== read -r k v; do
            case $k in
                content_get_sdr) sdr=$((sdr + v)) ;;
                content_get_sensor_reading) sr=$((sr + v)) ;;
                content_read_fru) fru=$((fru + v)) ;;
                content_get_sel_entry) sel=$((sel + v)) ;;
            esac
        done < <("$BMCSIM_CTL" -s "$ctl" counters all)
    done
    echo $((sr >= 40 * $1 && fru >= $1 && sel >= SEL * $1)) $((sdr + sr + fru + sel))
}

# wait_full N PID: until every BMC was read and no such read came for 2 s,
# then 2 s more for the chains' last steps and their snapshots.  The
# fleet's totals are watched; once they allow it and are quiet, the BMCs
# are counted one by one.
wait_full() {
    local n=$1 pid=$2 t maybe ndone total last=-1 quiet=0
    for ((t = 0; t < 3600; t++)); do
        kill -0 "$pid" 2> /dev/null || return 1
        read -r maybe total < <(read_totals "$n")
        if ((maybe)); then
            if ((total == last)); then
                if ((++quiet >= 2)); then
                    read -r ndone total < <(read_state)
                    if ((ndone == n)); then
                        sleep 2
                        return 0
                    fi
                    quiet=0
                fi
            else
                quiet=0
            fi
            last=$total
        fi
        sleep 1
    done
    return 1
}

# start_fleet N PORT [TAG]: the simulator processes; SIM_PIDS, SIM_CTLS
start_fleet() {
    local n=$1 port=$2 tag=${3:-sim$1} k i c procs per
    procs=$(((n + CAP - 1) / CAP))
    per=$(((n + procs - 1) / procs))
    SIM_PIDS=() SIM_CTLS=()
    for ((k = 0, i = 0; i < n; k++, i += per)); do
        c=$((n - i < per ? n - i : per))
        start_bmcsim "$tag-$k" --count "$c" --base-port "$port" --address "127.0.$((k + 1)).1" \
            --per-address "$PER" --profile "$RUNDIR/rss.profile" \
            --tick-ms 0 --session-timeout 3600 || return 1
        SIM_PIDS+=("$SIM_PID")
        SIM_CTLS+=("$SIM_CTL")
    done
}
stop_fleet() {
    local p
    for p in "${SIM_PIDS[@]}"; do
        SIM_PID=$p
        stop_bmcsim
    done
    SIM_PIDS=() SIM_CTLS=()
}

heap_kb() { # heap_kb PID: [heap] + anonymous mappings, Rss in kB
    awk '/^[0-9a-f]+-[0-9a-f]+ / { anon = ($6 == "" || $6 == "[heap]") }
         /^Rss:/ && anon { s += $2 } END { print s + 0 }' "/proc/$1/smaps"
}

# port_range N: the first free range of N ports, tried from every 250th port
# (the machine is shared: other fleets hold ports here and there)
port_range() {
    local s p
    for ((s = 10000; s + $1 + 1000 < 32768; s += 250)); do
        if p=$(free_port "$1" "$s" 2> /dev/null); then
            echo "$p"
            return 0
        fi
    done
    return 1
}

RESULTS=$RUNDIR/results.txt
: > "$RESULTS"
# run_size N: the simulators and one daemon; appends "N rss_kb heap_kb seconds"
run_size() {
    local n=$1 port t0 t1 rss heap
    port=$(port_range $((n < PER ? n : PER))) || bail_out "no free port range for $n BMCs"
    start_fleet "$n" "$port" || bail_out "bmcsim did not start ($n BMCs)"
    write_conf "$RUNDIR/rss$n.conf" "$port" "$n"
    t0=$(date +%s.%N)
    daemon_start "daemon$n" "$RUNDIR/rss$n.conf" --allow-root --no-agentx
    if ! wait_full "$n" "$DPID"; then
        note "$n BMCs: not every BMC was read in full (the daemon's stderr: $(tail -3 "$RUNDIR/daemon$n.err"))"
        daemon_stop "$DPID"
        stop_fleet
        return 1
    fi
    t1=$(date +%s.%N)
    rss=$(proc_rss "$DPID")
    heap=$(heap_kb "$DPID")
    echo "$n $rss $heap $(python3 -c "print(round($t1 - $t0, 1))")" >> "$RESULTS"
    daemon_stop "$DPID"
    stop_fleet
}

run_size 1 || bail_out "the 1-BMC baseline did not complete"
for n in $SIZES; do
    run_size "$n" || true
done

echo "daemon memory after a full poll (SDRs held, $SEL SEL entries per BMC), default bmcsim profile:"
python3 - "$RESULTS" << 'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
base = rows[0]
b_rss, b_heap = int(base[1]), int(base[2])
print(f"{'BMCs':>7} {'VmRSS kB':>10} {'heap kB':>10} {'cold s':>7} {'RSS/BMC B':>10} {'heap/BMC B':>11}")
for n, rss, heap, secs in rows:
    n, rss, heap = int(n), int(rss), int(heap)
    per = (rss - b_rss) * 1024 / (n - 1) if n > 1 else 0
    hper = (heap - b_heap) * 1024 / (n - 1) if n > 1 else 0
    print(f"{n:>7} {rss:>10} {heap:>10} {secs:>7} {per:>10.0f} {hper:>11.0f}")
PY

# ---- where it goes: massif at MASSIF_N BMCs ------------------------------------------
if ((MASSIF_N > 0)) && command -v valgrind > /dev/null && command -v vgdb > /dev/null; then
    n=$MASSIF_N
    port=$(port_range $((n < PER ? n : PER))) || bail_out "no free port range"
    start_fleet "$n" "$port" msim || bail_out "bmcsim did not start"
    write_conf "$RUNDIR/massif.conf" "$port" "$n"
    sed -i -e 's/^timeout = .*/timeout = 5.0/' "$RUNDIR/massif.conf"
    valgrind --tool=massif --vgdb=yes --massif-out-file="$RUNDIR/massif.out" \
        --depth=12 --threshold=0.2 "$BRIDGE" -c "$RUNDIR/massif.conf" --allow-root --no-agentx \
        > "$RUNDIR/massif.stdout" 2> "$RUNDIR/massif.err" < /dev/null &
    DPID=$!
    track_pid "$DPID" valgrind
    if wait_full "$n" "$DPID"; then
        vgdb --pid="$DPID" detailed_snapshot "$RUNDIR/massif.snap" > /dev/null 2>&1 || true
        echo
        echo "where the heap goes at $n BMCs (massif, bytes per BMC by allocation site):"
        python3 - "$RUNDIR/massif.snap" "$n" << 'PY'
import re, sys
path, n = sys.argv[1], int(sys.argv[2])
lines = open(path).read().splitlines()
total = 0
for l in lines:
    if l.startswith("mem_heap_B="):
        total = int(l.split("=")[1])
    if l.startswith("mem_heap_extra_B="):
        extra = int(l.split("=")[1])
# the heap tree: "n<children>: <bytes> 0xADDR: func (file:line)"
node = re.compile(r"^( *)n(\d+): (\d+) (.*)$")
tree = []
for l in lines:
    m = node.match(l)
    if m:
        tree.append((len(m.group(1)), int(m.group(3)), m.group(4)))
def name(s):
    m = re.search(r": (\S+) \(", s)
    return m.group(1) if m else s[:60]
# skip allocator wrappers: charge to the first frame that is ours
wrappers = {"malloc", "calloc", "realloc", "strdup", "strndup", "blk_new", "alloc_at", "arena_new",
            "arena_alloc", "arena_strdup", "arena_strndup", "arena_clean", "arena_printf", "clean",
            "json_object_new_object", "CRYPTO_malloc", "CRYPTO_zalloc", "grow"}
sites = {}
stack = []
for depth, b, s in tree:
    while stack and stack[-1][0] >= depth:
        stack.pop()
    stack.append((depth, b, s))
    if depth == 0:
        continue
    # charge a subtree to the first frame along the path from the allocator
    # that is not a wrapper (these subtrees are disjoint: sums are exact)
    names = [name(x[2]) for x in stack[1:]]
    own = next((i for i, p in enumerate(names) if p not in wrappers and not p.startswith("0x")
                and not p.startswith("in ")), None)
    if own is not None and own == len(names) - 1:
        key = " via ".join([names[own]] + ([names[own - 1]] if own else []))
        sites[key] = sites.get(key, 0) + b
rows = sorted(((b, k) for k, b in sites.items()), reverse=True)[:15]
print(f"  heap {total} B + allocator overhead {extra} B: {total / n:.0f} + {extra / n:.0f} B per BMC")
for b, k in rows:
    print(f"  {b / n:>8.0f} B/BMC  {k}")
PY
    else
        note "massif: not every BMC was read in full"
    fi
    daemon_stop "$DPID"
    stop_fleet
fi
