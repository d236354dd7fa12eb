#!/usr/bin/env python3
"""Writes the two Zabbix 6.0 templates of conf/zabbix/ from one description:

    ipmi-snmp-bridge.yaml       "IPMI bridge by SNMP": linked to the host that
                                runs snmpd + ipmi-snmp-bridge; every BMC and
                                sensor of the bridge, discovered
    ipmi-snmp-bridge-host.yaml  "IPMI BMC via bridge by SNMP": one Zabbix host
                                per BMC, filtered by {$IPMI.BMC.NAME} and
                                {$IPMI.BMC.INDEX}, or by the SNMPv3 interface's
                                context (standard-mibs = true: one per BMC)

Run it after changing the MIB's OIDs; the output is committed.  UUIDs are
derived from the template and object names (UUIDv4 layout, as Zabbix 6.0's
import requires), so re-running gives the same files.
"""
import hashlib
import os
import sys
import uuid

import yaml

ROOT = "1.3.6.1.4.1.8072.9999.9999.623"
SCALAR = ROOT + ".1.1"  # ipmiBridgeScalars
BMC = ROOT + ".1.3.1"  # ipmiBmcEntry
SENSOR = ROOT + ".1.5.1"  # ipmiSensorEntry
FRU = ROOT + ".1.6.1"  # ipmiFruEntry
NOTIFS = ROOT + ".0"  # ipmiBridgeNotifications

BMC_STATES = ["ok", "new", "connecting", "discovering", "polling", "degraded",
              "unreachable", "authFailed", "cipher", "privilege", "protocol",
              "timeout", "closed", "resolve", "internal"]
SENSOR_STATUS = ["ok", "warning", "critical", "nonRecoverable", "unavailable"]


def uid(*parts):
    h = hashlib.sha256("/".join(parts).encode()).digest()[:16]
    return uuid.UUID(bytes=h, version=4).hex


def valuemaps(tpl):
    return [
        {"uuid": uid(tpl, "vm", "state"), "name": "IPMI-BRIDGE-MIB::IpmiBmcStateType",
         "mappings": [{"value": str(i + 1), "newvalue": s} for i, s in enumerate(BMC_STATES)]},
        {"uuid": uid(tpl, "vm", "status"), "name": "IPMI-BRIDGE-MIB::IpmiSensorStatusType",
         "mappings": [{"value": str(i + 1), "newvalue": s} for i, s in enumerate(SENSOR_STATUS)]},
    ]


def build(host_variant):
    if host_variant:
        tpl = "IPMI BMC via bridge by SNMP"
        bmc_label, sensor_label = "BMC", "{#SENSORNAME}"
        desc = ("One Zabbix host per BMC, polled through the snmpd of the machine running "
                "ipmi-snmp-bridge (the host's SNMP interface points at that snmpd).  Set "
                "{$IPMI.BMC.NAME} to the BMC's name in ipmi-snmp-bridge.conf and "
                "{$IPMI.BMC.INDEX} to its ipmiBmcIndex (stable, kept in state-dir).  "
                "With standard-mibs = true the bridge serves each BMC in an SNMPv3 "
                "context named after it, holding that BMC's rows alone: give the host an "
                "SNMPv3 interface whose context name is the BMC's name and leave both "
                "macros at their match-all defaults.")
    else:
        tpl = "IPMI bridge by SNMP"
        bmc_label, sensor_label = "BMC {#BMCNAME}", "BMC #{#BMCINDEX} {#SENSORNAME}"
        desc = ("The host that runs snmpd with ipmi-snmp-bridge as AgentX subagent: the "
                "bridge's counters, every BMC (ipmiBmcTable) and every sensor "
                "(ipmiSensorTable), discovered.  Sensor items carry the BMC's ipmiBmcIndex "
                "({#BMCINDEX}); the BMC discovery shows which name it belongs to.  MIB: "
                "IPMI-BRIDGE-MIB.")
    T = tpl

    def item(name, key, oid, value_type, delay, **kw):
        d = {"uuid": uid(T, "item", key), "name": name, "type": "SNMP_AGENT",
             "snmp_oid": oid, "key": key, "delay": delay}
        if value_type != "UNSIGNED":
            d["value_type"] = value_type
        if value_type in ("CHAR", "TEXT", "LOG"):
            d["trends"] = "0"
        d.update(kw)
        return d

    def trig(expr, name, prio, tag, desc_text, **kw):
        d = {"uuid": uid(T, "trig", name), "expression": expr, "name": name,
             "priority": prio, "description": desc_text,
             "tags": [{"tag": "scope", "value": tag}]}
        d.update(kw)
        return d

    items = []
    if not host_variant:
        items += [
            item("Bridge version", "ipmibridge.version", SCALAR + ".1.0", "CHAR", "1h",
                 description="ipmiBridgeVersion", tags=[{"tag": "component", "value": "bridge"}]),
            item("Bridge BMCs configured", "ipmibridge.bmcs", SCALAR + ".3.0", "UNSIGNED", "5m",
                 description="ipmiBridgeBmcCount", tags=[{"tag": "component", "value": "bridge"}]),
            item("Bridge PETs received per second", "ipmibridge.pets", SCALAR + ".4.0", "FLOAT",
                 "1m", description="ipmiBridgePetsReceived", units="pps",
                 preprocessing=[{"type": "CHANGE_PER_SECOND", "parameters": [""]}],
                 tags=[{"tag": "component", "value": "bridge"}]),
            item("Bridge bad packets per second", "ipmibridge.badpackets", SCALAR + ".6.0",
                 "FLOAT", "1m", description="ipmiBridgeBadPackets", units="pps",
                 preprocessing=[{"type": "CHANGE_PER_SECOND", "parameters": [""]}],
                 tags=[{"tag": "component", "value": "bridge"}]),
        ]
    items.append({
        "uuid": uid(T, "item", "trap"),
        "name": "IPMI bridge notifications",
        "type": "SNMP_TRAP",
        "key": "snmptrap[\"ipmiBridgeNotifications|" + NOTIFS.replace(".", "\\.") + "\\.\"]",
        "delay": "0",
        "history": "14d",
        "trends": "0",
        "value_type": "LOG",
        "description": ("Every notification of IPMI-BRIDGE-MIB (ipmiPlatformEvent, "
                        "ipmiSensorStatusChange, ipmiBmcStateChange, ipmiControlAction) that "
                        "reaches Zabbix through snmptrapd and the SNMP trap file."
                        + ("  With one host per BMC, Zabbix files a trap under the host "
                           "whose interface address matches the sender (the bridge's "
                           "snmpd), so give that address to one host only." if host_variant
                           else "")),
        "logtimefmt": "hh:mm:ss yyyy/MM/dd",
        "tags": [{"tag": "component", "value": "events"}],
    })
    trap_key = items[-1]["key"]
    items[-1]["triggers"] = [trig(
        "find(/" + T + "/" + trap_key + ",,\"regexp\",\"ipmiPlatformEvent|" + NOTIFS.replace(".", "\\.") + "\\.1\")=1",
        "IPMI platform event received", "INFO", "events",
        "A BMC reported a platform event (PET or new SEL entry); the item's log has the text.",
        manual_close="YES")]

    # ---- BMC discovery --------------------------------------------------------
    bmc_keys = {}

    def bmcitem(name, key, col, vt, delay, **kw):
        k = "ipmibridge.bmc." + key + "[{#SNMPINDEX}]"
        bmc_keys[key] = k
        return item(bmc_label + ": " + name, k, BMC + "." + str(col) + ".{#SNMPINDEX}", vt,
                    delay, tags=[{"tag": "component", "value": "bmc"},
                                 {"tag": "bmc", "value": "{#BMCNAME}"}], **kw)

    def fruitem(name, key, col, **kw):
        k = "ipmibridge.bmc." + key + "[{#SNMPINDEX}]"
        bmc_keys[key] = k
        return item(bmc_label + ": " + name, k, FRU + "." + str(col) + ".{#SNMPINDEX}.0", "CHAR",
                    "1h", tags=[{"tag": "component", "value": "inventory"},
                                {"tag": "bmc", "value": "{#BMCNAME}"}], **kw)

    state_item = bmcitem("state", "state", 4, "UNSIGNED", "1m",
                         valuemap={"name": "IPMI-BRIDGE-MIB::IpmiBmcStateType"},
                         description="ipmiBmcState")
    inv = {}
    if host_variant:
        inv = {"serial": {"inventory_link": "SERIALNO_A"}, "model": {"inventory_link": "MODEL"},
               "firmware": {"inventory_link": "SOFTWARE_APP_A"}}
    bmc_items = [
        state_item,
        bmcitem("sensors warning", "sensors.warning", 29, "UNSIGNED", "1m",
                description="ipmiBmcSensorsWarning"),
        bmcitem("sensors critical", "sensors.critical", 30, "UNSIGNED", "1m",
                description="ipmiBmcSensorsCritical"),
        bmcitem("sensors non-recoverable", "sensors.nonrecoverable", 31, "UNSIGNED", "1m",
                description="ipmiBmcSensorsNonRecoverable"),
        bmcitem("firmware revision", "firmware", 13, "CHAR", "1h",
                description="ipmiBmcFirmwareRevision",
                **inv.get("firmware", {})),
        fruitem("product serial number", "serial", 21, description="ipmiFruProductSerialNumber of FRU 0",
                **inv.get("serial", {})),
        fruitem("product name", "model", 18, description="ipmiFruProductName of FRU 0",
                **inv.get("model", {})),
    ]
    # the inventory items' tags said "inventory"; the component tag of firmware too
    bmc_items[4]["tags"][0]["value"] = "inventory"

    def ref(key):
        return "/" + T + "/" + bmc_keys[key]

    bmc_triggers = [
        trig("last(" + ref("state") + ")>=7", bmc_label + ": not polled ({ITEM.LASTVALUE1})",
             "HIGH", "availability",
             "The bridge has no working session to this BMC: unreachable, authentication "
             "failed, no acceptable cipher or privilege, protocol error, timeout or a name "
             "that does not resolve.  ipmiBmcError has the reason (it is absent, not empty, "
             "while there is none, so it is no item here: snmpget it, or read the bridge's log)."),
        trig("last(" + ref("state") + ")=6", bmc_label + ": read only in part (degraded)",
             "WARNING", "availability",
             "The last poll read the BMC only in part (SDR, FRU or SEL failed)."),
        trig("last(" + ref("sensors.critical") + ")>0",
             bmc_label + ": {ITEM.LASTVALUE1} sensors critical", "HIGH", "sensors",
             "ipmiBmcSensorsCritical > 0."),
        trig("last(" + ref("sensors.nonrecoverable") + ")>0",
             bmc_label + ": {ITEM.LASTVALUE1} sensors non-recoverable", "DISASTER", "sensors",
             "ipmiBmcSensorsNonRecoverable > 0."),
    ]
    for key, what in (("serial", "serial number"), ("model", "product name"),
                      ("firmware", "firmware revision")):
        bmc_triggers.append(trig(
            "change(" + ref(key) + ")=1 and length(last(" + ref(key) + "))>0",
            bmc_label + ": " + what + " changed to {ITEM.LASTVALUE1}", "INFO", "inventory",
            "The " + what + " differs from the previous reading: replaced hardware or updated firmware.",
            manual_close="YES"))
    # trigger prototypes live with the discovery rule in the export
    bmc_rule = {
        "uuid": uid(T, "lld", "bmc"),
        "name": "BMC discovery",
        "type": "SNMP_AGENT",
        "snmp_oid": "discovery[{#BMCNAME}," + BMC + ".2,{#BMCADDRESS}," + BMC + ".3]",
        "key": "ipmibridge.bmc.discovery",
        "delay": "1h",
        "description": "Rows of ipmiBmcTable: one per BMC the bridge polls (index ipmiBmcIndex).",
        "item_prototypes": bmc_items,
        "trigger_prototypes": bmc_triggers,
        "lifetime": "7d",
    }
    if host_variant:
        bmc_rule["filter"] = {"conditions": [
            {"macro": "{#BMCNAME}", "value": "{$IPMI.BMC.NAME}", "formulaid": "A"}]}

    # ---- sensor discovery -----------------------------------------------------
    sk = {}

    def sitem(name, key, col, vt, **kw):
        k = "ipmibridge.sensor." + key + "[{#SNMPINDEX}]"
        sk[key] = k
        return item(sensor_label + ": " + name, k, SENSOR + "." + str(col) + ".{#SNMPINDEX}",
                    vt, "1m", tags=[{"tag": "component", "value": "sensor"},
                                    {"tag": "sensor-type", "value": "{#SENSORTYPE}"}], **kw)

    s_items = [
        sitem("value", "value", 14, "FLOAT", units="{#SENSORUNITS}",
              description="ipmiSensorValueText: the reading in natural units (the text form "
                          "of ipmiSensorValue, which is scaled by 10^ipmiSensorPrecision).",
              ),
        sitem("status", "status", 16, "UNSIGNED",
              valuemap={"name": "IPMI-BRIDGE-MIB::IpmiSensorStatusType"},
              description="ipmiSensorStatus"),
    ]
    st = "/" + T + "/" + sk["status"]
    s_triggers = [
        trig("last(" + st + ")=4", sensor_label + ": non-recoverable", "DISASTER", "sensors",
             "A non-recoverable threshold is crossed."),
        trig("last(" + st + ")=3", sensor_label + ": critical", "HIGH", "sensors",
             "A critical threshold is crossed.",
             dependencies=[{"name": sensor_label + ": non-recoverable",
                            "expression": "last(" + st + ")=4"}]),
        trig("last(" + st + ")=2", sensor_label + ": warning", "WARNING", "sensors",
             "A non-critical threshold is crossed."),
        trig("last(" + st + ")=5", sensor_label + ": unavailable", "INFO", "sensors",
             "No reading: scanning disabled, reading unavailable or refused by the BMC "
             "(ipmiSensorUnavailableReason)."),
    ]
    sensor_rule = {
        "uuid": uid(T, "lld", "sensor"),
        "name": "Sensor discovery",
        "type": "SNMP_AGENT",
        "snmp_oid": ("discovery[{#SENSORNAME}," + SENSOR + ".2,{#SENSORTYPE}," + SENSOR +
                     ".8,{#SENSORUNITS}," + SENSOR + ".15]"),
        "key": "ipmibridge.sensor.discovery",
        "delay": "1h",
        "description": ("Rows of ipmiSensorTable, index ipmiBmcIndex.ipmiSensorIndex; "
                        "{#BMCINDEX} is the first part."),
        "item_prototypes": s_items,
        "trigger_prototypes": s_triggers,
        "lifetime": "7d",
        "preprocessing": [{
            "type": "JAVASCRIPT",
            "parameters": ["var doc = JSON.parse(value);\n"
                           "var rows = Array.isArray(doc) ? doc : doc.data;\n"
                           "for (var i = 0; i < rows.length; i++) {\n"
                           "    rows[i]['{#BMCINDEX}'] = rows[i]['{#SNMPINDEX}'].split('.')[0];\n"
                           "    if (!('{#SENSORUNITS}' in rows[i]))\n"
                           "        rows[i]['{#SENSORUNITS}'] = '';\n"
                           "}\n"
                           "return JSON.stringify(doc);"]}],
    }
    if host_variant:
        sensor_rule["filter"] = {"conditions": [
            {"macro": "{#BMCINDEX}", "value": "{$IPMI.BMC.INDEX}", "formulaid": "A"}]}

    t = {
        "uuid": uid(T, "template"),
        "template": T,
        "name": T,
        "description": desc,
        "groups": [{"name": "Templates/Server hardware"}],
        "items": items,
        "discovery_rules": [bmc_rule, sensor_rule],
        "tags": [{"tag": "class", "value": "hardware"}, {"tag": "target", "value": "ipmi"}],
        "valuemaps": valuemaps(T),
    }
    if host_variant:
        t["macros"] = [
            {"macro": "{$IPMI.BMC.NAME}", "value": "^.*$",
             "description": "Regular expression matching the BMC's name in ipmi-snmp-bridge.conf, e.g. ^web01$"},
            {"macro": "{$IPMI.BMC.INDEX}", "value": "^[0-9]+$",
             "description": "Regular expression matching the BMC's ipmiBmcIndex, e.g. ^12$"},
        ]
    doc = {"zabbix_export": {
        "version": "6.0",
        "date": "2026-12-04T00:00:00Z",
        "groups": [{"uuid": uid("group", "Templates/Server hardware"),
                    "name": "Templates/Server hardware"}],
        "templates": [t],
    }}
    return doc


def literal_str(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


yaml.SafeDumper.add_representer(str, literal_str)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for variant, name in ((False, "ipmi-snmp-bridge.yaml"), (True, "ipmi-snmp-bridge-host.yaml")):
        with open(os.path.join(out, name), "w") as f:
            f.write("# Zabbix 6.0 template for ipmi-snmp-bridge; written by mktemplate.py.\n")
            yaml.safe_dump(build(variant), f, sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    main()
