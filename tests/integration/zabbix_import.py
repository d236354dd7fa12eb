#!/usr/bin/env python3
"""zabbix_import.py URL TEMPLATE.yaml...: imports each template into a real
Zabbix 6.0 frontend through its API (configuration.import, as the web
frontend's Import does) and compares what Zabbix then holds with the file.
Prints "ok - " / "not ok - " lines.  A copy of the first template with a
trigger on a key that does not exist must be refused by Zabbix.
"""
import json
import sys
import urllib.request

import yaml

URL = sys.argv[1]


def call(method, params, auth=None):
    body = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
    if auth:
        body["auth"] = auth
    req = urllib.request.Request(URL, json.dumps(body).encode(), {"Content-Type": "application/json-rpc"})
    return json.load(urllib.request.urlopen(req, timeout=300))


def check(cond, msg, detail=""):
    print(("ok - " if cond else "not ok - ") + msg)
    if not cond and detail:
        print("#   " + str(detail)[:800])


RULES = {k: {"createMissing": True, "updateExisting": True}
         for k in ("groups", "templates", "valueMaps", "items", "discoveryRules", "triggers")}

ver = call("apiinfo.version", {}).get("result", "")
check(ver.startswith("6.0."), "Zabbix API version %s" % ver)
tok = call("user.login", {"username": "Admin", "password": "zabbix"}).get("result")
check(bool(tok), "user.login")
for path in sys.argv[2:]:
    src = open(path).read()
    r = call("configuration.import", {"format": "yaml", "rules": RULES, "source": src}, tok)
    check(r.get("result") is True, "configuration.import of %s" % path, r.get("error"))
    t = yaml.safe_load(src)["zabbix_export"]["templates"][0]
    got = call("template.get", {"output": ["host", "name", "uuid"], "filter": {"host": [t["template"]]},
                                "selectItems": "count", "selectDiscoveries": "count",
                                "selectTriggers": "count", "selectMacros": "extend",
                                "selectValueMaps": "extend"}, tok).get("result", [])
    check(len(got) == 1, "template %s exists after the import" % t["template"], got)
    if len(got) != 1:
        continue
    g = got[0]
    tid = g["templateid"]
    check(g["uuid"] == t["uuid"], "its uuid is the file's")
    n_item_triggers = sum(len(i.get("triggers", [])) for i in t["items"])
    check(int(g["items"]) == len(t["items"]), "items: %s in Zabbix, %d in the file" % (g["items"], len(t["items"])))
    check(int(g["discoveries"]) == len(t["discovery_rules"]),
          "discovery rules: %s in Zabbix, %d in the file" % (g["discoveries"], len(t["discovery_rules"])))
    check(int(g["triggers"]) == n_item_triggers, "triggers: %s in Zabbix, %d in the file" % (g["triggers"], n_item_triggers))
    check(sorted(m["macro"] for m in g["macros"]) == sorted(m["macro"] for m in t.get("macros", [])), "user macros as in the file (%d)" % len(g["macros"]))
    check(sorted(v["name"] for v in g["valuemaps"]) == sorted(v["name"] for v in t["valuemaps"]),
          "value maps as in the file")
    ip = call("itemprototype.get", {"output": ["key_", "snmp_oid", "value_type"], "templateids": [tid]}, tok)["result"]
    want = {i["key"]: i["snmp_oid"] for r in t["discovery_rules"] for i in r["item_prototypes"]}
    check({i["key_"]: i["snmp_oid"] for i in ip} == want, "item prototypes: the file's %d keys and OIDs" % len(want),
          [i["key_"] for i in ip])
    tp = call("triggerprototype.get", {"output": ["description"], "templateids": [tid]}, tok)["result"]
    nt = sum(len(r.get("trigger_prototypes", [])) for r in t["discovery_rules"])
    check(len(tp) == nt, "trigger prototypes: %d in Zabbix, %d in the file" % (len(tp), nt))
    rules = call("discoveryrule.get", {"output": ["key_", "snmp_oid"], "templateids": [tid],
                                       "selectPreprocessing": "extend", "selectFilter": "extend"}, tok)["result"]
    check(sorted(r["snmp_oid"] for r in rules) == sorted(r["snmp_oid"] for r in t["discovery_rules"]),
          "discovery rules' SNMP OIDs as in the file")

# Zabbix must refuse a broken copy: the import is a real check
d = yaml.safe_load(open(sys.argv[2]))
t = d["zabbix_export"]["templates"][0]
t["template"] = t["name"] = "broken copy"
import uuid as _u
t["uuid"] = _u.uuid4().hex
for obj in [t] + t["items"] + t["discovery_rules"] + t["valuemaps"] + \
        [x for r in t["discovery_rules"] for x in r["item_prototypes"] + r["trigger_prototypes"]] + \
        [x for i in t["items"] for x in i.get("triggers", [])]:
    obj["uuid"] = _u.uuid4().hex
t["discovery_rules"][0]["trigger_prototypes"][0]["expression"] = "last(/broken copy/no.such.key[{#SNMPINDEX}])>1"
r = call("configuration.import", {"format": "yaml", "rules": RULES, "source": yaml.safe_dump(d)}, tok)
check("error" in r, "Zabbix refuses a copy whose trigger names a missing key",
      r)
