#!/usr/bin/env bash
# pet_notify.sh - PETs in, ipmiPlatformEvent notifications out, end to end
# through real programs:
#   snmptrap -v 1 (the PET vectors of tests/integration/pet_vectors.txt)
#     -> the bridge's PET listener (tests/agentx/agentx-driver --pet-listen,
#        agent/pet_listener.c, serving the ipmi_sim fixture polled once)
#     -> AgentX Notify -> a private snmpd (trap2sink) -> a private snmptrapd.
# Each notification's varbinds are compared with FreeIPMI's `ipmi-pet -vv` on
# the same bytes (tests/agentx/pet_notify.py; the documented departures P1-P6
# of tests/integration/pet_vectors.py apply).  Also:
#  * living beside snmptrapd: a site snmptrapd owns its port and `forward`s
#    the PET enterprise (1.3.6.1.4.1.3183.1.1) to the bridge's port;
#  * a PET sent twice (a BMC resending, unacknowledged) gives one notification;
#  * bad PETs (garbage, not a trap, v2c, wrong enterprise, wrong generic trap,
#    truncated, oversized, unknown sender, wrong community) are counted by
#    reason in ipmiPetCounters (and in total in ipmiBridgePetsBad), make no
#    notification, and the bridge runs on.
#
#   make check TESTS=tests/agentx/pet_notify.sh
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"

require_cmds ipmi_sim sdrcomp ipmi-pet snmpd snmptrapd snmptrap snmpget ss python3 timeout
DRIVER=$top_builddir/tests/agentx/agentx-driver
[[ -x $DRIVER ]] || bail_out "missing $DRIVER (make)"
VECTORS=$top_srcdir/tests/integration/pet_vectors.txt
make_rundir
ROOT=.1.3.6.1.4.1.8072.9999.9999.623
PETENT=.1.3.6.1.4.1.3183.1.1

PORT=$(free_port 1 23100) || bail_out "no free port"
start_sims 1 "$PORT"
CFG=$RUNDIR/bridge.conf
write_config_head "$CFG" 0.3 1
name=$(ipmisim_name 1)
write_secret "$RUNDIR/$name.pw" password
write_bmc_block "$CFG" "$name" "$PORT" "$RUNDIR/$name.pw" 3 admin admin

# ---- snmptrapd: where snmpd sends the notifications ---------------------------------
TRAPPORT=$(free_port 1 23120) || bail_out "no free port"
TRAPS=$RUNDIR/traps.log
start_trapd() { # DIR PORT LOG [extra conf lines]
    mkdir -p "$1/persist"
    printf '[snmp] hexOutputLength 0\nauthCommunity log,net public\n%s\n' "${4:-}" > "$1/snmptrapd.conf"
    MIBS="" SNMP_PERSISTENT_DIR="$1/persist" snmptrapd -f -C -c "$1/snmptrapd.conf" -On -Ox -F 'TRAP %v\n' \
        -Lf "$3" -p "$1/snmptrapd.pid" "udp:127.0.0.1:$2" > "$1/out" 2>&1 < /dev/null &
    track_pid $! snmptrapd
    local t
    for ((t = 0; t < 100; t++)); do
        ss -Huan "sport = :$2" | grep -q . && return 0
        sleep 0.05
    done
    return 1
}
start_trapd "$RUNDIR/trapd" "$TRAPPORT" "$TRAPS" || bail_out "snmptrapd did not start"

SNMP_PORT=$(free_port 1 23140) || bail_out "no free port"
SNMPD_EXTRA_CONF="trap2sink udp:127.0.0.1:$TRAPPORT public"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"

PETPORT=$(free_port 1 23160) || bail_out "no free port"
${AGENTX_WRAP:-} "$DRIVER" --socket "$AGENTX_SOCK" -c "$CFG" --json-out "$RUNDIR/once.json" \
    --pet-listen "udp:127.0.0.1:$PETPORT" --pet-community public -v \
    > "$RUNDIR/driver.out" 2> "$RUNDIR/driver.err" < /dev/null &
DRIVER_PID=$!
track_pid "$DRIVER_PID" agentx-driver
up=""
for ((t = 0; t < 200; t++)); do
    up=$(snmpget -v2c -c public -On -t 0.5 -r 0 "$SNMPD_TARGET" "$ROOT.1.3.1.2.1" 2>&1 || true)
    [[ $up == *STRING* ]] && break
    sleep 0.1
done
assert_match "$up" "STRING: \"$name\"" "the subagent registers (ipmiBmcName.1)"
assert_eq "$(jq_get "$RUNDIR/once.json" bmcs.0.state)" ok "the fixture was polled (its SDR is in the store)"

nplatform() { grep -c "4\.1\.0 = OID: $ROOT\.0\.1" "$TRAPS" 2> /dev/null || true; }
wait_platform() { # COUNT
    local t
    for ((t = 0; t < 100; t++)); do
        (($(nplatform) >= $1)) && return 0
        sleep 0.05
    done
    return 1
}
send_pet() { # DEST SPECIFIC-HEX PAYLOAD [community] [snmptrap options...]
    local dest=$1 spec=$2 payload=$3 comm=${4:-public}
    shift 4 || shift $#
    snmptrap -v 1 -c "$comm" "$@" "$dest" "$PETENT" "${AGENT_ADDR:-127.0.0.1}" 6 $((16#$spec)) 0 \
        "$PETENT.1" x "$payload"
}

mkdir -p "$RUNDIR/cache"
ipmipet() {
    TZ=UTC timeout 30 ipmi-pet -D LAN_2_0 -h "127.0.0.1:$PORT" -u admin -p password -l ADMIN -I 3 \
        -W opensesspriv --sdr-cache-directory="$RUNDIR/cache" --quiet-cache "$@"
}

# ---- 1. every vector, sent with snmptrap -v 1 ----------------------------------------
n=0
while read -r vname specific payload; do
    [[ -z $vname || $vname == \#* ]] && continue
    n=$((n + 1))
    before=$(nplatform)
    send_pet "udp:127.0.0.1:$PETPORT" "$specific" "$payload" ||
        fail "$vname: snmptrap sends the PET"
    wait_platform $((before + 1)) || fail "$vname: a notification arrives" "$(tail -3 "$RUNDIR/driver.err")"
    # shellcheck disable=SC2001
    bytes=$(sed "s/../& /g" <<< "$payload")
    # shellcheck disable=SC2086
    if ! ipmipet -vv --comma-separated-output --no-header-output --output-event-state \
        $((16#$specific)) $bytes > "$RUNDIR/$vname.ipmi-pet" 2> "$RUNDIR/$vname.ipmi-pet.err"; then
        fail "$vname: ipmi-pet decodes the vector" "$(cat "$RUNDIR/$vname.ipmi-pet.err")"
        continue
    fi
done < "$VECTORS"
assert_num ">=" "$n" 15 "at least 15 vectors sent"
assert_eq "$(nplatform)" "$n" "one ipmiPlatformEvent per PET"
while read -r vname specific payload; do
    [[ -z $vname || $vname == \#* ]] && continue
    [[ -s $RUNDIR/$vname.ipmi-pet ]] || continue
    run_checks python3 "$top_srcdir/tests/agentx/pet_notify.py" "$ROOT" "$TRAPS" "$vname" "$specific" \
        "$payload" "$RUNDIR/$vname.ipmi-pet"
done < "$VECTORS"

first=$(awk '!/^#/ && NF == 3 {print $3; exit}' "$VECTORS")
firstspec=$(awk '!/^#/ && NF == 3 {print $2; exit}' "$VECTORS")
# a new PET from the first one: sequence number (bytes 16-17) and event data 1 changed
newpet() { echo "${first:0:32}$1${first:36:26}$2${first:64}"; }

# ---- 2. a resent PET: one notification --------------------------------------------------
before=$(nplatform)
again=$(newpet 7e01 11)
send_pet "udp:127.0.0.1:$PETPORT" "$firstspec" "$again"
send_pet "udp:127.0.0.1:$PETPORT" "$firstspec" "$again"
wait_platform $((before + 1)) || fail "the resent PET is notified"
sleep 1
assert_eq "$(nplatform)" $((before + 1)) "a PET sent twice gives one ipmiPlatformEvent"

# ---- 3. beside snmptrapd: the site's snmptrapd forwards the PET enterprise ---------------
# ("OID.*": the subtree; a v1 trap's OID is enterprise.0.specific.  snmptrapd
# forwards it as the SNMPv1 Trap-PDU it got, agent-addr included.)
SITEPORT=$(free_port 1 23180) || bail_out "no free port"
start_trapd "$RUNDIR/site" "$SITEPORT" "$RUNDIR/site.log" \
    "forward $PETENT.* udp:127.0.0.1:$PETPORT" || bail_out "the site snmptrapd did not start"
before=$(nplatform)
fwd=$(newpet 7e02 22)
send_pet "udp:127.0.0.1:$SITEPORT" "$firstspec" "$fwd"
if wait_platform $((before + 1)); then
    pass "a PET forwarded by snmptrapd (forward $PETENT.*) gives an ipmiPlatformEvent"
    assert_match "$(grep -c "20\.12\.0 = Hex-STRING: 22 5F 5A " "$TRAPS" || true)" '^1$' \
        "... carrying the forwarded PET's event data"
else
    fail "a PET forwarded by snmptrapd gives an ipmiPlatformEvent" "$(cat "$RUNDIR/site.log" | tail -3; tail -3 "$RUNDIR/driver.err")"
fi
assert_match "$(cat "$RUNDIR/site.log")" "3183\.1\.1\.1" "the site snmptrapd logged the PET itself too"

# ---- 4. bad PETs: counted by reason, no notification, no crash -----------------------------
before=$(nplatform)
udp_send() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind((sys.argv[3],0)); s.sendto(bytes.fromhex(sys.argv[2]),("127.0.0.1",int(sys.argv[1])))' "$PETPORT" "$1" "${2:-127.0.0.1}"; }
udp_send 00                                      # garbage
udp_send 3003020100                              # BER, but not a message
udp_send "$(printf 'ff%.0s' $(seq 200))"         # garbage
snmptrap -v 2c -c public "udp:127.0.0.1:$PETPORT" 0 .1.3.6.1.6.3.1.1.5.1  # not a v1 trap
snmptrap -v 1 -c public "udp:127.0.0.1:$PETPORT" .1.3.6.1.4.1.9999 127.0.0.1 6 65801 0 \
    "$PETENT.1" x "$first"                       # wrong enterprise
snmptrap -v 1 -c public "udp:127.0.0.1:$PETPORT" "$PETENT" 127.0.0.1 1 0 0 \
    "$PETENT.1" x "$first"                       # generic trap 1
send_pet "udp:127.0.0.1:$PETPORT" "$firstspec" "${first:0:66}"                   # truncated (33 bytes)
send_pet "udp:127.0.0.1:$PETPORT" "$firstspec" "${first:0:92}$(printf '00%.0s' $(seq 65))"  # 111 bytes
snmptrap -v 1 -c public "udp:127.0.0.1:$PETPORT" "$PETENT" 127.0.0.1 6 65801 0 \
    "$PETENT.1" i 5                              # no octet string
send_pet "udp:127.0.0.1:$PETPORT" "$firstspec" "$(newpet 7e03 33)" wrong       # community
if ip -4 addr show lo 2> /dev/null | grep -q '127\.0\.0\.1/8'; then
    # unknown sender: from 127.0.0.2, agent-addr 127.0.0.9, a GUID no BMC has
    unknown=1
    stranger=$(newpet 7e04 44)
    AGENT_ADDR=127.0.0.9 send_pet "udp:127.0.0.1:$PETPORT" "$firstspec" "0badc0de${stranger:8}" public \
        --clientaddr=127.0.0.2
fi
[[ -n ${unknown:-} ]] || want[9]=0
sleep 1
assert_eq "$(nplatform)" "$before" "no bad PET makes a notification"
assert_cmd "the bridge runs on" kill -0 "$DRIVER_PID"
c64() { snmpget -v2c -c public -On -Oqv -t 2 "$SNMPD_TARGET" "$1" 2> /dev/null || echo none; }
declare -A want=([1]=3 [2]=1 [3]=1 [4]=1 [5]=1 [6]=1 [7]=1 [8]=0 [9]=1 [10]=1)
reasons=(garbage not_trap enterprise field no_payload truncated oversize oem_fields unknown_sender community)
for col in "${!want[@]}"; do
    got=$(c64 "$ROOT.1.21.$col.0")
    assert_eq "$got" "${want[$col]}" "ipmiPetCounters: ${reasons[$((col - 1))]} (column $col)"
done
assert_eq "$(c64 "$ROOT.1.21.11.0")" 1 "ipmiPetCounters: duplicates (the resent PET)"
bad=$(c64 "$ROOT.1.1.5.0")
assert_eq "$bad" $((${want[1]} + ${want[2]} + ${want[3]} + ${want[4]} + ${want[5]} + ${want[6]} + ${want[7]} + ${want[9]} + ${want[10]})) \
    "ipmiBridgePetsBad counts every refusal"
logged=$(grep -c 'refused (garbage)' "$RUNDIR/driver.err" || true)
assert_eq "$logged" 1 "three garbage datagrams in a row: logged once (rate-limited)"

stop_pid "$DRIVER_PID" agentx-driver
note "$(grep 'pet-stats' "$RUNDIR/driver.err" || true)"

# ---- 5. storm control: at most 3 per BMC per 4 s; the rest summarised, not lost -------------
"$DRIVER" --socket "$AGENTX_SOCK" -c "$CFG" --json-out "$RUNDIR/once2.json" \
    --pet-listen "udp:127.0.0.1:$PETPORT" --notify-rate 3/4 \
    > "$RUNDIR/driver2.out" 2> "$RUNDIR/driver2.err" < /dev/null &
DRIVER_PID=$!
track_pid "$DRIVER_PID" agentx-driver
for ((t = 0; t < 200; t++)); do
    grep -q 'registered with the master' "$RUNDIR/driver2.err" 2> /dev/null && break
    sleep 0.1
done
sleep 0.5
before=$(nplatform)
nsupp() { grep -c "4\.1\.0 = OID: $ROOT\.0\.5	" "$TRAPS" 2> /dev/null || true; }
for i in 1 2 3 4 5 6 7 8 9 10; do
    send_pet "udp:127.0.0.1:$PETPORT" "$firstspec" "$(newpet "7f$(printf '%02x' "$i")" "$(printf '%02x' $((0x60 + i)))")"
done
for ((t = 0; t < 100; t++)); do
    (($(nsupp) >= 1)) && break
    sleep 0.1
done
assert_eq "$(nplatform)" $((before + 3)) "storm control: 10 PETs at once, 3 ipmiPlatformEvent (3 per BMC per interval)"
assert_eq "$(nsupp)" 1 "one ipmiNotificationsSuppressed for the interval"
assert_match "$(grep "OID: $ROOT\.0\.5	" "$TRAPS" | tail -1)" "$ROOT\.1\.20\.20\.0 = Counter32: 7" \
    "... counting the 7 held back"
assert_match "$(cat "$RUNDIR/driver2.err")" "7 held back by the rate limits" "and logged"
stop_pid "$DRIVER_PID" agentx-driver
finish
