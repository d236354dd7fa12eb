#!/usr/bin/env bash
# pkg_zabbix.sh - the Zabbix 6.0 templates of conf/zabbix/:
#  * tests/integration/zabbix_check.py checks each against the Zabbix 6.0
#    export structure and the MIB (every OID is the object its description
#    names); mutated copies (wrong version, a wrong OID, a trigger naming a
#    missing key, a bad uuid) must fail it, so the checker checks something;
#  * against a running stack (snmpd with the shipped snippet, the bridge,
#    ipmi_sim, bmcsim, a dead BMC): every scalar answers snmpget, every LLD
#    OID walks to rows, every item prototype's OID answers for each
#    discovered row the way Zabbix would fill {#SNMPINDEX};
#  * the sensor rule's JavaScript step (run by node, as Zabbix runs it with
#    Duktape) adds {#BMCINDEX} from {#SNMPINDEX}, and the host variant's
#    filter selects exactly one BMC's sensors.
# The import into a real Zabbix 6.0 is pkg_zabbix_import.sh.
set -euo pipefail
# shellcheck source=tests/bmcsim/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../bmcsim/testlib.sh"
# shellcheck source=tests/lib/demo_stack.sh
. "$TESTS_LIB_DIR/demo_stack.sh"

require_cmds python3 snmpd snmpget snmpwalk snmptranslate ipmi_sim
python3 -c 'import yaml' 2> /dev/null || skip_all "python3-yaml missing (install-deps.sh)"
require_bridge
require_bmcsim
MIBDIRS="$top_srcdir/mibs:$top_srcdir/tests/mibs/base"
[[ -s $top_srcdir/tests/mibs/base/SNMPv2-SMI.txt ]] || skip_all "tests/mibs/base missing: run ./install-deps.sh"
CHECK=$top_srcdir/tests/integration/zabbix_check.py
bmcsim_setup

for t in ipmi-snmp-bridge ipmi-snmp-bridge-host; do
    run_checks python3 "$CHECK" "$top_srcdir/conf/zabbix/$t.yaml" "$MIBDIRS" --oids "$RUNDIR/$t.oids"
done

# the checker must be able to fail
mutate() { # NAME PYTHON-EXPR-ON-d
    python3 - "$top_srcdir/conf/zabbix/ipmi-snmp-bridge.yaml" "$RUNDIR/bad-$1.yaml" "$2" << 'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
t = d["zabbix_export"]["templates"][0]
exec(sys.argv[3])
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
    local out
    out=$(python3 "$CHECK" "$RUNDIR/bad-$1.yaml" "$MIBDIRS" 2>&1 || true)
    assert_match "$out" 'not ok - ' "a template with $1 is refused by the checker"
}
mutate "version 5.4" 'd["zabbix_export"]["version"] = "5.4"'
mutate "a wrong OID" 't["discovery_rules"][0]["item_prototypes"][0]["snmp_oid"] = "1.3.6.1.4.1.8072.9999.9999.623.1.3.1.5.{#SNMPINDEX}"'
mutate "a trigger on a missing key" 't["discovery_rules"][0]["trigger_prototypes"][0]["expression"] = "last(/IPMI bridge by SNMP/nokey[{#SNMPINDEX}])>1"'
mutate "a non-v4 uuid" 't["uuid"] = "0" * 32'
mutate "an undefined LLD macro" 't["discovery_rules"][1]["item_prototypes"][0]["name"] = "{#NOSUCH}"'

# ---- against the running stack -------------------------------------------------------
DEMO_PORT_START=23200 demo_stack_start
get() { snmpget -v2c -c public -On -t 2 -r 1 "$SNMPD_TARGET" "$1" 2>&1 || true; }
answers() { [[ $1 != *"No Such"* && $1 != *Timeout* && $1 == *" = "* ]]; }

while read -r kind oid what; do
    case $kind in
    scalar)
        out=$(get ".$oid")
        if answers "$out"; then pass "snmpget $what.0 answers"; else fail "snmpget $what.0" "$out"; fi
        ;;
    walk)
        n=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" ".$oid" 2>/dev/null | grep -c ' = ' || true)
        assert_num ">" "$n" 0 "LLD OID $what ($oid) walks to $n rows"
        ;;
    esac
done < <(cat "$RUNDIR"/*.oids | sort -u)

# BMC prototypes: every discovered BMC with a session (sim01, bmc0) answers
# each column; the dead one answers state and error.  Sensor prototypes:
# status answers for every sensor row, the value text for every row whose
# ipmiSensorValue exists.
while read -r kind oid what; do
    [[ $kind == column ]] || continue
    case $oid in
    *.623.1.3.1.* | *.623.1.6.1.*)
        for b in sim01 bmc0; do
            out=$(get ".${oid/\{#SNMPINDEX\}/${DEMO_IDX[$b]}}")
            if answers "$out"; then pass "$what for BMC $b answers"; else fail "$what for BMC $b" "$out"; fi
        done
        if [[ $what == ipmiBmcState ]]; then
            out=$(get ".${oid/\{#SNMPINDEX\}/${DEMO_IDX[dead]}}")
            if answers "$out"; then pass "$what for BMC dead answers"; else fail "$what for BMC dead" "$out"; fi
        fi
        ;;
    *.623.1.5.1.*)
        rows=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5.1.2" | sed -n 's/^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.623\.1\.5\.1\.2\.\([0-9.]*\) = .*/\1/p')
        valued=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5.1.12" | sed -n 's/^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.623\.1\.5\.1\.12\.\([0-9.]*\) = .*/\1/p')
        [[ $what == ipmiSensorValueText ]] && rows=$valued
        total=0 bad=""
        for r in $rows; do
            total=$((total + 1))
            out=$(get ".${oid/\{#SNMPINDEX\}/$r}")
            answers "$out" || bad="$bad $r"
        done
        assert_num ">" "$total" 10 "$what: $total discovered rows to ask"
        assert_eq "$bad" "" "$what answers for every one of them"
        ;;
    esac
done < <(cat "$RUNDIR"/*.oids | sort -u)

# the sensor rule's JavaScript, on an LLD document built from the walk
if command -v node > /dev/null; then
    python3 - "$top_srcdir/conf/zabbix/ipmi-snmp-bridge.yaml" "$RUNDIR/lld.js" "$RUNDIR/lld.json" << 'PY'
import json, subprocess, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
rule = d["zabbix_export"]["templates"][0]["discovery_rules"][1]
js = rule["preprocessing"][0]["parameters"][0]
open(sys.argv[2], "w").write("var value = require('fs').readFileSync(0, 'utf8');\n"
                             "console.log((function (value) {\n" + js + "\n})(value));\n")
PY
    names=$(snmpwalk -v2c -c public -On "$SNMPD_TARGET" "$OBJ.5.1.2" | sed -n 's/^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.623\.1\.5\.1\.2\.\([0-9.]*\) = STRING: "\(.*\)"$/\1 \2/p')
    python3 -c 'import json,sys
rows=[{"{#SNMPINDEX}": l.split(" ",1)[0], "{#SENSORNAME}": l.split(" ",1)[1]} for l in sys.stdin.read().splitlines() if l]
print(json.dumps({"data": rows}))' <<< "$names" > "$RUNDIR/lld.json"
    out=$(node "$RUNDIR/lld.js" < "$RUNDIR/lld.json")
    res=$(python3 -c 'import json,sys
d=json.loads(sys.stdin.read())["data"]
bad=[r for r in d if r["{#BMCINDEX}"] != r["{#SNMPINDEX}"].split(".")[0] or "{#SENSORUNITS}" not in r]
own=sum(1 for r in d if r["{#BMCINDEX}"] == sys.argv[1])
print(len(d), len(bad), own)' "${DEMO_IDX[sim01]}" <<< "$out")
    read -r nrows nbad nown <<< "$res"
    assert_num ">" "$nrows" 10 "LLD JavaScript: $nrows sensor rows out"
    assert_eq "$nbad" 0 "LLD JavaScript: {#BMCINDEX} is the first index part, {#SENSORUNITS} always set"
    n=$(snmpget -v2c -c public -Oqv "$SNMPD_TARGET" "$OBJ.3.1.28.${DEMO_IDX[sim01]}")
    assert_eq "$nown" "$n" "host variant: filter {#BMCINDEX}=${DEMO_IDX[sim01]} keeps sim01's $n sensors"
else
    note "node not found: the LLD JavaScript step is not run"
fi

finish
