#!/usr/bin/env python3
"""zabbix_check.py TEMPLATE.yaml MIBDIRS [--oids FILE]: checks a Zabbix 6.0
template export, printing one "ok - " / "not ok - " line per check.

Structure (Zabbix 6.0 "Configuration export/import" format, templates):
zabbix_export.version is the string "6.0"; every uuid is 32 lower-case hex
digits in UUIDv4 layout and unique; template groups are declared at the top;
items and item prototypes have name, key (unique), a known type, an
snmp_oid for SNMP_AGENT, a known value_type, trends '0' for text types and
a valuemap that the template defines; discovery rules have an snmp_oid of
the form discovery[{#MACRO},OID,...]; prototypes use only LLD macros the
rule defines ({#SNMPINDEX}, its OID macros, or those its JavaScript step
adds); every trigger expression names the template and an existing key;
priorities are Zabbix's.

MIB: an item whose description starts with a MIB object name must use that
object's OID (snmptranslate -Tz with IPMI-BRIDGE-MIB from MIBDIRS, a -M path).

--oids FILE writes "KIND OID" lines (scalar, walk, column) for the shell
test to query against a running snmpd.
"""
import os
import re
import subprocess
import sys

import yaml

ITEM_TYPES = {"ZABBIX_PASSIVE", "TRAP", "SIMPLE", "INTERNAL", "ZABBIX_ACTIVE", "EXTERNAL",
              "ODBC", "IPMI", "SSH", "TELNET", "CALCULATED", "JMX", "SNMP_TRAP", "DEPENDENT",
              "HTTP_AGENT", "SNMP_AGENT", "ITEM_TYPE_SCRIPT", "SCRIPT"}
VALUE_TYPES = {"FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"}
PRIORITIES = {"NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH", "DISASTER"}
UUID4 = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$")

failed = 0
passed = 0


def check(cond, msg, detail=""):
    global failed, passed
    if cond:
        passed += 1
        print("ok - " + msg)
    else:
        failed += 1
        print("not ok - " + msg)
        if detail:
            print("#   " + str(detail))


def mib_oids(mibpath):
    """name -> numeric OID of every IPMI-BRIDGE-MIB object, from snmptranslate -Tz."""
    out = subprocess.run(["snmptranslate", "-M", mibpath, "-m", "IPMI-BRIDGE-MIB", "-Tz"],
                         env=dict(os.environ, MIBS=""), capture_output=True, text=True).stdout
    names = {}
    for line in out.splitlines():
        m = re.match(r'^"(\w+)"\s+"([0-9.]+)"$', line.strip())
        if m:
            names[m.group(1)] = m.group(2)
    return names


def main():
    path, mib = sys.argv[1], sys.argv[2]
    oids_out = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--oids" else None
    doc = yaml.safe_load(open(path))
    names = mib_oids(mib)
    check((names.get("ipmiBmcState") or "").startswith("1.3.6.1.4.1."), "the MIB's OIDs resolve",
          names.get("ipmiBmcState"))
    ex = doc.get("zabbix_export", {})
    check(ex.get("version") == "6.0", "zabbix_export.version is '6.0'", ex.get("version"))
    uuids = []
    groups = {g.get("name") for g in ex.get("groups", [])}
    for g in ex.get("groups", []):
        uuids.append(g.get("uuid"))
    tpls = ex.get("templates", [])
    check(len(tpls) == 1, "one template", len(tpls))
    out = []
    for t in tpls:
        T = t.get("template")
        check(bool(T) and bool(t.get("name")), "template has template and name")
        uuids.append(t.get("uuid"))
        check(all(g.get("name") in groups for g in t.get("groups", [])) and t.get("groups"),
              "template groups are declared in zabbix_export.groups")
        vmaps = {v["name"] for v in t.get("valuemaps", [])}
        for v in t.get("valuemaps", []):
            uuids.append(v.get("uuid"))
            check(all(set(m) == {"value", "newvalue"} for m in v["mappings"]),
                  "valuemap %s: value/newvalue pairs" % v["name"])
        keys = set()
        allkeys = []

        def check_item(i, where, lld_macros=None):
            uuids.append(i.get("uuid"))
            k = i.get("key", "")
            allkeys.append(k)
            keys.add(k)
            what = "%s %s" % (where, k)
            ok = bool(i.get("name")) and bool(k) and i.get("type") in ITEM_TYPES
            ok = ok and i.get("value_type", "UNSIGNED") in VALUE_TYPES
            check(ok, what + ": name, key, type, value_type", i)
            if i.get("type") == "SNMP_AGENT":
                oid = i.get("snmp_oid", "")
                check(re.match(r"^[0-9.]+(\.\{#SNMPINDEX\}(\.[0-9]+)*)?$", oid) is not None,
                      what + ": numeric snmp_oid", oid)
                desc = i.get("description", "")
                obj = desc.split()[0].rstrip(":.") if desc else ""
                if obj in names:
                    base = re.sub(r"\.\{#SNMPINDEX\}.*$", "", oid)
                    if base.endswith(".0") and "{#" not in oid:
                        base = base[:-2]
                    check(base == names[obj], what + ": OID is %s's" % obj, (base, names[obj]))
                    kind = "column" if "{#SNMPINDEX}" in oid else "scalar"
                    out.append("%s %s %s" % (kind, oid, obj))
                else:
                    check(False, what + ": description names a MIB object", desc)
            if i.get("value_type") in ("CHAR", "TEXT", "LOG"):
                check(str(i.get("trends")) == "0", what + ": trends '0' for a text value")
            if "valuemap" in i:
                check(i["valuemap"].get("name") in vmaps, what + ": valuemap defined")
            if lld_macros is not None:
                used = set(re.findall(r"\{#[A-Z0-9_.]+\}", yaml.safe_dump(i)))
                check(used <= lld_macros, what + ": only the rule's LLD macros",
                      used - lld_macros)
                check("{#" in k, what + ": key made unique by an LLD macro")
            for tr in i.get("triggers", []) + i.get("trigger_prototypes", []):
                triggers.append(tr)

        triggers = []
        for i in t.get("items", []):
            check_item(i, "item")
        for r in t.get("discovery_rules", []):
            uuids.append(r.get("uuid"))
            m = re.match(r"^discovery\[(.*)\]$", r.get("snmp_oid", ""))
            check(m is not None and r.get("type") == "SNMP_AGENT",
                  "rule %s: SNMP discovery[...]" % r.get("key"), r.get("snmp_oid"))
            parts = m.group(1).split(",") if m else []
            pairs = list(zip(parts[0::2], parts[1::2]))
            check(len(parts) % 2 == 0 and all(re.match(r"^\{#[A-Z0-9_]+\}$", a) and re.match(r"^[0-9.]+$", b)
                                              for a, b in pairs),
                  "rule %s: {#MACRO},OID pairs" % r.get("key"), parts)
            macros = {"{#SNMPINDEX}"} | {a for a, _ in pairs}
            for step in r.get("preprocessing", []):
                if step.get("type") == "JAVASCRIPT":
                    macros |= set(re.findall(r"rows\[i\]\['(\{#[A-Z0-9_]+\})'\]\s*=", step["parameters"][0]))
            for a, b in pairs:
                desc_ok = any(names.get(n) == b for n in names)
                check(desc_ok, "rule %s: %s OID %s is a MIB column" % (r.get("key"), a, b))
                out.append("walk %s %s" % (b, a))
            for c in r.get("filter", {}).get("conditions", []):
                check(c.get("macro") in macros, "rule %s: filter macro %s defined" % (r.get("key"), c.get("macro")))
            allkeys.append(r.get("key"))
            for i in r.get("item_prototypes", []):
                check_item(i, "prototype", macros)
            for tr in r.get("trigger_prototypes", []):
                triggers.append(tr)
                used = set(re.findall(r"\{#[A-Z0-9_.]+\}", tr.get("name", "") + tr.get("expression", "")))
                check(used <= macros, "trigger prototype %s: only the rule's LLD macros" % tr.get("name"))
        check(len(allkeys) == len(set(allkeys)), "item and rule keys are unique",
              [k for k in allkeys if allkeys.count(k) > 1])
        for tr in triggers:
            uuids.append(tr.get("uuid"))
            refs = re.findall(r"/([^/]+)/([^,)]+(?:\[[^\]]*\])?)", tr.get("expression", ""))
            check(bool(refs) and all(h == T and k in keys for h, k in refs),
                  "trigger %s: expression names the template and existing keys" % tr.get("name"),
                  (refs, tr.get("expression")))
            check(tr.get("priority") in PRIORITIES, "trigger %s: priority" % tr.get("name"))
            for d in tr.get("dependencies", []):
                check(any(x.get("name") == d.get("name") and x.get("expression") == d.get("expression")
                          for x in triggers), "trigger %s: dependency exists" % tr.get("name"))
        traps = [i for i in t.get("items", []) if i.get("type") == "SNMP_TRAP"]
        check(len(traps) == 1 and traps[0]["key"].startswith("snmptrap[")
              and traps[0].get("value_type") == "LOG", "one SNMP trap item (snmptrap[regex], LOG)")
        if traps:
            rx = re.match(r'^snmptrap\["(.*)"\]$', traps[0]["key"]).group(1)
            for n in ("ipmiPlatformEvent", "ipmiSensorStatusChange", "ipmiBmcStateChange", "ipmiControlAction"):
                numeric = names.get(n, "x")
                check(re.search(rx, "." + numeric + " ") is not None and re.search(rx, "IPMI-BRIDGE-MIB::" + n) is None
                      or re.search(rx, numeric + " ") is not None,
                      "the trap regex matches %s (%s)" % (n, numeric))
        inv = [i for r in t.get("discovery_rules", []) for i in r.get("item_prototypes", [])
               if any(tg.get("value") == "inventory" for tg in i.get("tags", []))]
        check(len(inv) >= 3, "inventory items (serial, model, firmware)", len(inv))
    check(all(isinstance(u, str) and UUID4.match(u) for u in uuids), "every uuid: 32 hex, UUIDv4",
          [u for u in uuids if not (isinstance(u, str) and UUID4.match(u))])
    check(len(uuids) == len(set(uuids)), "uuids are unique")
    if oids_out:
        with open(oids_out, "w") as f:
            f.write("\n".join(sorted(set(out))) + "\n")
    print("# %d passed, %d failed" % (passed, failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
