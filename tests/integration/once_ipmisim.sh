#!/usr/bin/env bash
# once_ipmisim.sh - `ipmi-snmp-bridge --once` against one ipmi_sim, checked
# field by field against ipmitool talking to the same simulator.
#
#   make check TESTS=tests/integration/once_ipmisim.sh
#   bash tests/integration/once_ipmisim.sh             (from the repo root)
#   top_builddir=/tmp/b top_srcdir=$PWD bash tests/integration/once_ipmisim.sh
#
# Checks: --check-config accepts the config; --once --json reports the BMC
# "ok" over cipher suite 3 with Get Device ID / Get System GUID / Get Chassis
# Status values equal to what `ipmitool -C 3 mc info | mc guid | chassis
# status` print; chassis.power follows a power change made with ipmitool;
# the human output names the BMC; users ro (privilege user) and oper
# (operator) work; a relative password-file ending in a newline and the
# cipher suite fallback {17, 3} -> 3 work as ipmi-snmp-bridge.conf(5) says.
set -euo pipefail
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

require_cmds ipmi_sim sdrcomp ipmitool ss python3 timeout
require_bridge
make_rundir

PORT=$(free_port 1 21000) || bail_out "no free port"
start_sims 1 "$PORT"
NAME=$(ipmisim_name 1)
ADDR="127.0.0.1:$PORT"
note "ipmi_sim $NAME on udp $ADDR (run dir $RUNDIR)"

write_secret "$RUNDIR/$NAME.pw" password
CFG=$RUNDIR/bridge.conf
write_config_head "$CFG" 0.5 2
write_bmc_block "$CFG" "$NAME" "$PORT" "$RUNDIR/$NAME.pw" 3 admin admin

IT=(timeout 20 ipmitool -I lanplus -H 127.0.0.1 -p "$PORT" -U admin -P password -C 3)

# ---- reference values from ipmitool ------------------------------------------------
# ipmitool 1.8.19 prints, e.g. (`mc info`):
#   Device ID                 : 32
#   Device Revision           : 3
#   Firmware Revision         : 9.08
#   IPMI Version              : 2.0
#   Manufacturer ID           : 4753
#   Product ID                : 3842 (0x0f02)
#   Aux Firmware Rev Info     :
#       0x00
#       0x00
#       0x00
#       0x00
# and (`mc guid`):
#   System GUID   : 1a2b3c4d-5e6f-4708-9192-a3b4c5d6e701
#   GUID Encoding : IPMI
# i.e. the 16 bytes of Get System GUID reversed (ipmitool takes them as
# least-significant-byte-first), as 8-4-4-4-12 lower-case hex.  The fixture's
# wire bytes are 01 e7 d6 c5 ... 1a (see ipmisim_guid), so the raw order and
# the reversed order differ in every position.
# `chassis status`: "System Power         : on" / "Chassis Intrusion    : inactive".
mcinfo=$("${IT[@]}" mc info 2>&1) || bail_out "ipmitool mc info failed: $mcinfo"
mcguid=$("${IT[@]}" mc guid 2>&1) || bail_out "ipmitool mc guid failed: $mcguid"
chassis=$("${IT[@]}" chassis status 2>&1) || bail_out "ipmitool chassis status failed: $chassis"

ref_devid=$(ipmitool_field "$mcinfo" "Device ID")
ref_devrev=$(ipmitool_field "$mcinfo" "Device Revision")
ref_fw=$(ipmitool_field "$mcinfo" "Firmware Revision")
ref_ipmiver=$(ipmitool_field "$mcinfo" "IPMI Version")
ref_mfg=$(ipmitool_field "$mcinfo" "Manufacturer ID")
ref_prod=$(ipmitool_field "$mcinfo" "Product ID")
ref_prod=${ref_prod%% *}                     # "3842 (0x0f02)" -> "3842"
# Aux Firmware Rev Info: one "0xNN" line per byte after the label, if shown
ref_aux=$(printf '%s\n' "$mcinfo" | awk '
    /^Aux Firmware Rev Info/ { on = 1; next }
    on && /^[ \t]+0x[0-9a-fA-F][0-9a-fA-F][ \t]*$/ { gsub(/[ \t]|0x/, ""); s = s tolower($0); next }
    on { exit }
    END { print (s == "" ? "null" : s) }')
ref_guid=$(ipmitool_field "$mcguid" "System GUID")
ref_power=$(ipmitool_field "$chassis" "System Power")
case $(ipmitool_field "$chassis" "Chassis Intrusion") in
    active) ref_intrusion=true ;;
    inactive) ref_intrusion=false ;;
    *) ref_intrusion="?" ;;
esac

# The reference itself must be what the fixture defines (guards against a
# parse that yields "" on both sides, and documents the fixture).
assert_eq "$ref_devid/$ref_devrev/$ref_fw/$ref_ipmiver/$ref_mfg/$ref_prod/$ref_aux" \
    "32/3/9.08/2.0/4753/3842/00000000" "ipmitool mc info shows the fixture's Get Device ID values"
assert_eq "$ref_guid" "$(ipmisim_guid 1)" "ipmitool mc guid shows the fixture's System GUID"
assert_eq "$ref_power/$ref_intrusion" "on/false" "ipmitool chassis status: power on, no intrusion (sim01 starts powered on)"

# ---- the bridge ---------------------------------------------------------------------
run_bridge check -c "$CFG" --check-config
assert_eq "$BR_RC" 0 "--check-config accepts a valid config"
((BR_RC == 0)) || show_bridge_run

run_bridge json -c "$CFG" --once --json
assert_eq "$BR_RC" 0 "--once --json exits 0 when the BMC answers"
J=$RUNDIR/json.out
if err=$(python3 "$JSONQ" --check "$J" 2>&1); then
    pass "--once --json prints valid JSON"
else
    fail "--once --json prints valid JSON" "$err" "$BR_OUT"
fi
((BR_RC == 0)) || show_bridge_run
assert_eq "$(python3 "$JSONQ" --len "$J" bmcs 2>&1)" 1 "JSON has exactly one entry in bmcs"
assert_eq "$(jq_get "$J" bmcs.0.name)" "$NAME" "bmcs[0].name"
assert_eq "$(jq_get "$J" bmcs.0.address)" "$ADDR" "bmcs[0].address"
assert_eq "$(jq_get "$J" bmcs.0.state)" ok "bmcs[0].state is ok"
assert_eq "$(jq_get "$J" bmcs.0.error)" null "bmcs[0].error is null"
assert_eq "$(jq_get "$J" bmcs.0.cipher_suite)" 3 "bmcs[0].cipher_suite is the configured suite 3"

# field by field against ipmitool
assert_eq "$(jq_get "$J" bmcs.0.device_id.device_id)" "$ref_devid" "device_id.device_id == ipmitool 'Device ID' ($ref_devid)"
assert_eq "$(jq_get "$J" bmcs.0.device_id.device_revision)" "$ref_devrev" "device_id.device_revision == ipmitool 'Device Revision' ($ref_devrev)"
assert_eq "$(jq_get "$J" bmcs.0.device_id.firmware_revision)" "$ref_fw" "device_id.firmware_revision == ipmitool 'Firmware Revision' ($ref_fw)"
assert_eq "$(jq_get "$J" bmcs.0.device_id.ipmi_version)" "$ref_ipmiver" "device_id.ipmi_version == ipmitool 'IPMI Version' ($ref_ipmiver)"
assert_eq "$(jq_get "$J" bmcs.0.device_id.manufacturer_id)" "$ref_mfg" "device_id.manufacturer_id == ipmitool 'Manufacturer ID' ($ref_mfg)"
assert_eq "$(jq_get "$J" bmcs.0.device_id.product_id)" "$ref_prod" "device_id.product_id == ipmitool 'Product ID' ($ref_prod)"
assert_eq "$(jq_get "$J" bmcs.0.device_id.aux_firmware)" "$ref_aux" "device_id.aux_firmware == ipmitool 'Aux Firmware Rev Info' ($ref_aux)"
assert_eq "$(jq_get "$J" bmcs.0.guid)" "$ref_guid" "guid == ipmitool 'System GUID' ($ref_guid)"
assert_eq "$(jq_get "$J" bmcs.0.chassis.power)" "$ref_power" "chassis.power == ipmitool 'System Power' ($ref_power)"
assert_eq "$(jq_get "$J" bmcs.0.chassis.intrusion)" "$ref_intrusion" "chassis.intrusion == ipmitool 'Chassis Intrusion' ($ref_intrusion)"
# numbers must be JSON numbers, not strings
assert_eq "$(python3 "$JSONQ" --type "$J" bmcs.0.device_id.manufacturer_id)" int "device_id.manufacturer_id is a JSON number"
assert_eq "$(python3 "$JSONQ" --type "$J" bmcs.0.chassis.intrusion)" bool "chassis.intrusion is a JSON boolean"

# ---- power follows the BMC ------------------------------------------------------------
out=$("${IT[@]}" chassis power off 2>&1) || bail_out "ipmitool chassis power off failed: $out"
chassis=$("${IT[@]}" chassis status 2>&1) || bail_out "ipmitool chassis status failed: $chassis"
ref_power=$(ipmitool_field "$chassis" "System Power")
assert_eq "$ref_power" off "ipmitool: power is off after 'chassis power off'"
run_bridge json-off -c "$CFG" --once --json
assert_eq "$BR_RC/$(jq_get "$RUNDIR/json-off.out" bmcs.0.state)" 0/ok "--once --json after power off: exit 0, state ok"
assert_eq "$(jq_get "$RUNDIR/json-off.out" bmcs.0.chassis.power)" "$ref_power" "chassis.power == ipmitool 'System Power' after power off ($ref_power)"

# ---- human output ---------------------------------------------------------------------
run_bridge human -c "$CFG" --once
assert_eq "$BR_RC" 0 "--once (human output) exits 0"
assert_contains "$BR_OUT" "$NAME" "--once human output names the BMC ($NAME)"
if python3 "$JSONQ" --check "$RUNDIR/human.out" 2> /dev/null; then
    fail "--once without --json prints human output, not JSON" "$BR_OUT"
else
    pass "--once without --json prints human output, not JSON"
fi

# ---- lower privilege users ------------------------------------------------------------
# (one BMC per run: the bridge accepts each address:port only once per config)
write_secret "$RUNDIR/ro.pw" ropass
write_secret "$RUNDIR/oper.pw" operpass
for u in ro:user oper:operator; do
    user=${u%%:*} priv=${u#*:}
    CFG2=$RUNDIR/$user.conf
    write_config_head "$CFG2" 0.5 2
    write_bmc_block "$CFG2" "$NAME-$user" "$PORT" "$RUNDIR/$user.pw" 3 "$user" "$priv"
    run_bridge "$user" -c "$CFG2" --once --json
    assert_eq "$BR_RC" 0 "--once as user '$user' at privilege '$priv' exits 0"
    assert_eq "$(python3 "$JSONQ" --tsv "$RUNDIR/$user.out" bmcs name state guid 2> /dev/null | tr '\t' ' ')" \
        "$NAME-$user ok $ref_guid" "user '$user' at privilege '$priv': state ok, GUID read"
    ((BR_RC == 0)) || show_bridge_run
done

# ---- documented config conveniences (ipmi-snmp-bridge.conf(5)) ---------------------
# a relative password-file is relative to the config file's directory, and a
# trailing newline is not part of the secret
mkdir -p "$RUNDIR/etc"
write_secret "$RUNDIR/etc/nl.pw" $'password\n'
CFG3=$RUNDIR/etc/relative.conf
write_config_head "$CFG3" 0.5 2
write_bmc_block "$CFG3" "$NAME" "$PORT" nl.pw 3 admin admin
(cd / && run_bridge relative -c "$CFG3" --once --json) || true
assert_eq "$(jq_get "$RUNDIR/relative.out" bmcs.0.state)" ok \
    "relative password-file (next to the config, run from /) ending in a newline: state ok"
# suites are tried in order: 17 is not offered by ipmi_sim, 3 is
CFG4=$RUNDIR/fallback.conf
write_config_head "$CFG4" 0.5 2
write_bmc_block "$CFG4" "$NAME" "$PORT" "$RUNDIR/$NAME.pw" "17, 3" admin admin
run_bridge fallback -c "$CFG4" --once --json
assert_eq "$BR_RC/$(jq_get "$RUNDIR/fallback.out" bmcs.0.state)/$(jq_get "$RUNDIR/fallback.out" bmcs.0.cipher_suite)" \
    0/ok/3 "cipher-suites = {17, 3} falls back to suite 3: exit 0, state ok, cipher_suite 3"
((BR_RC == 0)) || show_bridge_run

finish
