#!/usr/bin/env bash
# bench_pet.sh - PET throughput and latency: 1,000 PETs per second for 10 s
# to the PET listener (tests/agentx/agentx-driver --pet-listen, one synthetic
# BMC, found by the traps' agent-addr), each an ipmiPlatformEvent through a
# private snmpd to two trap sinks: snmptrapd (the count it logged) and
# bench_pet.py (the PET -> notification latency, p50/p99).  Prints figures;
# asserts nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
. "$TESTS_LIB_DIR/snmpd.sh"
require_cmds snmpd snmptrapd snmptrap python3 ss
DRIVER=$top_builddir/tests/agentx/agentx-driver
[[ -x $DRIVER ]] || bail_out "missing $DRIVER (make)"
make_rundir
RATE=${PET_RATE:-1000}
SECS=${PET_SECS:-10}
ROOT=.1.3.6.1.4.1.8072.9999.9999.623
TRAPPORT=$(free_port 1 23300) || bail_out "no free port"
SINKPORT=$(free_port 1 23320) || bail_out "no free port"
SNMP_PORT=$(free_port 1 23340) || bail_out "no free port"
PETPORT=$(free_port 1 23360) || bail_out "no free port"

mkdir -p "$RUNDIR/trapd/persist"
printf '[snmp] hexOutputLength 0\nauthCommunity log public\n' > "$RUNDIR/trapd/snmptrapd.conf"
MIBS="" SNMP_PERSISTENT_DIR="$RUNDIR/trapd/persist" snmptrapd -f -C -c "$RUNDIR/trapd/snmptrapd.conf" \
    -On -F 'TRAP %v\n' -Lf "$RUNDIR/traps.log" "udp:127.0.0.1:$TRAPPORT" > /dev/null 2>&1 < /dev/null &
track_pid $! snmptrapd
SNMPD_EXTRA_CONF="trap2sink udp:127.0.0.1:$TRAPPORT public
trap2sink udp:127.0.0.1:$SINKPORT public"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start"

"$DRIVER" --socket "$AGENTX_SOCK" --synthetic 1:10 --pet-listen "udp:127.0.0.1:$PETPORT" \
    > "$RUNDIR/driver.out" 2> "$RUNDIR/driver.err" < /dev/null &
DPID=$!
track_pid "$DPID" agentx-driver
for ((t = 0; t < 100; t++)); do
    grep -q 'registered with the master' "$RUNDIR/driver.err" 2> /dev/null && break
    sleep 0.1
done

# one PET datagram as Net-SNMP's snmptrap builds it (agent-addr: the synthetic
# BMC's address 192.0.2.2), caught on a UDP port; the load is copies of it
TPORT=$(free_port 1 23380) || bail_out "no free port"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",int(sys.argv[1]))); open(sys.argv[2],"w").close(); s.settimeout(20); print(s.recv(65536).hex())' \
    "$TPORT" "$RUNDIR/catcher.ready" > "$RUNDIR/template.hex" &
cpid=$!
for ((t = 0; t < 100; t++)); do
    [[ -e $RUNDIR/catcher.ready ]] && break
    sleep 0.1
done
payload=a123456789abcdef0123456789abcdef000130e1de00003c2020102001030159505adeadbeef420000129100000fc1
snmptrap -v 1 -c public "udp:127.0.0.1:$TPORT" .1.3.6.1.4.1.3183.1.1 192.0.2.2 6 65801 0 \
    .1.3.6.1.4.1.3183.1.1.1 x "$payload"
wait "$cpid" || bail_out "no template PET caught"

note "PET load: $RATE/s for $SECS s"
res=$(python3 "$top_srcdir/tests/bench/bench_pet.py" "$(cat "$RUNDIR/template.hex")" "$PETPORT" "$SINKPORT" "$RATE" "$SECS")
sleep 2
got=$(grep -c "4\.1\.0 = OID: $ROOT\.0\.1	" "$RUNDIR/traps.log" || true)
stop_pid "$DPID" agentx-driver
echo "bench_pet: $res; snmptrapd logged $got ipmiPlatformEvent"
echo "bench_pet: $(grep 'pet-stats' "$RUNDIR/driver.err" || true)"
echo "bench_pet: $(grep 'longest loop stall' "$RUNDIR/driver.err" | sed 's/.*longest/longest/' || true)"
