#!/usr/bin/env bash
# test_daemon_workers.sh - the daemon with worker-threads = 2 polls 2,000
# simulated BMCs: every BMC is held exactly once, on the worker its name
# hashes to, both workers carry a fair part, the login cap holds fleet-wide
# (the simulator's own count), the fleet counters are summed over the
# workers, a reload (SIGHUP) adds and removes BMCs on both workers without
# touching the others' sessions, and SIGTERM closes every session of every
# worker and exits 0.
#
#   make check TESTS=tests/bmcsim/test_daemon_workers.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/daemonlib.sh"

N=${DAEMON_WORKERS_BMCS:-2000}
CAP=8
DROP=100 # the reload removes the first DROP BMCs and adds DROP new ones
require_bmcsim
require_bridge
require_cmds python3
bmcsim_setup
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
TOTAL=$((N + DROP))
PORT=$(free_port "$TOTAL" 14000) || bail_out "no free port range"
start_bmcsim fleet --count "$TOTAL" --base-port "$PORT" --seed 5 || bail_out "bmcsim did not start"
note "$SIM_READY"

CFG=$RUNDIR/fleet.conf
STATUS=$RUNDIR/status.json
# sensor-interval below idle-reopen: the sessions stay open between polls, so
# the logins counted across the reload are those of the new BMCs
conf() { # conf FIRST LAST: the fleet is ports PORT+FIRST .. PORT+LAST
    cat > "$CFG" << EOF2
timeout = 1.0
retries = 3
worker-threads = 2
max-logins = $CAP
max-sdr-reads = 16
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
status-file = "$STATUS"
status-interval = 0
sensor-interval = 20
idle-reopen = 50
defaults { username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17} }
bmc-group "fleet" { addresses = "127.0.0.1:[$((PORT + $1))-$((PORT + $2))]"  name-format = "w%d" }
EOF2
}
conf 0 $((N - 1))

daemon_start daemon "$CFG" --no-agentx --allow-root

# check.py: one line of figures from the status file; the worker each BMC
# must be on is computed here from the documented hash (FNV-1a, fmix32).
# Names are w<port> (name-format's %d is the address's last number).
cat > "$RUNDIR/check.py" << 'EOF2'
import json, sys
def h(name):
    x = 0x811c9dc5
    for b in name.encode():
        x = ((x ^ b) * 0x01000193) & 0xffffffff
    x ^= x >> 16; x = (x * 0x85ebca6b) & 0xffffffff
    x ^= x >> 13; x = (x * 0xc2b2ae35) & 0xffffffff
    x ^= x >> 16
    return x
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0 0 0 0 0 0 0"); sys.exit(0)
b = d["bmcs"]; f = d["fleet"]
names = [x["name"] for x in b]
wrong = sum(1 for x in b if x["worker"] != h(x["name"]) % f["workers"])
w0 = sum(1 for x in b if x["worker"] == 0)
polling = sum(1 for x in b if x["state"] == "polling")
print(len(names), len(set(names)), wrong, w0, len(names) - w0, polling, f["max_logins_seen"], f["workers"],
      d["reloads"])
EOF2
# figures: from a status file written now (SIGUSR1; status-interval = 0, as
# rendering 2,000 BMCs' sensors every second would load the machine more
# than the polling does)
figures() {
    rm -f "$STATUS"
    kill -USR1 "$DPID" 2> /dev/null || true
    local k
    for ((k = 0; k < 1200; k++)); do # 2,000 BMCs' sensors: slow under sanitizers on a busy machine
        [[ -s $STATUS ]] && break
        sleep 0.1
    done
    python3 "$RUNDIR/check.py" "$STATUS"
}
daemon_running daemon || true # SIGUSR1 before the signal mask is set would kill it

polling=0
T0=$SECONDS
while ((SECONDS - T0 < 300)); do
    read -r total uniq wrong w0 w1 polling seen workers reloads < <(figures)
    ((polling == N)) && break
    kill -0 "$DPID" 2> /dev/null || break
    sleep 1
done
note "figure: $polling of $N BMCs polling after about $((SECONDS - T0)) s; worker 0 holds $w0, worker 1 $w1"
assert_eq "$workers" 2 "the status file reports 2 workers"
assert_eq "$total" "$N" "the status file lists $N BMCs"
assert_eq "$uniq" "$N" "every BMC is held exactly once (no BMC on two workers)"
assert_eq "$wrong" 0 "every BMC is on the worker its name hashes to"
assert_num ">" "$w0" $((N / 3)) "worker 0 holds a fair part ($w0)"
assert_num ">" "$w1" $((N / 3)) "worker 1 holds a fair part ($w1)"
assert_eq "$polling" "$N" "every one of the $N BMCs reaches polling"
pending_max=$(counter logins_pending_max)
assert_num "<=" "$pending_max" "$CAP" "bmcsim never saw more than max-logins=$CAP logins in progress across both workers ($pending_max)"
assert_num "<=" "$seen" "$CAP" "the workers' logins in flight summed stayed within the cap ($seen)"
sums=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); f=d["fleet"]
print(f["counters"]["requests"], sum(w["requests"] for w in f["per_worker"]), min(w["requests"] for w in f["per_worker"]))' "$STATUS")
read -r freq wsum wmin <<< "$sums"
assert_eq "$freq" "$wsum" "fleet.counters.requests is the sum over the workers ($freq)"
assert_num ">" "$wmin" 0 "both workers sent requests"

# ---- reload: w1..wDROP leave, wN+1..wN+DROP arrive; the rest keep their sessions
logins_before=$(counter sessions_opened)
conf "$DROP" $((TOTAL - 1))
kill -HUP "$DPID"
for ((t = 0; t < 100; t++)); do
    grep -q "reloaded .*: $DROP added, $DROP removed" "$RUNDIR/daemon.err" && break
    sleep 0.1
done
assert_contains "$(cat "$RUNDIR/daemon.err")" "$DROP added, $DROP removed, 0 restarted, 0 with new intervals, $((N - DROP)) unchanged" \
    "SIGHUP: the reload counted over both workers"
T0=$SECONDS
while ((SECONDS - T0 < 300)); do # a status file written after the reload, every BMC polled
    read -r total uniq wrong w0 w1 polling seen workers reloads < <(figures)
    ((reloads == 1 && polling == N && total == N)) && break
    sleep 1
done
assert_eq "$reloads" 1 "the status file counts the reload"
names_ok=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); first=int(sys.argv[2]); last=int(sys.argv[3])
s={x["name"] for x in d["bmcs"]}
print(int(s == {"w%d" % p for p in range(first, last + 1)}))' "$RUNDIR/status.json" $((PORT + DROP)) $((PORT + TOTAL - 1)))
assert_eq "$names_ok" 1 "after the reload exactly the new fleet is held"
assert_eq "$uniq" "$N" "after the reload every BMC is held exactly once"
assert_eq "$wrong" 0 "after the reload every BMC is still on its own worker"
assert_eq "$polling" "$N" "after the reload every BMC polls"
logins_after=$(counter sessions_opened)
assert_num "<" $((logins_after - logins_before)) $((DROP * 2)) \
    "the unchanged BMCs kept their sessions ($((logins_after - logins_before)) new logins for $DROP new BMCs)"

# SIGUSR1 three times at once: the workers render while the main thread
# goes on; the requests that come meanwhile are served by one more file
rm -f "$STATUS"
kill -USR1 "$DPID" 2> /dev/null || true
kill -USR1 "$DPID" 2> /dev/null || true
kill -USR1 "$DPID" 2> /dev/null || true
for ((t = 0; t < 1200; t++)); do
    [[ -s $STATUS ]] && break
    sleep 0.1
done
read -r total uniq wrong w0 w1 polling seen workers reloads < <(python3 "$RUNDIR/check.py" "$STATUS")
assert_eq "$total" "$N" "SIGUSR1 three times at once: the status file lists every BMC"
assert_eq "$uniq" "$N" "SIGUSR1 three times at once: every BMC once"
assert_cmd "SIGUSR1 three times at once: the daemon runs on" kill -0 "$DPID"

# SIGTERM: every worker closes its sessions; the daemon's own guard ends
# it after about 4 s even if some BMC never answers, so 15 s only catches a hang;
# a status file is being rendered when it comes (its parts are dropped)
rm -f "$STATUS"
kill -USR1 "$DPID"
kill -TERM "$DPID"
for ((t = 0; t < 150; t++)); do
    kill -0 "$DPID" 2> /dev/null || break
    sleep 0.1
done
note "figure: the daemon exited about $((t / 10)).$((t % 10)) s after SIGTERM"
assert_num "<" "$t" 150 "SIGTERM: the daemon exits (no worker hangs)"
rc=0
wait "$DPID" || rc=$?
assert_eq "$rc" 0 "SIGTERM: exit 0"
# the BMCs of the fleet now (bmcsim indexes DROP..TOTAL-1): each worker
# closed its sessions; the removed ones got a best-effort Close Session at
# the reload (one datagram, not waited for: the BMC times the session out)
for ((t = 0; t < 150; t++)); do # the simulator may still be reading the Close Session datagrams
    [[ $(counter sessions_active "$DROP-$((TOTAL - 1))") == 0 ]] && break
    sleep 0.1
done
assert_eq "$(counter sessions_active "$DROP-$((TOTAL - 1))")" 0 \
    "SIGTERM: every session of both workers closed at the simulator"
note "figure: sessions still open at the removed BMCs: $(counter sessions_active "0-$((DROP - 1))")"
assert_contains "$(cat "$RUNDIR/daemon.err")" "2 worker threads" "the start-up line names the workers"
stop_bmcsim
finish
