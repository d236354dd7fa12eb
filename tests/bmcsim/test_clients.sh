#!/usr/bin/env bash
# test_clients.sh - real clients against one simulated BMC, cipher suites 17
# and 3: ipmitool lanplus (mc info, mc guid, sdr elist, sensor, fru print,
# sel elist, chassis status) and FreeIPMI (ipmi-sensors, ipmi-fru, ipmi-sel).
# What they print is compared with what the simulator believes (bmcsim-ctl
# dump-*): names, readings within one raw step of the SDR's resolution,
# threshold status, FRU fields, SEL record count and IDs.
#
# Sensor drift is pinned first (set-sensor to the current value), so that
# the simulator and the clients look at the same numbers.  Also checked:
# wrong password and unknown user are refused (and counted), the password
# file must be mode 600, the session limit, the ready line, and a clean
# SIGTERM exit.
#
#   make check TESTS=tests/bmcsim/test_clients.sh
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

require_cmds ipmitool ipmi-sensors ipmi-fru ipmi-sel bmc-info python3 timeout ss
require_bmcsim
bmcsim_setup

PORT=$(free_port 2 25000) || bail_out "no free ports"
start_bmcsim sim --count 2 --base-port "$PORT" --seed 7 --tick-ms 0 --pid-file "$RUNDIR/sim.pid" ||
    bail_out "bmcsim did not start"
assert_eq "$SIM_READY" "bmcsim: ready: 2 BMCs on 127.0.0.1:$PORT-$((PORT + 1))" "one ready line naming the ports"
assert_eq "$(cat "$RUNDIR/sim.pid")" "$SIM_PID" "pid file written"

# ---- pin the drifting sensors, then take the simulator's view --------------
ctl dump-sensors 0 > "$RUNDIR/sensors0.txt"
pinned=0
while IFS='|' read -r _ num _ _ etype _ value _ _; do
    [[ $etype == 0x01 && $value != na ]] || continue
    ctl set-sensor 0 "$num" "$value" > /dev/null
    pinned=$((pinned + 1))
done < <(grep '^sensor|' "$RUNDIR/sensors0.txt")
assert_num ">" "$pinned" 10 "pinned $pinned threshold sensors at their present values"
for what in sensors fru sel device; do
    ctl "dump-$what" 0 > "$RUNDIR/sim-$what.txt"
done
note "simulator: $(grep -c '^sensor|' "$RUNDIR/sim-sensors.txt") sensors, $(grep -c '^fru|' "$RUNDIR/sim-fru.txt") FRU fields, SEL $(grep '^count=' "$RUNDIR/sim-sel.txt")"

# compare KIND SIMFILE OUTFILE MSG
compare() {
    local out
    if out=$(python3 "$COMPARE" "$1" "$RUNDIR/$2" "$RUNDIR/$3" 2>&1); then
        pass "$4 (${out##*# })"
    else
        fail "$4" "$out"
    fi
}

# run_client MSG OUTFILE CMD...: the command must succeed
run_client() {
    local msg=$1 out=$2 rc=0
    shift 2
    "$@" > "$RUNDIR/$out" 2> "$RUNDIR/$out.err" || rc=$?
    if ((rc == 0)); then
        pass "$msg"
    else
        fail "$msg" "exit $rc: $*" "$(tail -5 "$RUNDIR/$out.err")"
    fi
}

for c in 17 3; do
    run_client "ipmitool -C $c mc info" "it$c-mc.txt" it "$PORT" "$c" mc info
    it "$PORT" "$c" mc guid >> "$RUNDIR/it$c-mc.txt" 2> /dev/null || true
    compare ipmitool-mc sim-device.txt "it$c-mc.txt" "ipmitool -C $c: device ID, firmware, GUID"
    run_client "ipmitool -C $c sdr elist" "it$c-sdr.txt" it "$PORT" "$c" sdr elist
    compare ipmitool-sdr sim-sensors.txt "it$c-sdr.txt" "ipmitool -C $c sdr elist: names, readings, status"
    run_client "ipmitool -C $c sensor" "it$c-sensor.txt" it "$PORT" "$c" sensor
    compare ipmitool-sensor sim-sensors.txt "it$c-sensor.txt" "ipmitool -C $c sensor: readings, status"
    run_client "ipmitool -C $c fru print" "it$c-fru.txt" it "$PORT" "$c" fru print
    compare ipmitool-fru sim-fru.txt "it$c-fru.txt" "ipmitool -C $c fru print: every FRU field"
    run_client "ipmitool -C $c sel elist" "it$c-sel.txt" it "$PORT" "$c" sel elist
    compare ipmitool-sel sim-sel.txt "it$c-sel.txt" "ipmitool -C $c sel elist: record count and IDs"
    run_client "ipmitool -C $c chassis status" "it$c-chassis.txt" it "$PORT" "$c" chassis status
    assert_match "$(cat "$RUNDIR/it$c-chassis.txt")" "System Power +: (on|off)" "ipmitool -C $c chassis status shows the power state"

    run_client "ipmi-sensors -I $c" "fi$c-sensors.txt" fi_tool ipmi-sensors "$PORT" "$c"
    compare ipmi-sensors sim-sensors.txt "fi$c-sensors.txt" "ipmi-sensors -I $c: names, readings, events"
    run_client "ipmi-fru -I $c" "fi$c-fru.txt" fi_tool ipmi-fru "$PORT" "$c"
    compare ipmi-fru sim-fru.txt "fi$c-fru.txt" "ipmi-fru -I $c: every FRU field"
    run_client "ipmi-sel -I $c" "fi$c-sel.txt" fi_tool ipmi-sel "$PORT" "$c"
    compare ipmi-sel sim-sel.txt "fi$c-sel.txt" "ipmi-sel -I $c: record count and IDs"
done

# cipher suites 2 and 1 (integrity only / none) establish sessions as well
for c in 2 1; do
    run_client "ipmitool -C $c mc info" "it$c-mc.txt" it "$PORT" "$c" mc info
done

# the second BMC is a different machine: its own GUID
ctl dump-device 1 > "$RUNDIR/sim-device1.txt"
assert_ne "$(grep '^device|guid' "$RUNDIR/sim-device1.txt")" "$(grep '^device|guid' "$RUNDIR/sim-device.txt")" \
    "BMC 1 has its own GUID"
run_client "ipmi-sensors -I 17 against BMC 1" fi-bmc1.txt fi_tool ipmi-sensors "$((PORT + 1))" 17

# ---- refusals ------------------------------------------------------------------
failed0=$(counter logins_failed 0)
write_secret "$RUNDIR/wrongpw" "wrong-password"
rc=0
out=$(timeout 60 ipmitool -I lanplus -H 127.0.0.1 -p "$PORT" -U admin -f "$RUNDIR/wrongpw" -C 17 -R 1 mc info 2>&1) || rc=$?
assert_ne "$rc" 0 "ipmitool with a wrong password fails (its RAKP 2 check)"
rc=0
out=$(timeout 60 ipmitool -v -I lanplus -H 127.0.0.1 -p "$PORT" -U nobody -f "$RUNDIR/pw" -C 3 -R 1 mc info 2>&1) || rc=$?
assert_ne "$rc" 0 "ipmitool with an unknown user fails"
assert_contains "$out" "RAKP 2 message indicates an error : unauthorized name" "unknown user: RAKP 2 status 0Dh"
# a console that does not check RAKP 2 sends a RAKP 3 the BMC cannot verify
rc=0
out=$(timeout 60 "$SIMLOAD" --port "$PORT" --password-file "$RUNDIR/wrongpw" --trust-rakp2 --duration 1 2>&1) || rc=$?
assert_ne "$rc" 0 "a wrong password that reaches RAKP 3 is refused"
assert_contains "$out" "RAKP 4: invalid integrity check value" "wrong password: RAKP 4 status 0Fh"
assert_eq "$(counter logins_failed 0)" "$((failed0 + 2))" "unknown user and bad RAKP 3 counted as failed logins"
run_client "bmc-info --guid" bmcinfo-guid.txt timeout 60 bmc-info -D LAN_2_0 -h "127.0.0.1:$PORT" \
    --config-file="$RUNDIR/freeipmi.conf" -I 17 --guid
compare bmc-info sim-device.txt bmcinfo-guid.txt "bmc-info --guid: the IPMI-order GUID"

# the session limit (default 4, like real BMCs): simload holds four sessions
# on BMC 1 while ipmitool asks for a fifth
"$SIMLOAD" --port "$((PORT + 1))" --sessions 4 --password-file "$RUNDIR/pw" --duration 3 --window 1 \
    > "$RUNDIR/hold.txt" 2>&1 &
HOLD=$!
track_pid "$HOLD" simload
for ((t = 0; t < 100; t++)); do
    [[ $(counter sessions_active 1) == 4 ]] && break
    sleep 0.05
done
assert_eq "$(counter sessions_active 1)" 4 "simload holds 4 sessions on BMC 1"
rc=0
out=$(timeout 60 ipmitool -v -I lanplus -H 127.0.0.1 -p "$((PORT + 1))" -U admin -f "$RUNDIR/pw" -C 17 \
    -N 1 -R 1 mc info 2>&1) || rc=$?
assert_ne "$rc" 0 "a fifth session is refused"
assert_contains "$out" "insufficient resources for session" "Open Session status 01h (insufficient resources)"
assert_eq "$(counter sessions_refused 1)" 1 "the refusal is counted"
wait "$HOLD" || true
assert_match "$(cat "$RUNDIR/hold.txt")" "received=[1-9]" "the held sessions kept working"

opened=$(counter sessions_opened)
assert_num ">=" "$opened" 24 "sessions_opened counts every client run ($opened)"
assert_eq "$(counter sessions_active)" 0 "clients closed their sessions"
assert_eq "$(counter bad_packets)" 0 "no malformed packets from the clients"
assert_match "$(ctl counters)" $'cmd_0a_23=[1-9]' "requests are counted by netfn/cmd (Get SDR)"

# ---- shutdown ---------------------------------------------------------------------
stop_bmcsim
assert_eq "$SIM_EXIT" 0 "SIGTERM: exit status 0"
assert_eq "$([[ -e $RUNDIR/sim.pid || -e $RUNDIR/sim.ctl ]] && echo left || echo gone)" gone \
    "SIGTERM: pid file and control socket removed"

# ---- start-up checks ------------------------------------------------------------------
write_secret "$RUNDIR/pw644" "Zq7-not-printed"
chmod 644 "$RUNDIR/pw644"
rc=0
out=$(timeout 10 "$BMCSIM" --count 1 --base-port "$PORT" --password-file "$RUNDIR/pw644" 2>&1) || rc=$?
assert_ne "$rc" 0 "a password file readable by others is refused"
assert_match "$out" "chmod 600" "the refusal says how to fix it"
assert_not_contains "$out" "Zq7-not-printed" "the password is not printed"
out=$("$BMCSIM" --help 2>&1) || true
assert_match "$out" "--pet-dest" "--help lists the options"

finish
