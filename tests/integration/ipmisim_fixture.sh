#!/usr/bin/env bash
# ipmisim_fixture.sh - the ipmi_sim fixture and tests/lib/ipmisim.sh, checked
# with third-party clients only (ipmitool, FreeIPMI if installed); no bridge.
#
#   make check TESTS=tests/integration/ipmisim_fixture.sh
#   bash tests/integration/ipmisim_fixture.sh          (from the repo root)
#
# Guards what the bridge tests rely on: sensors, FRUs, SEL, users, GUIDs,
# power states, console injection, fresh state on restart, and that
# ipmisim_stop ends exactly the recorded simulators and nothing else.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

require_cmds ipmi_sim sdrcomp ipmitool ss python3 timeout
make_rundir

FIX=$top_srcdir/tests/ipmisim
assert_cmd "fru.emu is what mkfru.py generates" python3 "$FIX/mkfru.py" --check "$FIX/fru.emu"

BASE=$(free_port 2 21400) || bail_out "no free ports"
SIMS=$RUNDIR/sims
start_sims 2 "$BASE" "$SIMS"
P1=$BASE P2=$((BASE + 1))

# ---- ipmisim_start bookkeeping -------------------------------------------------------
assert_eq "$(awk '{ print $2, $3 }' "$SIMS/pids" | tr '\n' ' ')" "$P1 sim01 $P2 sim02 " "pids file lists 'PID PORT NAME' per instance"
alive=0
while read -r pid _ _; do ipmisim_is_ours "$pid" "$SIMS" && alive=$((alive + 1)); done < "$SIMS/pids"
assert_eq "$alive" 2 "both recorded PIDs are running ipmi_sim from this run dir"
assert_eq "$(head -n 1 "$SIMS/sim01/state/ipmi_sim/sim01/sdr.20.main")" \
    "last_add_time:i:$(stat -c %Y "$FIX/sensors.sdrs")" "SDR last_add_time is pinned to sensors.sdrs' mtime"
assert_cmd "udp $P1 and $P2 are bound on 127.0.0.1" \
    bash -c "ss -Hlun 'src 127.0.0.1:$P1' | grep -q . && ss -Hlun 'src 127.0.0.1:$P2' | grep -q ."

it() { # it PORT USER PASS [ipmitool args...]
    local port=$1 user=$2 pass=$3
    shift 3
    timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$port" -U "$user" -P "$pass" -C 3 "$@" 2>&1
}

# ---- what clients see ------------------------------------------------------------------
out=$(it "$P1" admin password sdr elist) || true
assert_eq "$(grep -c '|' <<< "$out")" 46 "sdr elist: 46 readable sensors (see tests/ipmisim/README.md)"
assert_match "$out" 'CPU Temp +\| 01h \| ok +\| +3\.1 \| 45 degrees C' "sdr elist: CPU Temp 45 C ok"
assert_match "$out" 'FAN2 +\| 04h \| lcr \| 29\.2 \| 840 RPM' "sdr elist: FAN2 840 RPM, lower critical"
assert_match "$out" '12V +\| 05h \| ok +\| +7\.1 \| 12 Volts' "sdr elist: 12V ok"
assert_match "$out" 'PSU1 Status +\| 07h \| ok +\| 10\.1 \| Presence detected' "sdr elist: PSU1 presence detected"
out=$(it "$P1" admin password sensor get 12V) || true
assert_match "$out" 'Upper Critical +: 13\.200' "sensor get 12V: upper critical threshold 13.2 V"
out=$(it "$P1" admin password fru print) || true
assert_match "$out" 'Product Name +: SimServer 1000' "fru print: FRU 0 product SimServer 1000"
assert_match "$out" 'Board Mfg Date +: Mon Jan 15 12:00:00 2024' "fru print: board manufacturing date"
assert_contains "$out" "PSU1 FRU (ID 1)" "fru print: logical FRU 1 (PSU1 FRU) found via its SDR"
out=$(it "$P1" admin password sel elist) || true
assert_eq "$(grep -c '|' <<< "$out")" "$IPMISIM_SEL_INITIAL" "sel elist: $IPMISIM_SEL_INITIAL records"
out=$(it "$P1" admin password mc info) || true
assert_eq "$(ipmitool_field "$out" "Device ID")/$(ipmitool_field "$out" "Firmware Revision")/$(ipmitool_field "$out" "Manufacturer ID")" \
    "32/9.08/4753" "mc info: device ID 32, firmware 9.08, manufacturer 4753"
for i in 1 2; do
    port=$((BASE + i - 1))
    out=$(it "$port" admin password mc guid) || true
    assert_eq "$(ipmitool_field "$out" "System GUID")" "$(ipmisim_guid "$i")" "sim0$i: System GUID as ipmisim_guid $i"
done
out=$(it "$P1" admin password chassis status) || true
assert_eq "$(ipmitool_field "$out" "System Power")" on "sim01 starts powered on"
out=$(it "$P2" admin password chassis status) || true
assert_eq "$(ipmitool_field "$out" "System Power")" off "sim02 starts powered off"
it "$P2" admin password chassis power on > /dev/null || true
out=$(it "$P2" admin password chassis status) || true
assert_eq "$(ipmitool_field "$out" "System Power")/$(cat "$SIMS/sim02/power")" on/1 "chassis power on via chassis-control.sh"

# ---- users, privileges, limits ------------------------------------------------------------
assert_cmd "user ro/ropass at privilege USER" timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$P1" -U ro -P ropass -L USER -C 3 mc guid
assert_cmd "user oper/operpass at privilege OPERATOR" timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$P1" -U oper -P operpass -L OPERATOR -C 3 mc guid
# Commands are checked against the SESSION's privilege level ...
out=$(timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$P1" -U ro -P ropass -L USER -C 3 chassis power off 2>&1) || true
assert_contains "$out" "Insufficient privilege level" "a USER-level session may not power off the chassis"
# ... but ipmi_sim (2.0.33) grants whatever session privilege a client asks
# for: neither the user's max-priv nor the channel's priv_limit is enforced
# for RMCP+.  So a 'privilege' error cannot be provoked with ipmi_sim.
if timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$P1" -U ro -P ropass -L ADMINISTRATOR -C 3 mc guid > /dev/null 2>&1; then
    note "ipmi_sim quirk still present: user ro (max USER) got an ADMINISTRATOR session"
else
    note "ipmi_sim now refuses ADMINISTRATOR to user ro: a 'privilege' error test is possible"
fi
if it "$P1" admin not-the-password mc guid > /dev/null; then
    fail "a wrong password is refused"
else
    pass "a wrong password is refused"
fi
if timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$P1" -U admin -P password -C 17 mc guid > /dev/null 2>&1; then
    fail "cipher suite 17 is not supported by ipmi_sim (tests rely on it)"
else
    pass "cipher suite 17 is not supported by ipmi_sim (tests rely on it)"
fi

if command -v ipmi-sensors > /dev/null; then
    mkdir -p "$RUNDIR/sdrcache"
    # FreeIPMI needs -W opensesspriv against ipmi_sim, and the port in -h
    out=$(timeout 30 ipmi-sensors -D LAN_2_0 -h "127.0.0.1:$P1" -u admin -p password -l ADMIN -I 3 \
        -W opensesspriv --sdr-cache-directory="$RUNDIR/sdrcache" --quiet-cache --no-header-output 2>&1) || true
    assert_eq "$(grep -c '|' <<< "$out")" 46 "FreeIPMI ipmi-sensors: 46 readings"
    assert_match "$out" "FAN2 +\| Fan +\| 840\.00 +\| RPM +\| 'At or Below \(<=\) Lower Critical Threshold'" "FreeIPMI: FAN2 below lower critical"
else
    note "ipmi-sensors (freeipmi-tools) not installed: FreeIPMI checks skipped"
fi

# ---- console injection ---------------------------------------------------------------------
ipmisim_cmd "$P1" 'sensor_set_value 0x20 0 1 90 1' > /dev/null
out=$(it "$P1" admin password sdr elist) || true
assert_match "$out" 'CPU Temp +\| 01h \| ucr \| +3\.1 \| 90 degrees C' "console: CPU Temp set to 90 C (upper critical)"
out=$(it "$P1" admin password sel elist) || true
assert_eq "$(grep -c '|' <<< "$out")" "$((IPMISIM_SEL_INITIAL + 2))" "console: crossing unc and uc added 2 SEL records"
assert_contains "$(ipmisim_cmd "$P1" quit 2>&1)" "refusing" "ipmisim_cmd refuses to send quit"

# ---- restart = fresh state -------------------------------------------------------------------
old_pids=$(awk '{ print $1 }' "$SIMS/pids")
start_sims 2 "$BASE" "$SIMS"
gone=1
for pid in $old_pids; do ipmisim_is_ours "$pid" "$SIMS" && gone=0; done
assert_eq "$gone" 1 "ipmisim_start on a used run dir stops the previous simulators first"
out=$(it "$P1" admin password sel elist) || true
assert_eq "$(grep -c '|' <<< "$out")" "$IPMISIM_SEL_INITIAL" "after a restart the SEL has its $IPMISIM_SEL_INITIAL initial records again"

# ---- ipmisim_stop ends exactly the recorded simulators -----------------------------------------
# a decoy that is not ipmi_sim, recorded in a pids file: must survive
sleep 60 &
decoy=$!
track_pid "$decoy" sleep
mkdir -p "$RUNDIR/decoy"
echo "$decoy $((BASE + 50)) decoy" > "$RUNDIR/decoy/pids"
ipmisim_stop "$RUNDIR/decoy"
assert_cmd "ipmisim_stop leaves a recorded PID alone when it is not our ipmi_sim" kill -0 "$decoy"
stop_pid "$decoy" sleep

sim_pids=$(awk '{ print $1 }' "$SIMS/pids")
ipmisim_stop "$SIMS"
nleft=0
for pid in $sim_pids; do ipmisim_is_ours "$pid" "$SIMS" && nleft=$((nleft + 1)); done
assert_eq "$nleft" 0 "ipmisim_stop ended both simulators"
assert_eq "$(test -e "$SIMS/pids" && echo present || echo removed)" removed "ipmisim_stop removes the pids file"
if ss -Huan "sport = :$P1" | grep -q . || ss -Huan "sport = :$P2" | grep -q .; then
    fail "ports are free again after ipmisim_stop"
else
    pass "ports are free again after ipmisim_stop"
fi
assert_cmd "ipmisim_stop on a stopped run dir is a no-op" ipmisim_stop "$SIMS"

# ---- the command line interface ---------------------------------------------------------------------
CLI=$top_srcdir/tests/lib/ipmisim.sh
out=$("$CLI" start 1 "$BASE" "$RUNDIR/cli" 2>&1) || true
SIM_RUNDIRS+=("$RUNDIR/cli")
assert_match "$out" "[0-9]+ $BASE sim01" "ipmisim.sh start prints 'PID PORT NAME'"
assert_match "$("$CLI" status "$RUNDIR/cli" 2>&1)" "$BASE sim01 running" "ipmisim.sh status"
assert_match "$("$CLI" cmd "$BASE" 'sensor_set_value 0x20 0 2 30 0' 2>&1)" "sensor_set_value" "ipmisim.sh cmd echoes the command"
assert_cmd "ipmisim.sh stop" "$CLI" stop "$RUNDIR/cli"
assert_match "$("$CLI" status "$RUNDIR/cli" 2>&1 || true)" "no simulators recorded" "ipmisim.sh status after stop"

finish
