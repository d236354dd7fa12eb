#!/usr/bin/env python3
"""mib_vs_json.py - "the MIB equals the JSON" (stdlib only).

    mib_vs_json.py WALK JSON

WALK is the output of `snmpbulkwalk -v2c -On -Ox ... IPMI-BRIDGE-MIB::ipmiBridgeObjects`
(numeric OIDs, every octet string in hex); JSON is `--once --json` of the
same poll (the agentx driver serves the very snapshots it printed).  Every
value the JSON has must be in the walk at the instance the MIB gives it,
encoded as the MIB says; every instance in the walk must come from the JSON
(a JSON null is an absent instance, never a value).  Ages and times that
move (ipmiBmcPollAge, ipmiSensorAge, ipmiBmcLastPoll, ipmiBridgeStartTime)
are checked for presence and type only.

Output: "ok - ..." / "not ok - ..." lines (tests/lib/common.sh run_checks).
"""
import datetime
import json
import math
import re
import sys

sys.dont_write_bytecode = True

OBJ = ".1.3.6.1.4.1.8072.9999.9999.623.1"
STATES = {"ok": 1, "new": 2, "connecting": 3, "discovering": 4, "polling": 5, "degraded": 6,
          "unreachable": 7, "auth_failed": 8, "cipher": 9, "privilege": 10, "protocol": 11,
          "timeout": 12, "closed": 13, "resolve": 14, "internal": 15}
SENSOR_STATUS = {"ok": 1, "warning": 2, "critical": 3, "nonrecoverable": 4, "unavailable": 5}
FRU_STATUS = {"ok": 1, "partial": 2, "bad": 3, "absent": 4, "failed": 5}
SEVERITY = {"ok": 1, "warning": 2, "critical": 3, "nonrecoverable": 4}
BAD_REASONS = ["truncated", "oversize", "not_rmcp", "auth_type", "length_mismatch", "checksum",
               "bad_pad", "integrity", "decrypt", "payload_type", "security_flags", "bad_field",
               "crypto_library"]
IP_SOURCES = {"unspecified": 1, "static": 2, "dhcp": 3, "bios": 4, "other": 5}
INFO_STATUS = {"not_read": 1, "ok": 2, "not_supported": 3, "failed": 4, "not_set": 5}
THR = ("lnr", "lc", "lnc", "unc", "uc", "unr")
COUNTERS = ("tx_packets", "rx_packets", "requests", "responses", "retransmits", "busy_retries",
            "sessions_opened", "session_failures", "auth_failures", "reopens", "stray_packets",
            "replays", "bad_packets")
# instances whose value moves between the JSON and the walk: type only
MOVING = {(3, 26), (3, 27), (5, 25), (1, 2)}

LINE = re.compile(r"^(\.[0-9.]+) = (?:([A-Za-z0-9-]+): ?)?(.*)$")


def parse_walk(path):
    vals = {}
    last = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = LINE.match(line)
            if m:
                oid, typ, val = m.group(1), m.group(2) or "", m.group(3)
                last = oid
                vals[oid] = (typ, val)
            elif last is not None and line.strip():
                typ, val = vals[last]
                vals[last] = (typ, val + " " + line.strip())
    return vals


def decode(typ, val):
    """A walk value as a Python value: bytes, int, or the raw text."""
    if typ == "Hex-STRING":
        return bytes(int(x, 16) for x in val.split())
    if typ in ("", "STRING") and val.startswith('"'):  # "" even with -Ox
        return val[1:-1].encode()
    if typ == "IpAddress":
        return bytes(int(x) for x in val.split()[0].split("."))
    if typ in ("INTEGER", "Gauge32", "Counter32", "Counter64", "Unsigned32"):
        return int(val.split()[0].split("(")[-1].rstrip(")"))
    return val


def text(s):
    return None if s is None else s.encode("utf-8")


def truth(b):
    return None if b is None else (1 if b else 2)


def c_round(x):
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def date_and_time(iso):
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return bytes([d.year >> 8, d.year & 255, d.month, d.day, d.hour, d.minute, d.second, 0,
                  ord("+"), 0, 0])


def hexbytes(h):
    return None if h is None else bytes.fromhex(h)


def expected(doc):
    """{oid: value} of everything the JSON says, by the MIB's layout."""
    exp = {}

    def put(table, col, idx, v):
        if v is not None:
            exp["%s.%d.1.%d.%s" % (OBJ, table, col, ".".join(str(i) for i in idx))] = v

    bmcs = doc["bmcs"]
    by_state = {v: 0 for v in STATES.values()}
    bad_total = 0
    for b in bmcs:
        i = b["index"]
        by_state[STATES[b["state"]]] += 1
        bad_total += b["counters"]["bad_packets"]
        put(3, 2, [i], text(b["name"]))
        put(3, 3, [i], text(b["address"]))
        put(3, 4, [i], STATES[b["state"]])
        put(3, 5, [i], text(b["error"]))
        put(3, 6, [i], b["cipher_suite"])
        put(3, 7, [i], text(b["guid"]))
        d = b["device_id"]
        if d:
            put(3, 8, [i], d["device_id"])
            put(3, 9, [i], d["device_revision"])
            put(3, 10, [i], truth(d["provides_sdrs"]))
            put(3, 11, [i], d["manufacturer_id"])
            put(3, 12, [i], d["product_id"])
            put(3, 13, [i], text(d["firmware_revision"]))
            put(3, 14, [i], text(d["ipmi_version"]))
            put(3, 15, [i], truth(d["device_available"]))
            put(3, 16, [i], hexbytes(d["aux_firmware"]))
        ch = b["chassis"]
        if ch:
            put(3, 17, [i], 1 if ch["power"] == "on" else 2)
            for col, key in enumerate(("power_overload", "power_interlock", "power_fault",
                                       "power_control_fault", "intrusion", "front_panel_lockout",
                                       "drive_fault", "cooling_fault"), start=18):
                put(3, col, [i], truth(ch[key]))
        put(3, 26, [i], "present")
        put(3, 27, [i], "present")
        sensors = b["sensors"]
        if sensors is not None:
            st = [s["status"] for s in sensors]
            put(3, 28, [i], len(sensors))
            put(3, 29, [i], st.count("warning"))
            put(3, 30, [i], st.count("critical"))
            put(3, 31, [i], st.count("nonrecoverable"))
            put(3, 32, [i], st.count("unavailable"))
        sdr = b["sdr"]
        put(3, 33, [i], sdr["records"])
        put(3, 34, [i], truth(sdr["from_cache"]))
        put(3, 35, [i], truth(sdr["unchanged"]))
        put(3, 36, [i], sdr["get_sdr_requests"])
        put(3, 37, [i], text(sdr["error"]))
        ss = b["sel_stats"]
        if ss:
            put(3, 38, [i], ss["entries_kept"])
            put(3, 39, [i], truth(ss["ok"]))
            put(3, 40, [i], ss["new_entries"])
            put(3, 41, [i], ss["entries_read"])
            put(3, 42, [i], ss["requests"])
            put(3, 43, [i], truth(ss["cleared"]))
            put(3, 44, [i], truth(ss["overflow"]))
            put(3, 45, [i], ss["clears_detected"])
            put(3, 46, [i], ("elapsed_us", ss["elapsed_ms"]))
        # POH, SEL clock, LAN, DCMI (JSON keys of the info reader, when present)
        if "poh_hours" in b:
            put(3, 47, [i], b["poh_hours"])
            put(3, 48, [i], b["clock_offset_s"])
            lan = b.get("lan") or {}
            for col, k2 in ((49, "ip"), (50, "netmask"), (51, "gateway")):
                v = lan.get(k2)
                put(3, col, [i], None if v is None else bytes(int(x) for x in v.split(".")))
            mac = lan.get("mac")
            put(3, 52, [i], None if mac is None else bytes.fromhex(mac.replace(":", "")))
            put(3, 53, [i], IP_SOURCES.get(lan.get("ip_source")))
            put(3, 58, [i], lan.get("channel"))
            put(3, 59, [i], lan.get("vlan_id"))
            pw = b.get("dcmi_power") or {}
            for col, k2 in ((54, "current_watts"), (55, "min_watts"), (56, "max_watts"),
                            (57, "average_watts"), (73, "period_ms")):
                put(3, col, [i], pw.get(k2))
            put(3, 74, [i], truth(pw.get("active")))
            for col, k2 in ((75, "poh"), (76, "sel_time"), (77, "lan"), (78, "dcmi")):
                put(3, col, [i], INFO_STATUS.get(b["info_status"][k2]))
        for col, key in enumerate(COUNTERS, start=60):
            put(3, col, [i], b["counters"][key])
        for word, n in b["counters"]["bad_packet_reasons"].items():
            put(4, 2, [i, BAD_REASONS.index(word) + 1], n)
        for s in sensors or []:
            k = [i, s["index"]]
            put(5, 2, k, text(s["name"]))
            put(5, 3, k, s["number"])
            put(5, 4, k, s["owner"])
            put(5, 5, k, s["lun"])
            put(5, 6, k, (s["index"] - 1) >> 18)
            put(5, 7, k, s["type"])
            put(5, 8, k, text(s["type_name"]))
            put(5, 9, k, s["event_type"])
            put(5, 10, k, s["entity_id"])
            put(5, 11, k, s["entity_instance"])
            put(5, 12, k, s["value_scaled"])
            put(5, 13, k, s["precision"])
            put(5, 14, k, text(s["value_text"]))
            put(5, 15, k, text(s["units"]))
            put(5, 16, k, SENSOR_STATUS[s["status"]])
            put(5, 17, k, text(", ".join(s["states"])))
            put(5, 18, k, text(s.get("unavailable_reason")))
            thr = s["thresholds"] or {}
            for col, key in enumerate(THR, start=19):
                v = thr.get(key)
                if v is not None:
                    x = c_round(v * 10.0 ** s["precision"])
                    if -2**31 <= x < 2**31:
                        put(5, col, k, x)
            put(5, 25, k, "present")
        for f in b["fru"] or []:
            k = [i, f["id"]]
            put(6, 2, k, text(f["name"]))
            put(6, 3, k, FRU_STATUS[f["status"]])
            c, bd, p = f["chassis"], f["board"], f["product"]
            if c:
                put(6, 4, k, text(c["type"]))
                put(6, 5, k, c["type_code"])
                put(6, 6, k, text(c["part_number"]))
                put(6, 7, k, text(c["serial_number"]))
                put(6, 8, k, truth(c["checksum_ok"]))
                put(6, 9, k, text(c.get("problem")))
            if bd:
                if bd["mfg_datetime"]:
                    put(6, 10, k, date_and_time(bd["mfg_datetime"]))
                put(6, 11, k, text(bd["manufacturer"]))
                put(6, 12, k, text(bd["product_name"]))
                put(6, 13, k, text(bd["serial_number"]))
                put(6, 14, k, text(bd["part_number"]))
                put(6, 15, k, truth(bd["checksum_ok"]))
                put(6, 16, k, text(bd.get("problem")))
            if p:
                for col, key in enumerate(("manufacturer", "name", "part_number", "version",
                                           "serial_number", "asset_tag"), start=17):
                    put(6, col, k, text(p[key]))
                put(6, 23, k, truth(p["checksum_ok"]))
                put(6, 24, k, text(p.get("problem")))
            for area_no, area in enumerate((c, bd, p), start=1):
                for n, v in enumerate((area or {}).get("custom", []), start=1):
                    put(7, 3, [i, f["id"], area_no, n], text(v))
            for n, m in enumerate(f["multirecords"], start=1):
                km = [i, f["id"], n]
                put(8, 2, km, m["type"])
                put(8, 3, km, text(m["type_name"]))
                put(8, 4, km, text(m["description"]))
                pairs = []
                for key, v in m["fields"].items():
                    if v is None:
                        continue
                    pairs.append("%s=%s" % (key, ("true" if v else "false")
                                            if isinstance(v, bool) else v))
                put(8, 5, km, text(" ".join(pairs)))
                put(8, 6, km, truth(m["checksum_ok"]))
                put(8, 7, km, hexbytes(m["data"]))
        for e in b["sel"] or []:
            k = [i, e["index"]]
            put(9, 2, k, e["record_id"])
            put(9, 3, k, e["record_type"])
            ts = e["timestamp"]
            if ts and re.match(r"^\d{4}-\d\d-\d\dT", ts):
                put(9, 4, k, date_and_time(ts))
            put(9, 5, k, text(ts))
            put(9, 6, k, text(e["sensor_type"]))
            put(9, 7, k, e["sensor_number"])
            put(9, 8, k, text(e["sensor_name"]))
            put(9, 9, k, e["event_type"])
            if e["direction"] is not None:
                put(9, 10, k, 2 if e["direction"] == "Deasserted" else 1)
            put(9, 11, k, text(e["event"]))
            put(9, 12, k, text(e["reading"]))
            put(9, 13, k, SEVERITY.get(e["severity"]))
            put(9, 14, k, ("raw", e["record_id"], e["record_type"]))
            put(9, 15, k, hexbytes(e["data"]))
            put(9, 16, k, e.get("manufacturer_id"))
            if e["sensor_type"] is not None:
                put(9, 17, k, "present")
    for state, n in by_state.items():
        put(2, 2, [state], n)
    exp[OBJ + ".1.1.0"] = text(doc_version(doc))
    exp[OBJ + ".1.2.0"] = "present"
    exp[OBJ + ".1.3.0"] = len(bmcs)
    exp[OBJ + ".1.4.0"] = 0
    exp[OBJ + ".1.5.0"] = 0
    exp[OBJ + ".1.6.0"] = bad_total
    exp[OBJ + ".1.7.0"] = 0
    return exp


def doc_version(doc):
    return VERSION


VERSION = None
TABLE_NAMES = {1: "scalars", 2: "BMCs by state", 3: "ipmiBmcTable", 4: "ipmiBadPacketTable",
               5: "ipmiSensorTable", 6: "ipmiFruTable", 7: "ipmiFruCustomTable",
               8: "ipmiFruMultiRecordTable", 9: "ipmiSelTable"}


def table_of(oid):
    rest = oid[len(OBJ) + 1:].split(".")
    return int(rest[0]), int(rest[2] if rest[0] != "1" else rest[1])


def matches(want, got_typ, got_raw):
    got = decode(got_typ, got_raw)
    if want == "present":
        return True
    if isinstance(want, tuple) and want[0] == "elapsed_us":
        return isinstance(got, int) and abs(got - want[1] * 1000.0) <= 1
    if isinstance(want, tuple) and want[0] == "raw":
        return (isinstance(got, bytes) and len(got) == 16 and got[0] | got[1] << 8 == want[1]
                and got[2] == want[2])
    return got == want


def main(argv):
    global VERSION
    if len(argv) != 4:
        print("usage: mib_vs_json.py WALK JSON VERSION", file=sys.stderr)
        return 2
    VERSION = argv[3]
    walk = parse_walk(argv[1])
    with open(argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    exp = expected(doc)
    per = {}
    for oid, want in exp.items():
        t = TABLE_NAMES[int(oid[len(OBJ) + 1:].split(".")[0])]
        r = per.setdefault(t, {"n": 0, "bad": []})
        r["n"] += 1
        if oid not in walk:
            r["bad"].append("missing %s (JSON has %r)" % (oid, want))
        elif not matches(want, *walk[oid]):
            r["bad"].append("%s: MIB %s %s, JSON %r" % (oid, walk[oid][0], walk[oid][1], want))
    for oid, (typ, val) in walk.items():
        if not oid.startswith(OBJ + "."):
            continue
        if oid not in exp:
            t = TABLE_NAMES.get(int(oid[len(OBJ) + 1:].split(".")[0]), "other")
            per.setdefault(t, {"n": 0, "bad": []})["bad"].append(
                "%s = %s %s is not in the JSON (a null must be absent)" % (oid, typ, val))
    for t in TABLE_NAMES.values():
        r = per.get(t, {"n": 0, "bad": []})
        if r["bad"]:
            print("not ok - MIB equals JSON: %s (%d of %d instances differ)" % (
                t, len(r["bad"]), r["n"]))
            for line in r["bad"][:15]:
                print("#   " + line)
        else:
            print("ok - MIB equals JSON: %s (%d instances)" % (t, r["n"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
