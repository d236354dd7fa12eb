#!/usr/bin/env bash
# test_pet.sh - Platform Event Traps: bmcsim --pet-dest sends an SNMPv1 trap
# in the PET 1.0 format for each new SEL event; snmptrapd receives it and
# FreeIPMI's ipmi-pet decodes it (using the simulated BMC itself for the SDR)
# to exactly the injected event.  Also: the trap comes from the BMC's own
# address and port, the 47 data bytes carry the BMC's GUID, sensor, event
# data and IANA number, a deassertion sets bit 7 of the specific trap, a
# sensor pushed over a threshold raises a PET by itself, and PETs are resent
# (--pet-retries) until ipmi-pet --pet-acknowledge acknowledges them.
#
#   make check TESTS=tests/bmcsim/test_pet.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_cmds snmptrapd ipmi-pet ss timeout awk
require_bmcsim
bmcsim_setup

TRAPPORT=$(free_port 1 25300) || bail_out "no free port"
PORT=$(free_port 2 25320) || bail_out "no free ports"
BMC=1
BMCPORT=$((PORT + BMC))

# ---- snmptrapd ------------------------------------------------------------------
mkdir -p "$RUNDIR/snmp"
cat > "$RUNDIR/snmp/snmptrapd.conf" << 'EOF'
[snmp] hexOutputLength 0
authCommunity log public
EOF
MIBS="" SNMP_PERSISTENT_DIR="$RUNDIR/snmp" snmptrapd -f -C -c "$RUNDIR/snmp/snmptrapd.conf" -On \
    -Lf "$RUNDIR/traps.log" -p "$RUNDIR/snmp/snmptrapd.pid" "udp:127.0.0.1:$TRAPPORT" \
    > "$RUNDIR/snmptrapd.out" 2>&1 < /dev/null &
TRAPD_PID=$!
track_pid "$TRAPD_PID" snmptrapd
for ((t = 0; t < 100; t++)); do
    ss -Huan "sport = :$TRAPPORT" | grep -q . && break
    sleep 0.05
done
ss -Huan "sport = :$TRAPPORT" | grep -q . || bail_out "snmptrapd did not start: $(cat "$RUNDIR/snmptrapd.out")"

start_bmcsim pet --count 2 --base-port "$PORT" --seed 5 --tick-ms 0 \
    --pet-dest "127.0.0.1:$TRAPPORT" --pet-retries 3 --pet-retry-interval 600 || bail_out "bmcsim did not start"

# traps_with TEXT: the number of logged traps whose text contains TEXT
# (snmptrapd logs a v1 trap as a header line plus tab-indented lines)
traps_log() {
    awk '/^[0-9]/ { if (t != "") print t; t = $0; next } { t = t " " $0 } END { if (t != "") print t }' \
        "$RUNDIR/traps.log" 2> /dev/null || true
}
wait_traps() { # wait_traps PATTERN COUNT
    local t
    for ((t = 0; t < 100; t++)); do
        (($(traps_log | grep -c -- "$1" || true) >= $2)) && return 0
        sleep 0.05
    done
    return 1
}
trap_bytes() { # the PET data of the first trap matching PATTERN, as hex words
    traps_log | grep -- "$1" | head -1 | sed 's/.*\.1\.3\.6\.1\.4\.1\.3183\.1\.1\.1 = Hex-STRING: //' |
        tr -cs '0-9A-Fa-f' ' ' | sed 's/^ //; s/ $//'
}

# ---- 1: an injected event ------------------------------------------------------
# CPU1 Temp (sensor 01h, temperature 01h) upper critical going high (threshold
# event type 01h, offset 9), reading 90 and threshold 85 in event data 2/3
out=$(ctl inject-event "$BMC" 0x01 0x01 0x01 0x59 90 85)
assert_match "$out" "specific=65801" "inject-event reports specific trap 65801 (01h<<16 | 01h<<8 | 9)"
if wait_traps "Enterprise Specific Trap (65801)" 1; then
    pass "snmptrapd received the PET"
else
    fail "snmptrapd received the PET" "$(cat "$RUNDIR/traps.log" 2> /dev/null)"
fi
line=$(traps_log | grep -- "Trap (65801)" | head -1)
assert_contains "$line" "[127.0.0.1]:$BMCPORT->" "the trap comes from the BMC's own port"
assert_contains "$line" ".1.3.6.1.4.1.3183.1.1 Enterprise Specific Trap" "enterprise 1.3.6.1.4.1.3183.1.1 (wfm.pet)"
assert_contains "$line" "TRAP, SNMP v1, community public" "an SNMPv1 trap, community public"

read -r -a b <<< "$(trap_bytes "Trap (65801)")"
assert_eq "${#b[@]}" 47 "the PET varbind holds 47 bytes"
guid=$(ctl dump-device "$BMC" | awk -F'|' '$2 == "guid_raw" { print $3 }')
assert_eq "$(printf '%s' "${b[@]:0:16}" | tr 'A-F' 'a-f')" "$guid" "bytes 0-15: the BMC's GUID (as Get System GUID returns it)"
assert_eq "${b[24]} ${b[25]}" "20 20" "trap and event source type 20h (IPMI)"
assert_eq "${b[26]}" "10" "severity 10h (critical) for an upper critical event"
assert_eq "${b[27]} ${b[28]}" "20 01" "sensor device 20h (the BMC), sensor number 01h"
assert_eq "${b[29]} ${b[30]}" "03 01" "entity 03h (processor) instance 1, from the SDR"
assert_eq "${b[*]:31:8}" "59 5A 55 00 00 00 00 00" "event data 59h 5Ah (90) 55h (85)"
assert_eq "${b[39]}" "19" "language code 19h (English)"
assert_eq "${b[*]:40:4}" "00 00 7E D9" "manufacturer ID 32473, MS byte first"
assert_eq "${b[*]:44:2}" "0B 01" "system ID = product ID 0B01h"
assert_eq "${b[46]}" "C1" "OEM custom fields end with C1h"

# ---- 2: ipmi-pet decodes it to the injected event -------------------------------
decode() { # decode SPECIFIC BYTES...
    local spec=$1
    shift
    timeout -k 5 60 ipmi-pet -D LAN_2_0 -h "127.0.0.1:$BMCPORT" --config-file="$RUNDIR/freeipmi.conf" -I 3 \
        --sdr-cache-directory="$RUNDIR/sdr-cache" --quiet-cache -v --output-event-state "$spec" "$@" 2>&1
}
out=$(decode 65801 "${b[@]}") || true
note "ipmi-pet: $out"
assert_contains "$out" "CPU1 Temp" "ipmi-pet names the sensor (SDR lookup through the simulated BMC)"
assert_contains "$out" "Temperature" "ipmi-pet: sensor type temperature"
assert_contains "$out" "Upper Critical - going high" "ipmi-pet: the event offset"
assert_contains "$out" "Assertion Event" "ipmi-pet: an assertion"
assert_contains "$out" "Sensor Reading = 90.00 C" "ipmi-pet: the reading from event data 2"
assert_contains "$out" "Threshold = 85.00 C" "ipmi-pet: the threshold from event data 3"

# ---- 3: acknowledge stops the resends -----------------------------------------------
rc=0
timeout -k 5 60 ipmi-pet -D LAN_2_0 -h "127.0.0.1:$BMCPORT" --config-file="$RUNDIR/freeipmi.conf" -I 3 \
    --pet-acknowledge 65801 "${b[@]}" > "$RUNDIR/ack.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "ipmi-pet --pet-acknowledge succeeds"
assert_eq "$(counter pets_acked "$BMC")" 1 "the BMC counts the PET as acknowledged"
resent=$(counter pets_resent "$BMC")
sleep 1.5
assert_eq "$(counter pets_resent "$BMC")" "$resent" "no resends after the acknowledgement"

# ---- 4: an unacknowledged PET is resent --pet-retries times ---------------------------
# Intrusion (56h, physical security 05h, sensor-specific 6Fh), offset 0
out=$(ctl inject-event "$BMC" 0x05 0x56 0x6f 0x00)
assert_match "$out" "specific=356096" "specific trap 356096 = 05h<<16 | 6Fh<<8 | 0"
if wait_traps "Trap (356096)" 4; then
    pass "the unacknowledged PET went out 1 + 3 times"
else
    fail "the unacknowledged PET went out 1 + 3 times" "$(traps_log | grep -c "Trap (356096)") copies"
fi
seqs=$(traps_log | grep -- "Trap (356096)" | sed 's/.*Hex-STRING: //' | awk '{ print $17 $18 }' | sort -u)
assert_one_line "$seqs" "every copy carries the same PET sequence number"
read -r -a b2 <<< "$(trap_bytes "Trap (356096)")"
out=$(decode 356096 "${b2[@]}") || true
assert_contains "$out" "Intrusion" "ipmi-pet decodes the intrusion PET"
assert_contains "$out" "General Chassis Intrusion" "ipmi-pet: general chassis intrusion"

# ---- 5: deassertion and a threshold crossing ---------------------------------------
out=$(ctl inject-event "$BMC" 0x01 0x01 0x81 0x59 80 85)
assert_match "$out" "specific=65929" "a deassertion sets bit 7: specific 65929"
if wait_traps "Trap (65929)" 1; then
    pass "the deassertion PET arrived"
else
    fail "the deassertion PET arrived"
fi
read -r -a b3 <<< "$(trap_bytes "Trap (65929)")"
out=$(decode 65929 "${b3[@]}") || true
assert_contains "$out" "Deassertion Event" "ipmi-pet: a deassertion"
before=$(counter pets_sent "$BMC")
out=$(ctl set-sensor "$BMC" "CPU2 Temp" 96)
assert_match "$out" "events=[1-9]" "CPU2 Temp to 96 C crosses its thresholds and logs SEL events"
n=$(awk -F= '$1 == "events" { print $2 }' <<< "$out")
assert_eq "$(counter pets_sent "$BMC")" "$((before + n))" "one PET per new SEL event ($n)"
for ((t = 0; t < 100; t++)); do
    traps_log | grep -E -q 'Hex-STRING: ([0-9A-F]{2} ){28}02 ' && break
    sleep 0.05
done
if traps_log | grep -E -q 'Hex-STRING: ([0-9A-F]{2} ){28}02 '; then
    pass "a PET for sensor 02h arrived by itself"
else
    fail "a PET for sensor 02h arrived by itself" "$(traps_log | tail -3)"
fi
assert_eq "$(counter pets_sent 0)" 0 "the other BMC sent nothing"

stop_bmcsim
assert_eq "$SIM_EXIT" 0 "clean exit with PETs still pending"
finish
