#!/usr/bin/env bash
# bench_daemon.sh - the whole daemon under load (not a test; `make bench`;
# `make check` runs a 2-second smoke of it through BENCH_SMOKE=1).
#
# Each case starts bmcsim (split into several processes, each pinned to
# its own core when the machine has more than two; with two cores the
# simulator gets core 1 and the daemon core 0), the real daemon with a
# status file, waits until every BMC is fully polled (sensors read, SEL
# read: the cold start), then measures a
# window of BENCH_SECONDS (the status file is written on SIGUSR1 only, so
# writing it is not counted): Get Sensor Reading requests per second (the
# readings; from the daemon's per-BMC request counters), the daemon's own
# CPU (utime + stime of the process, i.e. its getrusage, kernel included)
# per reading, the simulator's CPU over the same window (which side was
# CPU-bound), and the daemon's RSS per BMC after the full poll.
#
# Output: one table on stdout and bench.json (every figure, cores, date).
#
#   BENCH_SECONDS=10 BENCH_SIZES="1000 10000" BENCH_WORKERS="1 2" bash tests/bench/bench_daemon.sh
#
# Sizes above the open-files limit (one simulator socket per BMC; about
# 19,000 on the project's VM) are reported as skipped, not failed.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"

SMOKE=${BENCH_SMOKE:-0}
SECS=${BENCH_SECONDS:-10}
SIZES=${BENCH_SIZES:-1000 10000}
WORKERS=${BENCH_WORKERS:-1 2}
JSON=${BENCH_JSON:-$PWD/bench.json}
CORES=$(nproc)
OPEN_MAX=$(ulimit -Hn)
require_bmcsim
require_bridge
require_cmds python3 awk
bmcsim_setup
ulimit -n "$OPEN_MAX" 2> /dev/null || true
if ((SMOKE)); then
    SECS=2
    SIZES=20
    JSON=$RUNDIR/bench-smoke.json
fi

# profile: the default server (51 sensors) with a 256-entry SEL
sed -e 's/sel_capacity=[0-9]*/sel_capacity=256/' "$top_srcdir/tests/bmcsim/default.profile" > "$RUNDIR/bench.profile"

pin() { # pin CPU-LIST CMD...: taskset when there is more than one core (exec: keeps the PID)
    if ((CORES > 1)) && command -v taskset > /dev/null; then exec taskset -c "$1" "${@:2}"; else exec "${@:2}"; fi
}
cpu_of() { # cpu_of PID...: utime+stime ticks summed
    local t=0 p v
    for p in "$@"; do
        v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2> /dev/null || echo 0)
        t=$((t + v))
    done
    echo "$t"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

status_fig() { # requests fully-polled bmcs (polling, with readings and SEL entries)
    python3 -c 'import json,sys
try:
    d=json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0"); sys.exit(0)
full = sum(1 for b in d["bmcs"] if b["state"] == "polling" and b["readings"] > 0 and b["sel_entries"] > 0)
print(sum(b["requests"] for b in d["bmcs"]), full, d["fleet"]["bmcs"])' "$1"
}

# fresh_status PID FILE: ask for the status file and wait until it is written
fresh_status() {
    local k
    rm -f "$2"
    kill -USR1 "$1" 2> /dev/null || return 0
    for ((k = 0; k < 300; k++)); do
        [[ -s $2 ]] && break
        sleep 0.1
    done
}
# sim_readings NSIMS: Get Sensor Reading requests answered by every simulator
sim_readings() {
    local k t=0 v
    for ((k = 0; k < $1; k++)); do
        v=$("$BMCSIM_CTL" -s "$RUNDIR/sim$k.ctl" counters all |
            awk -F= '$1 == "content_get_sensor_reading" { print $2 }')
        t=$((t + ${v:-0}))
    done
    echo "$t"
}

RESULTS=$RUNDIR/results.txt
: > "$RESULTS"
# run_case N WORKERS CIPHER
run_case() {
    local n=$1 workers=$2 cipher=$3 procs per port i k simcpus simpids=() note=""
    if ((n > OPEN_MAX - 1000)); then
        echo "bench: $n BMCs: skipped: bmcsim needs one socket per BMC and the open-files limit is $OPEN_MAX (use --per-address or several processes on a bigger machine)" >&2
        echo "$n $workers $cipher skipped open-files-limit-$OPEN_MAX" >> "$RESULTS"
        return 0
    fi
    # simulator processes: one per spare core (at least one), the daemon keeps core 0
    procs=$((CORES > 2 ? CORES - 1 : 1))
    ((procs > 8)) && procs=8
    per=$(((n + procs - 1) / procs))
    port=$(free_port "$n" $((n > 5000 ? 2000 : 12000))) || bail_out "no free port range"
    for ((k = 0, i = 0; i < n; k++, i += per)); do
        local c=$((n - i < per ? n - i : per)) cpu=$((CORES > 2 ? 1 + k : (CORES > 1 ? 1 : 0)))
        (pin "$cpu" "$BMCSIM" --control "$RUNDIR/sim$k.ctl" --password-file "$RUNDIR/pw" \
            --count "$c" --base-port $((port + i)) --seed $((11 + k)) --profile "$RUNDIR/bench.profile" \
            > "$RUNDIR/sim$k.out" 2> "$RUNDIR/sim$k.err" < /dev/null) &
        simpids+=($!)
        track_pid "$!" bmcsim
    done
    for ((k = 0; k < ${#simpids[@]}; k++)); do
        for ((i = 0; i < 1200; i++)); do
            grep -q '^bmcsim: ready: ' "$RUNDIR/sim$k.out" 2> /dev/null && break
            kill -0 "${simpids[$k]}" 2> /dev/null || bail_out "bmcsim $k: $(cat "$RUNDIR/sim$k.err")"
            sleep 0.05
        done
    done
    local cfg=$RUNDIR/bench-$n-$workers-$cipher.conf st=$RUNDIR/status-$n-$workers-$cipher.json
    # sensor sweeps every second up to 2,000 BMCs (more readings asked than
    # the machine gives: the figure is the capacity), every 5 s above, so
    # that the cold start (SDR reads, max-sdr-reads 128) is not starved
    local ival=$((n > 2000 ? 5 : 1))
    cat > "$cfg" << EOF2
timeout = 2.0
retries = 3
worker-threads = $workers
max-logins = 64
state-dir = "$RUNDIR/state-$n"
sdr-cache-dir = "$RUNDIR/sdr-$n"
status-file = "$st"
status-interval = 0
sensor-interval = $ival
max-sdr-reads = 128
sel-entries = 256
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {$cipher} }
bmc-group "bench" { addresses = "127.0.0.1:[$port-$((port + n - 1))]"  name-format = "b%d" }
EOF2
    local t0 t1 dpid
    t0=$(date +%s.%N)
    (pin 0 "$BRIDGE" -c "$cfg" --no-agentx > "$RUNDIR/d.out" 2> "$RUNDIR/d-$n-$workers-$cipher.err" < /dev/null) &
    dpid=$!
    track_pid "$dpid" ipmi-snmp-bridge
    local req polling total cold="" limit=$((SMOKE ? 60 : 600)) every=$((n >= 5000 ? 5 : 1))
    sleep 1
    for ((i = 0; i < limit; i += every)); do
        # on demand (costs nothing between): every sensor of every BMC, so not
        # too often for large fleets (the cold start is known to that step)
        fresh_status "$dpid" "$st"
        read -r req polling total < <(status_fig "$st")
        if ((total == n && polling == n)); then
            t1=$(date +%s.%N)
            cold=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
            break
        fi
        kill -0 "$dpid" 2> /dev/null || break
        sleep "$every"
    done
    [[ -n $cold ]] || note="not all fully polled ($polling of $n)"
    sleep 1
    # the window: readings counted by the simulators (the daemon is not asked)
    local r0 c0 s0 r1 c1 s1 rss tick nsim=${#simpids[@]}
    tick=$(getconf CLK_TCK)
    r0=$(sim_readings "$nsim")
    c0=$(cpu_of "$dpid")
    s0=$(cpu_of "${simpids[@]}")
    t0=$(date +%s.%N)
    sleep "$SECS"
    c1=$(cpu_of "$dpid")
    s1=$(cpu_of "${simpids[@]}")
    t1=$(date +%s.%N)
    r1=$(sim_readings "$nsim")
    rss=$(rss_kb "$dpid")
    fresh_status "$dpid" "$st"
    local store_kb
    store_kb=$(python3 -c 'import json,sys
try:
    f=json.load(open(sys.argv[1]))["fleet"]
    print("%.1f" % (f.get("store_bytes", 0) / 1024.0 / max(f["bmcs"], 1)))
except Exception:
    print("nan")' "$st")
    kill -TERM "$dpid"
    wait "$dpid" || true
    for p in "${simpids[@]}"; do
        kill -TERM "$p" 2> /dev/null || true
        wait "$p" 2> /dev/null || true
    done
    # which side was CPU-bound: the one using most of its cores
    awk -v n="$n" -v w="$workers" -v c="$cipher" -v r0="$r0" -v r1="$r1" -v c0="$c0" -v c1="$c1" \
        -v s0="$s0" -v s1="$s1" -v t0="$t0" -v t1="$t1" -v tick="$tick" -v rss="$rss" \
        -v storekb="$store_kb" -v cold="${cold:-nan}" -v sp="${#simpids[@]}" -v cores="$CORES" -v note="$note" 'BEGIN {
        el = t1 - t0; rd = r1 - r0; dc = (c1 - c0) / tick; sc = (s1 - s0) / tick
        dcores = (cores > 2 ? 1 : 1); scores = (cores > 2 ? sp : 1)
        du = dc / el / dcores; su = sc / el / scores
        bound = (du > 0.85 ? "bridge" : (su > 0.85 ? "bmcsim" : "neither"))
        printf "%d %d %d ok %.0f %.2f %.1f %s %.0f%% %.0f%% %s %s %s\n", n, w, c, rd / el,
               (rd ? dc * 1e6 / rd : 0), rss * 1024 / n / 1024, cold, du * 100, su * 100, bound, storekb, note
    }' >> "$RESULTS"
    tail -1 "$RESULTS" >&2
}

for n in $SIZES; do
    if ((SMOKE)); then
        run_case "$n" 2 17
        continue
    fi
    for w in $WORKERS; do run_case "$n" "$w" 17; done
    if ((n <= 1000)); then
        for w in $WORKERS; do run_case "$n" "$w" 3; done
    fi
done

python3 - "$RESULTS" "$JSON" "$CORES" "$SECS" << 'EOF2'
import json, sys, datetime
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    if f[3] == "skipped":
        rows.append({"bmcs": int(f[0]), "workers": int(f[1]), "cipher": int(f[2]), "skipped": f[4]})
        continue
    rows.append({"bmcs": int(f[0]), "workers": int(f[1]), "cipher": int(f[2]),
                 "readings_per_s": float(f[4]), "cpu_us_per_reading": float(f[5]),
                 "rss_kb_per_bmc": float(f[6]),
                 "cold_start_s": None if f[7] == "nan" else float(f[7]),
                 "bridge_cpu_pct": f[8], "bmcsim_cpu_pct": f[9], "cpu_bound": f[10],
                 "store_kb_per_bmc": None if f[11] == "nan" else float(f[11]),
                 "note": " ".join(f[12:])})
out = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "cores": int(sys.argv[3]), "window_s": int(sys.argv[4]), "daemon": rows,
       "pet_latency": None}
json.dump(out, open(sys.argv[2], "w"), indent=1)
print("%7s %7s %6s %12s %10s %10s %9s %8s %7s %7s %s" % ("BMCs", "workers", "cipher", "readings/s",
      "cpu us/rd", "RSS KB/BMC", "store KB", "cold s", "bridge", "bmcsim", "CPU-bound"))
for r in rows:
    if "skipped" in r:
        print("%7d %7d %6d  skipped: %s" % (r["bmcs"], r["workers"], r["cipher"], r["skipped"]))
        continue
    print("%7d %7d %6d %12.0f %10.2f %10.1f %9s %8s %7s %7s %s %s" % (r["bmcs"], r["workers"],
          r["cipher"], r["readings_per_s"], r["cpu_us_per_reading"], r["rss_kb_per_bmc"],
          "-" if r["store_kb_per_bmc"] is None else "%.1f" % r["store_kb_per_bmc"],
          "-" if r["cold_start_s"] is None else "%.1f" % r["cold_start_s"],
          r["bridge_cpu_pct"], r["bmcsim_cpu_pct"], r["cpu_bound"], r["note"]))
print("cores %d, %s; bench.json: %s" % (out["cores"], out["date"], sys.argv[2]))
EOF2
stop_bmcsim
if ((SMOKE)); then
    assert_cmd "the bench wrote its JSON" test -s "$JSON"
    finish
fi
