#!/usr/bin/env bash
# pet_daemon.sh - notifications from the real daemon (ipmi-snmp-bridge, not
# the test driver) through a private snmpd (trap2sink) to a private
# snmptrapd:
#  * exactly once: a bmcsim BMC (PETs to the bridge's pet-listen, resent until
#    acknowledged) gets an event injected: it arrives as a PET, then in the
#    SEL: one ipmiPlatformEvent; after a restart of the bridge (state-dir
#    kept) the SEL is read again: none; the notification's varbinds agree
#    with ipmi-pet -vv on the PET bmcsim sent (tests/agentx/pet_notify.py);
#  * PET Acknowledge: with pet-acknowledge on (session, the default) bmcsim
#    counts the PET acknowledged and stops resending; with it off, bmcsim
#    resends every retry, and the PET, its resends and the SEL entry still
#    give one ipmiPlatformEvent; with it sessionless and a wrong password (no
#    session can exist) bmcsim counts the PET acknowledged, no resend;
#  * SEL-derived: a record added to ipmi_sim's SEL gives one ipmiPlatformEvent
#    (source sel) within a sel-interval;
#  * sensor status: ipmi_sim's CPU Temp moved over its critical threshold and
#    back gives exactly two ipmiSensorStatusChange; steady state none;
#  * BMC state: stopping the ipmi_sim gives ipmiBmcStateChange (unreachable),
#    starting it again one more (ok).
#
# WORKER_THREADS=N (default 1) sets worker-threads: pet_daemon_workers.sh
# runs the same checks with 2 workers (the acknowledges go from the agent's
# thread to the BMC's worker and their answers come back).
#
#   make check TESTS=tests/agentx/pet_daemon.sh
set -euo pipefail
TESTS_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"
# shellcheck source=tests/bmcsim/testlib.sh
. "$TESTS_LIB_DIR/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/snmpd.sh
. "$TESTS_LIB_DIR/snmpd.sh"
# shellcheck source=tests/bmcsim/daemonlib.sh
. "$TESTS_LIB_DIR/../bmcsim/daemonlib.sh"

require_bmcsim
require_bridge
require_cmds ipmi_sim sdrcomp snmpd snmptrapd snmpget ss python3
bmcsim_setup
ROOT=.1.3.6.1.4.1.8072.9999.9999.623

SIMPORT=$(free_port 1 23200) || bail_out "no free port"
TRAPPORT=$(free_port 1 23220) || bail_out "no free port"
PETPORT=$(free_port 1 23240) || bail_out "no free port"
IPORT=$(free_port 1 23260) || bail_out "no free port"
SNMP_PORT=$(free_port 1 23280) || bail_out "no free port"

start_bmcsim sim --count 1 --base-port "$SIMPORT" --seed 11 --tick-ms 0 \
    --pet-dest "127.0.0.1:$PETPORT" --pet-retries 3 --pet-retry-interval 1000 ||
    bail_out "bmcsim did not start"
SIMS=$RUNDIR/sims
start_sims 1 "$IPORT" "$SIMS"
ISIM=$(ipmisim_name 1)
write_secret "$RUNDIR/$ISIM.pw" password

TRAPS=$RUNDIR/traps.log
mkdir -p "$RUNDIR/trapd/persist"
printf '[snmp] hexOutputLength 0\nauthCommunity log public\n' > "$RUNDIR/trapd/snmptrapd.conf"
MIBS="" SNMP_PERSISTENT_DIR="$RUNDIR/trapd/persist" snmptrapd -f -C -c "$RUNDIR/trapd/snmptrapd.conf" \
    -On -F 'TRAP %v\n' -Lf "$TRAPS" -p "$RUNDIR/trapd/pid" "udp:127.0.0.1:$TRAPPORT" \
    > "$RUNDIR/trapd/out" 2>&1 < /dev/null &
track_pid $! snmptrapd
SNMPD_EXTRA_CONF="trap2sink udp:127.0.0.1:$TRAPPORT public"
snmpd_start "$RUNDIR/snmpd" "$SNMP_PORT" || bail_out "snmpd did not start (see $RUNDIR/snmpd)"

CFG=$RUNDIR/bridge.conf
cat > "$CFG" << EOF
timeout = 0.3
retries = 1
session-timeout = 3
state-dir = "$RUNDIR/state"
sdr-cache-dir = "$RUNDIR/sdr"
agentx-socket = "$AGENTX_SOCK"
pet-listen = "udp:127.0.0.1:$PETPORT"
sensor-interval = 2
sel-interval = 2
sdr-check-interval = 3600
fru-interval = 86400
info-interval = 3600
unreachable-max-backoff = 2
worker-threads = ${WORKER_THREADS:-1}
bmc "bsim" {
    address = "127.0.0.1"  port = $SIMPORT
    username = "admin"  password-file = "$RUNDIR/pw"  cipher-suites = {17}  privilege = "admin"
}
bmc "$ISIM" {
    address = "127.0.0.1"  port = $IPORT
    username = "admin"  password-file = "$RUNDIR/$ISIM.pw"  cipher-suites = {3}  privilege = "admin"
}
EOF
mkdir -p "$RUNDIR/state" "$RUNDIR/sdr"

start_daemon() {
    daemon_start "$1" "$CFG" --allow-root -vv
    daemon_running "$1" ".* ${WORKER_THREADS:-1} worker thread"
}
# count NOTIFICATION-NUMBER BMC-NAME [PATTERN]: notifications of that kind
# naming the BMC (ipmiBmcName) in snmptrapd's log (one line each)
count() {
    grep "4\.1\.0 = OID: $ROOT\.0\.$1	" "$TRAPS" 2> /dev/null | grep -F "STRING: \"$2\"" |
        grep -c -- "${3:-}" || true
}
wait_count() { # N NOTIFICATION BMC [PATTERN] [SECONDS]
    local t
    for ((t = 0; t < ${5:-20} * 10; t++)); do
        (($(count "$2" "$3" "${4:-}") >= $1)) && return 0
        sleep 0.1
    done
    return 1
}
# both BMCs polled (ipmiBmcState polling = 5)
wait_polling() {
    local t a b
    for ((t = 0; t < 300; t++)); do
        a=$(snmpget -v2c -c public -Oqv -t 1 -r 0 "$SNMPD_TARGET" "$ROOT.1.3.1.4.1" 2> /dev/null || true)
        b=$(snmpget -v2c -c public -Oqv -t 1 -r 0 "$SNMPD_TARGET" "$ROOT.1.3.1.4.2" 2> /dev/null || true)
        [[ $a == 5 && $b == 5 ]] && return 0
        sleep 0.2
    done
    return 1
}

start_daemon d1 || bail_out "the daemon did not start: $(tail -5 "$RUNDIR/d1.err")"
wait_polling || bail_out "the BMCs are not polled: $(tail -5 "$RUNDIR/d1.err")"
sleep 3 # a SEL read after the baseline
assert_eq "$(count 1 bsim)" 0 "the SEL entries present at start are not notified"

# ---- exactly once: PET + resends + SEL ---------------------------------------------------
out=$(ctl inject-event 0 0x01 0x01 0x01 0x59 90 85)
note "inject-event: $out"
wait_count 1 1 bsim "" 10 || fail "the injected event is notified" "$(tail -5 "$RUNDIR/d1.err")"
sleep 6 # the resends, if any (3 x 1 s), and two SEL reads
assert_eq "$(count 1 bsim)" 1 "PET and its SEL entry: one ipmiPlatformEvent"
note "bmcsim: pets_sent=$(counter pets_sent 0) pets_resent=$(counter pets_resent 0) pets_acked=$(counter pets_acked 0)"
assert_eq "$(counter pets_acked 0)" 1 "pet-acknowledge = session: bmcsim counts the PET acknowledged"
assert_num "<" "$(counter pets_resent 0)" 3 "... and stopped resending before its last retry"
assert_match "$(grep "OID: $ROOT\.0\.1	" "$TRAPS" | grep -F '"bsim"' || true)" "$ROOT\.1\.20\.1\.0 = INTEGER: 1" \
    "the notification came from the PET (ipmiEventSource pet), the first of the three ways"
# the PET bmcsim sent (the bridge logs its bytes at debug level), decoded by
# ipmi-pet against bmcsim itself, and the notification's varbinds: compared
# as for the snmptrap vectors (tests/agentx/pet_notify.py)
pet=$(sed -n 's/.*PET from .* (BMC bsim): specific \([0-9]*\) payload \([0-9a-f]*\)$/\1 \2/p' "$RUNDIR/d1.err" | head -1)
if [[ -n $pet ]] && command -v ipmi-pet > /dev/null; then
    read -r spec payload <<< "$pet"
    # shellcheck disable=SC2046
    TZ=UTC timeout -k 5 60 ipmi-pet -D LAN_2_0 -h "127.0.0.1:$SIMPORT" --config-file="$RUNDIR/freeipmi.conf" \
        -I 17 --sdr-cache-directory="$RUNDIR/sdr-cache" --quiet-cache -vv --comma-separated-output \
        --no-header-output --output-event-state "$spec" $(sed 's/../0x& /g' <<< "$payload") \
        > "$RUNDIR/bsim.ipmi-pet" 2> "$RUNDIR/bsim.ipmi-pet.err" || true
    run_checks python3 "$top_srcdir/tests/agentx/pet_notify.py" "$ROOT" "$TRAPS" bmcsim-pet \
        "$(printf '%06x' "$spec")" "$payload" "$RUNDIR/bsim.ipmi-pet"
else
    fail "the bridge logged the bmcsim PET's bytes (debug)" "$(grep -c 'PET from' "$RUNDIR/d1.err")"
fi

# ---- SEL-derived: ipmi_sim ---------------------------------------------------------------
before=$(count 1 "$ISIM")
ipmisim_sel_add "$IPORT" 1 101 || fail "ipmi_sim takes a SEL record"
if wait_count $((before + 1)) 1 "$ISIM" "20\.1\.0 = INTEGER: 2" 10; then
    pass "a SEL record added to ipmi_sim: an ipmiPlatformEvent (source sel) within a sel-interval"
else
    fail "a SEL record added to ipmi_sim gives an ipmiPlatformEvent" "$(tail -5 "$RUNDIR/d1.err")"
fi
sleep 3
assert_eq "$(count 1 "$ISIM")" $((before + 1)) "... exactly one"

# ---- sensor status ---------------------------------------------------------------------------
s0=$(count 2 "$ISIM")
sleep 4
assert_eq "$(count 2 "$ISIM")" "$s0" "steady state: no ipmiSensorStatusChange"
ipmisim_cmd "$IPORT" 'sensor_set_value 0x20 0 1 95 0' > /dev/null
wait_count $((s0 + 1)) 2 "$ISIM" "CPU Temp" 10 || fail "CPU Temp over its critical threshold is notified"
sleep 4
ipmisim_cmd "$IPORT" 'sensor_set_value 0x20 0 1 40 0' > /dev/null
wait_count $((s0 + 2)) 2 "$ISIM" "CPU Temp" 10 || fail "CPU Temp back to ok is notified"
sleep 4
assert_eq "$(count 2 "$ISIM" "CPU Temp")" $((s0 + 2)) "over the threshold and back: exactly two ipmiSensorStatusChange"
assert_eq "$(count 2 "$ISIM")" $((s0 + 2)) "and no other sensor's"

# ---- BMC state -------------------------------------------------------------------------------
before=$(count 3 "$ISIM")
ipmisim_stop "$SIMS"
if wait_count $((before + 1)) 3 "$ISIM" "20\.17\.0 = INTEGER: 7" 30; then
    pass "ipmi_sim stopped: ipmiBmcStateChange (new state unreachable)"
else
    fail "ipmi_sim stopped: ipmiBmcStateChange (unreachable)" "$(grep -F "$ISIM" "$TRAPS" | tail -2)"
fi
start_sims 1 "$IPORT" "$SIMS"
if wait_count $((before + 2)) 3 "$ISIM" "" 40; then
    pass "ipmi_sim started again: one more ipmiBmcStateChange"
    assert_match "$(grep "OID: $ROOT\.0\.3	" "$TRAPS" | grep -F "\"$ISIM\"" | tail -1)" "20\.17\.0 = INTEGER: [156]" \
        "... whose new state is up (ok, polling or degraded)"
else
    fail "ipmi_sim started again: ipmiBmcStateChange (ok)" "$(tail -5 "$RUNDIR/d1.err")"
fi
sleep 3
assert_eq "$(count 3 "$ISIM")" $((before + 2)) "exactly two ipmiBmcStateChange for the stop and the start"

# ---- restart: the SEL read again, nothing old notified ------------------------------------------
total=$(count 1 bsim)
stop_pid "$DPID" ipmi-snmp-bridge
assert_cmd "the state file of the bmcsim BMC is written" test -s "$RUNDIR/state/sel-1.state"
start_daemon d2 || bail_out "the daemon did not start again"
wait_polling || fail "the BMCs are polled after the restart"
sleep 5
assert_eq "$(count 1 bsim)" "$total" "after a restart the SEL is read again: no old event notified"
ctl inject-event 0 0x01 0x01 0x01 0x59 91 85 > /dev/null
wait_count $((total + 1)) 1 bsim "" 10 || fail "a new event after the restart is notified"
sleep 4
assert_eq "$(count 1 bsim)" $((total + 1)) "... once"
stop_pid "$DPID" ipmi-snmp-bridge

# ---- pet-acknowledge = off: bmcsim resends, still one notification ---------------------------------
echo 'pet-acknowledge = off' >> "$CFG"
start_daemon d3 || bail_out "the daemon did not start (pet-acknowledge = off)"
wait_polling || fail "the BMCs are polled (pet-acknowledge = off)"
sleep 3
total=$(count 1 bsim)
acked=$(counter pets_acked 0)
resent=$(counter pets_resent 0)
ctl inject-event 0 0x01 0x01 0x01 0x59 92 85 > /dev/null
wait_count $((total + 1)) 1 bsim "" 10 || fail "the event is notified (pet-acknowledge = off)"
sleep 6
assert_eq "$(counter pets_acked 0)" "$acked" "pet-acknowledge = off: no acknowledge"
assert_eq "$(counter pets_resent 0)" $((resent + 3)) "... bmcsim resends the PET every retry (3)"
assert_eq "$(count 1 bsim)" $((total + 1)) "PET, three resends and the SEL entry: one ipmiPlatformEvent"
stop_pid "$DPID" ipmi-snmp-bridge

# ---- pet-acknowledge = sessionless: acknowledged with no session at all ----------------------------
# bsim's password is wrong now: no session can exist, the acknowledge goes in
# an IPMI 1.5 header with auth type none and session ID 0
write_secret "$RUNDIR/wrong.pw" not-the-password
sed -i -e 's/^pet-acknowledge = off$/pet-acknowledge = sessionless/' \
    -e "s|password-file = \"$RUNDIR/pw\"|password-file = \"$RUNDIR/wrong.pw\"|" "$CFG"
assert_match "$(cat "$CFG")" "pet-acknowledge = sessionless" "the configuration says sessionless"
assert_match "$(cat "$CFG")" "wrong\.pw" "... and gives bsim a wrong password"
opened=$(counter sessions_opened 0)
start_daemon d4 || bail_out "the daemon did not start (pet-acknowledge = sessionless)"
t=0
until grep -q 'BMC bsim .*-> auth_failed' "$RUNDIR/d4.err" || ((++t > 100)); do sleep 0.1; done
assert_cmd "the bridge's login to bsim fails (wrong password)" grep -q 'BMC bsim .*-> auth_failed' "$RUNDIR/d4.err"
total=$(count 1 bsim)
acked=$(counter pets_acked 0)
resent=$(counter pets_resent 0)
ctl inject-event 0 0x01 0x01 0x01 0x59 93 85 > /dev/null
wait_count $((total + 1)) 1 bsim "" 10 || fail "the event is notified (pet-acknowledge = sessionless)" \
    "$(tail -5 "$RUNDIR/d4.err")"
sleep 4 # a resend would come after 1 s
note "bmcsim: pets_acked=$(counter pets_acked 0) pets_resent=$(counter pets_resent 0) sessions_opened=$(counter sessions_opened 0)"
assert_eq "$(counter pets_acked 0)" $((acked + 1)) "pet-acknowledge = sessionless: bmcsim counts the PET acknowledged"
assert_eq "$(counter pets_resent 0)" "$resent" "... before its first resend"
assert_eq "$(counter sessions_opened 0)" "$opened" "... with no session opened (none could be)"
assert_eq "$(count 1 bsim)" $((total + 1)) "one ipmiPlatformEvent"
assert_eq "$(grep -c 'PET Acknowledge' "$RUNDIR/d4.err" || true)" 0 "the bridge logs no failed acknowledge"
stop_pid "$DPID" ipmi-snmp-bridge
finish
