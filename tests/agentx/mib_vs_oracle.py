#!/usr/bin/env python3
"""mib_vs_oracle.py - the MIB's sensor table against ipmitool and FreeIPMI.

    mib_vs_oracle.py WALK EXPECTED-SENSORS-JSON BMC-INDEX

EXPECTED-SENSORS-JSON is what tests/lib/oracle_compare.py builds from the two
clients' output (DIR/expected-sensors.json); WALK is a numeric, hex-string
walk of the MIB (mib_vs_json.py reads it).  For every sensor the clients
list, the row ipmiSensorIndex = 1 + number + 256 * owner + 65536 * lun of
ipmiBmcIndex BMC-INDEX must carry the same name, type, entity, units,
status, states, reading and thresholds.  Numbers are the MIB's (value times
10^-precision), so they may differ from the clients' by half a unit of the
precision on top of oracle_compare.py's tolerance.
"""
import json
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import mib_vs_json as mj  # noqa: E402
import oracle_compare as oc  # noqa: E402

STATUS_WORDS = {v: k for k, v in mj.SENSOR_STATUS.items()}


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    walk = mj.parse_walk(argv[1])
    with open(argv[2], encoding="utf-8") as f:
        expected = json.load(f)
    bmc = int(argv[3])

    def col(c, idx):
        v = walk.get("%s.5.1.%d.%d.%d" % (mj.OBJ, c, bmc, idx))
        return None if v is None else mj.decode(*v)

    def txt(c, idx):
        v = col(c, idx)
        return None if v is None else v.decode("utf-8")

    bad = {k: [] for k in ("present", "name", "type", "entity", "reading", "units", "status",
                           "states", "thresholds")}
    n = 0
    for e in expected:
        if e["record_type"] == 3:
            continue  # event-only: not a readable sensor
        n += 1
        idx = 1 + e["number"] + 256 * e["owner"] + 65536 * e["lun"]
        tag = "%s (index %d)" % (e["name"], idx)
        if col(2, idx) is None:
            bad["present"].append(tag)
            continue
        prec = col(13, idx) or 0
        half = 0.5 * 10.0 ** -prec
        if txt(2, idx) != e["name"]:
            bad["name"].append("%s: MIB %r" % (tag, txt(2, idx)))
        if col(7, idx) != e["type"] or oc.norm(txt(8, idx)) not in [oc.norm(t) for t in e["type_names"]]:
            bad["type"].append("%s: MIB %r %r" % (tag, col(7, idx), txt(8, idx)))
        if (col(10, idx), col(11, idx)) != (e["entity_id"], e["entity_instance"]):
            bad["entity"].append(tag)
        scaled = col(12, idx)
        value = None if scaled is None else scaled * 10.0 ** -prec
        if e["reading"] is None:
            if value is not None or col(14, idx) is not None:
                bad["reading"].append("%s: MIB has %r, the clients none" % (tag, value))
        elif value is None or not all(abs(value - v) <= tol + half + 1e-9 for v, tol, _ in e["reading"]):
            bad["reading"].append("%s: MIB %r (text %r), clients %r" % (tag, value, txt(14, idx), e["reading"]))
        if e["units"] is None:
            if txt(15, idx) not in (None, "", "discrete"):
                bad["units"].append("%s: MIB %r" % (tag, txt(15, idx)))
        elif txt(15, idx) != e["units"]:
            bad["units"].append("%s: MIB %r, clients %r" % (tag, txt(15, idx), e["units"]))
        if STATUS_WORDS.get(col(16, idx)) != e["status"]:
            bad["status"].append("%s: MIB %r, clients %r" % (tag, STATUS_WORDS.get(col(16, idx)), e["status"]))
        states = txt(17, idx)
        states = states.split(", ") if states else []
        if e.get("crossed"):
            states = sorted(oc.THRESHOLD_NAMES.get(s.lower(), "?" + s) for s in states)
            want = sorted(e["states"])
        else:
            want = e["states"]
        if states != want:
            bad["states"].append("%s: MIB %r, clients %r" % (tag, states, want))
        if not e["discrete"]:
            for c, key in enumerate(oc.THRESHOLD_KEYS, start=19):
                got = col(c, idx)
                exp = e["thresholds"][key]
                if exp is None:
                    ok = got is None
                else:
                    ok = got is not None and all(abs(got * 10.0 ** -prec - v) <= tol + half + 1e-9
                                                 for v, tol, _ in exp)
                if not ok:
                    bad["thresholds"].append("%s %s: MIB %r, clients %r" % (tag, key, got, exp))
    for k, lines in bad.items():
        if lines:
            print("not ok - MIB vs ipmitool/FreeIPMI, sensor %s (%d of %d sensors)" % (k, len(lines), n))
            for line in lines[:10]:
                print("#   " + line)
        else:
            print("ok - MIB vs ipmitool/FreeIPMI, sensor %s (%d sensors)" % (k, n))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
