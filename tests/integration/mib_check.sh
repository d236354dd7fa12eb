#!/usr/bin/env bash
# mib_check.sh - IPMI-BRIDGE-MIB is valid SMIv2 and loads in Net-SNMP:
#  * `smilint -l 6` reports no error; its only warnings are the ones the
#    MIB's header comment explains (implicit nodes of the root OID);
#  * snmptranslate loads it and every object the project brief names
#    resolves, under the one root;
#  * `make install DESTDIR=...` puts it in the configured mibdir.
# The IETF base modules come from tests/mibs/base (install-deps.sh).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
require_cmds smilint snmptranslate
BASE="$top_srcdir/tests/mibs/base"
MIB="$top_srcdir/mibs/IPMI-BRIDGE-MIB.txt"
for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF; do
    [[ -s $BASE/$m.txt ]] || skip_all "$BASE/$m.txt missing: run ./install-deps.sh"
done
make_rundir
ROOT=.1.3.6.1.4.1.8072.9999.9999.623

# ---- smilint ----
out=$(SMIPATH="$BASE:$top_srcdir/mibs" smilint -l 6 -s "$MIB" 2>&1)
root_line=$(grep -n '^    ::= { enterprises 8072 9999 9999 623 }' "$MIB" | cut -d: -f1)
unexplained=$(printf '%s\n' "$out" | grep . |
    grep -Ev "^$MIB:$root_line: (\[[0-9]\] )?warning: implicit node definition\$" || true)
assert_eq "$unexplained" "" "smilint -l 6: no error, no unexplained warning"
assert_eq "$(printf '%s\n' "$out" | grep -c 'implicit node definition')" 3 \
    "smilint: the three implicit nodes of the root line, as the MIB says"
assert_no_match "$out" "error" "smilint: no error"

# ---- snmptranslate ----
st() { MIBS="" snmptranslate -M "$BASE:$top_srcdir/mibs" -m IPMI-BRIDGE-MIB "$@"; }
tree=$(st -Tp IPMI-BRIDGE-MIB::ipmiBridgeMIB 2>&1)
assert_match "$tree" "ipmiSensorTable" "snmptranslate -Tp loads the module"
assert_no_match "$tree" "(Cannot|Unlinked|Did not find|Bad operator|Expected)" "snmptranslate: no parse complaint"
assert_eq "$(st -On IPMI-BRIDGE-MIB::ipmiBridgeMIB 2>&1)" "$ROOT" "root under netSnmpPlaypen"

names="ipmiBmcTable ipmiBmcEntry ipmiBmcIndex ipmiBmcName ipmiBmcAddress ipmiBmcState
 ipmiBmcError ipmiBmcCipherSuite ipmiBmcGuid ipmiBmcManufacturerId ipmiBmcProductId
 ipmiBmcFirmwareRevision ipmiBmcIpmiVersion ipmiBmcPowerState ipmiBmcLastPoll ipmiBmcPollAge
 ipmiBmcSensorCount ipmiBmcSensorsWarning ipmiBmcSensorsCritical ipmiBmcSensorsNonRecoverable
 ipmiBmcSelEntries ipmiBmcPowerOnHours ipmiBmcClockOffset ipmiBmcLanIpAddress
 ipmiBmcDcmiPowerCurrent ipmiBmcTxPackets ipmiBmcBadPackets
 ipmiSensorTable ipmiSensorEntry ipmiSensorIndex ipmiSensorName ipmiSensorNumber ipmiSensorOwner
 ipmiSensorLun ipmiSensorType ipmiSensorTypeName ipmiSensorEntityId ipmiSensorEntityInstance
 ipmiSensorValue ipmiSensorPrecision ipmiSensorValueText ipmiSensorUnits ipmiSensorStatus
 ipmiSensorStates ipmiSensorLowerNonRecoverable ipmiSensorLowerCritical ipmiSensorLowerNonCritical
 ipmiSensorUpperNonCritical ipmiSensorUpperCritical ipmiSensorUpperNonRecoverable ipmiSensorAge
 ipmiFruTable ipmiFruEntry ipmiFruId ipmiFruName ipmiFruStatus ipmiFruChassisType
 ipmiFruChassisPartNumber ipmiFruChassisSerialNumber ipmiFruBoardMfgDate ipmiFruBoardManufacturer
 ipmiFruBoardProductName ipmiFruBoardSerialNumber ipmiFruBoardPartNumber ipmiFruProductManufacturer
 ipmiFruProductName ipmiFruProductPartNumber ipmiFruProductVersion ipmiFruProductSerialNumber
 ipmiFruProductAssetTag ipmiFruCustomTable ipmiFruMultiRecordTable
 ipmiSelTable ipmiSelEntry ipmiSelIndex ipmiSelRecordId ipmiSelRecordType ipmiSelTimestamp
 ipmiSelTimestampText ipmiSelSensorType ipmiSelSensorNumber ipmiSelSensorName ipmiSelEventType
 ipmiSelDirection ipmiSelEvent ipmiSelReading ipmiSelSeverity ipmiSelData
 ipmiBridgeVersion ipmiBridgeStartTime ipmiBridgeStateBmcs ipmiBridgePetsReceived ipmiBridgePetsBad
 ipmiBridgeBadPackets
 ipmiPlatformEvent ipmiEventSource ipmiEventSelRecordId ipmiEventTimestamp ipmiEventSeverity
 ipmiEventSensorType ipmiEventSensorNumber ipmiEventSensorName ipmiEventType ipmiEventDirection
 ipmiEventText ipmiEventReading ipmiEventData ipmiSensorStatusChange ipmiBmcStateChange
 ipmiControlAction ipmiBmcPowerControl ipmiBmcIdentify ipmiBmcBootDevice ipmiBmcBootPersistent
 ipmiBmcBootMode ipmiBmcLastControl ipmiBmcLastControlResult"
bad=""
for n in $names; do
    o=$(st -On "IPMI-BRIDGE-MIB::$n" 2>&1)
    [[ $o == "$ROOT".* ]] || bad="$bad $n($o)"
done
assert_eq "$bad" "" "every required object resolves under $ROOT"
assert_eq "$(st -On IPMI-BRIDGE-MIB::ipmiSensorValue)" "$ROOT.1.5.1.12" "ipmiSensorValue OID"
d=$(st -Td IPMI-BRIDGE-MIB::ipmiBmcName 2>&1)
assert_match "$d" 'DISPLAY-HINT[[:space:]]+"255t"' "text columns carry DISPLAY-HINT 255t"
assert_match "$(st -Td IPMI-BRIDGE-MIB::ipmiBmcEntry 2>&1)" 'ipmiBmcIndex' "ipmiBmcEntry INDEX"
assert_match "$(st -Td IPMI-BRIDGE-MIB::ipmiSensorEntry 2>&1)" 'INDEX[[:space:]]+\{ ipmiBmcIndex, ipmiSensorIndex \}' \
    "ipmiSensorEntry INDEX { ipmiBmcIndex, ipmiSensorIndex }"
imports=$(sed -n '/^IMPORTS/,/;/p' "$MIB" | grep -o 'FROM [A-Za-z0-9-]*' | sort -u | tr '\n' ' ')
assert_eq "$imports" "FROM SNMPv2-CONF FROM SNMPv2-SMI FROM SNMPv2-TC " "imports only SNMPv2-SMI/TC/CONF"

# ---- make install DESTDIR ----
# a make of its own, not the flags of the `make check` that runs this
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory "$@"; }
if [[ -f $top_builddir/Makefile ]]; then
    mibdir=$(submake -C "$top_builddir" -f Makefile -f - print-mibdir <<< 'print-mibdir: ; @echo $(mibdir)' 2>/dev/null | tail -1)
    out=$(submake -C "$top_builddir" install-dist_mibDATA DESTDIR="$RUNDIR/dest" 2>&1)
    if [[ -n $mibdir && -s $RUNDIR/dest$mibdir/IPMI-BRIDGE-MIB.txt ]]; then
        pass "make install DESTDIR puts the MIB in \$(mibdir) ($mibdir)"
    else
        fail "make install DESTDIR puts the MIB in \$(mibdir) ($mibdir)" "$out" "$(find "$RUNDIR/dest" 2>&1)"
    fi
    o=$(MIBS="" snmptranslate -M "$BASE:$RUNDIR/dest$mibdir" -m IPMI-BRIDGE-MIB -On IPMI-BRIDGE-MIB::ipmiSelData 2>&1)
    assert_eq "$o" "$ROOT.1.9.1.14" "the installed MIB loads from the install dir"
else
    note "no Makefile in $top_builddir: install check skipped"
fi
finish
