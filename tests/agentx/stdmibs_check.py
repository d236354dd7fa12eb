#!/usr/bin/env python3
"""stdmibs_check.py - the standard MIBs of one BMC's SNMPv3 context against
its IPMI-BRIDGE-MIB rows (tests/agentx/stdmibs.sh).  Reads `snmpwalk -On`
output files and prints TAP-like "ok - " / "not ok - " lines.

  stdmibs_check.py sensors ENT_SENSOR_WALK BRIDGE_WALK BMC_INDEX NAME
      entPhySensorTable has exactly the BMC's ipmiSensorTable rows with
      units; type by the unit text (RFC 3433), units display = the unit text,
      value * 10^-precision * 1000^(scale - 9) = ipmiSensorValue *
      10^-ipmiSensorPrecision, oper status ok / unavailable as the reading.
  stdmibs_check.py frus ENT_PHYSICAL_WALK BRIDGE_WALK BMC_INDEX NAME
      entPhysicalTable: one sensor(8) row per entPhySensorTable row (same
      index), and one FRU row (2^22 + fruId + 1, IsFRU true) per ipmiFruTable
      row with serial / manufacturer / model / name from its areas.
  stdmibs_check.py only BRIDGE_WALK BMC_INDEX NAME
      every IPMI-BRIDGE-MIB instance of the walk belongs to BMC_INDEX.
  stdmibs_check.py logical ENT_LOGICAL_WALK BRIDGE_WALK
      entLogicalTable lists every ipmiBmcTable row: same index, context name =
      ipmiBmcName.
"""
import re
import sys

OBJ = ".1.3.6.1.4.1.8072.9999.9999.623.1"
ENT_SENSOR = ".1.3.6.1.2.1.99.1.1.1"
ENT_PHYS = ".1.3.6.1.2.1.47.1.1.1.1"
ENT_LOGICAL = ".1.3.6.1.2.1.47.1.2.1.1"
FRU_BASE = 4194304

# RFC 3433 EntitySensorDataType of the IPMI unit texts the bridge maps
TYPE_OF_UNITS = {"Volts": 4, "Amps": 5, "Watts": 6, "Hz": 7, "degrees C": 8, "RPM": 10}

results = []


def check(cond, msg, detail=""):
    results.append((bool(cond), msg, detail))


def value(v):
    """The value part of a walk line, as int or str."""
    m = re.match(r'STRING: "(.*)"$', v)
    if m:
        return m.group(1)
    if v == '""' or v == "STRING: ":
        return ""
    m = re.match(r"(?:INTEGER|Gauge32|Counter32|Counter64|UNSIGNED|Unsigned32): (-?\d+)", v)
    if m:
        return int(m.group(1))
    m = re.match(r"Timeticks: \((\d+)\)", v)
    if m:
        return int(m.group(1))
    m = re.match(r"OID: (\S+)", v)
    if m:
        return m.group(1)
    m = re.match(r"Hex-STRING: (.*)$", v)
    if m:
        return bytes.fromhex(m.group(1).replace(" ", ""))
    return v


def walk(path, prefix):
    """{(column, index tuple): value} of the instances under prefix + "."."""
    out = {}
    pre = prefix + "."
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if " = " not in line:
            continue
        oid, v = line.split(" = ", 1)
        if not oid.startswith(pre):
            continue
        parts = [int(x) for x in oid[len(pre):].split(".")]
        out[(parts[0], tuple(parts[1:]))] = value(v)
    return out


def by_row(cols):
    rows = {}
    for (col, idx), v in cols.items():
        rows.setdefault(idx, {})[col] = v
    return rows


def bridge_rows(path, table, bmc):
    """Rows of IPMI-BRIDGE-MIB table `table` for BMC `bmc`, keyed by the rest of the index."""
    rows = by_row(walk(path, "%s.%d.1" % (OBJ, table)))
    return {idx[1:]: r for idx, r in rows.items() if idx[0] == bmc}


def sensors(ent_path, bridge_path, bmc, name):
    ent = by_row(walk(ent_path, ENT_SENSOR))
    ipmi = bridge_rows(bridge_path, 5, bmc)
    want = {idx[0]: r for idx, r in ipmi.items() if 15 in r}  # rows with ipmiSensorUnits
    check(len(want) > 0, "%s: the BMC has sensors with units (%d)" % (name, len(want)))
    got = {idx[0]: r for idx, r in ent.items()}
    check(set(got) == set(want),
          "%s: entPhySensorTable has exactly its %d sensors with units" % (name, len(want)),
          "only in entPhySensorTable: %s; only in ipmiSensorTable: %s" %
          (sorted(set(got) - set(want))[:5], sorted(set(want) - set(got))[:5]))
    bad = []
    nvalues = 0
    for i in sorted(set(got) & set(want)):
        e, s = got[i], want[i]
        units = s[15]
        etype = TYPE_OF_UNITS.get(units, 1)
        if e.get(1) != etype:
            bad.append("%d (%s): type %s, expected %d" % (i, units, e.get(1), etype))
        if e.get(6) != units:
            bad.append("%d: units display %r, expected %r" % (i, e.get(6), units))
        if 12 in s and s.get(16) != 5:  # a value, status not unavailable
            if e.get(5) != 1:
                bad.append("%d: oper status %s with a reading" % (i, e.get(5)))
            ev = e[4] * 10.0 ** -e[3] * 1000.0 ** (e[2] - 9)
            iv = s[12] * 10.0 ** -s[13]
            if abs(ev - iv) > 1e-9 * max(1.0, abs(iv)):
                bad.append("%d: entPhySensorValue %s (precision %s scale %s) = %g, "
                           "ipmiSensorValue %s (precision %s) = %g" %
                           (i, e[4], e[3], e[2], ev, s[12], s[13], iv))
            nvalues += 1
        elif e.get(5) != 2:
            bad.append("%d: oper status %s without a reading" % (i, e.get(5)))
        for col in (7, 8):
            if col not in e:
                bad.append("%d: column %d missing" % (i, col))
    check(not bad, "%s: type, units, value (%d readings), oper status agree with ipmiSensorTable"
          % (name, nvalues), "\n".join(bad[:10]))
    check(nvalues > 0, "%s: some sensors have readings to compare" % name)


def first(*vals):
    for v in vals:
        if v:
            return v
    return ""


def frus(ent_path, bridge_path, bmc, name, sensor_path):
    ent = by_row(walk(ent_path, ENT_PHYS))
    sens = by_row(walk(sensor_path, ENT_SENSOR))
    sensor_rows = {idx[0] for idx in ent if idx[0] <= FRU_BASE}
    check(sensor_rows == {idx[0] for idx in sens},
          "%s: entPhysicalTable has one row per entPhySensorTable row (%d)" % (name, len(sens)))
    bad = [str(i) for i in sensor_rows if ent[(i,)].get(5) != 8 or ent[(i,)].get(16) != 2]
    check(not bad, "%s: sensor rows are class sensor(8), not FRUs" % name, " ".join(bad[:10]))
    ipmi = bridge_rows(bridge_path, 6, bmc)
    check(len(ipmi) > 0, "%s: the BMC has FRU devices (%d)" % (name, len(ipmi)))
    want = {FRU_BASE + idx[0] + 1: r for idx, r in ipmi.items()}
    got = {idx[0]: r for idx, r in ent.items() if idx[0] > FRU_BASE}
    check(set(got) == set(want), "%s: entPhysicalTable has exactly its %d FRU devices" %
          (name, len(want)), "got %s, want %s" % (sorted(got), sorted(want)))
    bad = []
    for i in sorted(set(got) & set(want)):
        e, f = got[i], want[i]
        exp = {
            2: first(f.get(18), f.get(12), f.get(2)),  # descr: product / board name
            7: f.get(2, ""),  # name: the FRU device's
            8: f.get(20, ""),  # hardware rev: product version
            11: first(f.get(21), f.get(13), f.get(7)),  # serial
            12: first(f.get(17), f.get(11)),  # manufacturer
            13: first(f.get(19), f.get(14), f.get(6)),  # model: part number
            15: f.get(22, ""),  # asset tag
            16: 1,  # IsFRU true
        }
        for col, v in exp.items():
            if e.get(col) != v:
                bad.append("%d column %d: %r, expected %r" % (i, col, e.get(col), v))
        if not isinstance(e.get(17), bytes) or len(e[17]) not in (8, 11):
            bad.append("%d: entPhysicalMfgDate %r" % (i, e.get(17)))
        elif 10 in f and e[17] != f[10]:
            bad.append("%d: entPhysicalMfgDate %s, ipmiFruBoardMfgDate %s" %
                       (i, e[17].hex(), f[10].hex() if isinstance(f[10], bytes) else f[10]))
    check(not bad, "%s: FRU serial, manufacturer, model, names, IsFRU, mfg date agree with "
          "ipmiFruTable" % name, "\n".join(bad[:10]))
    serials = sum(1 for i in got if got[i].get(11))
    check(serials > 0, "%s: some FRU has a serial number (%d)" % (name, serials))


def only(bridge_path, bmc, name):
    inst = walk(bridge_path, OBJ)
    tables = {}
    others = []
    for (table, idx) in inst:
        if table in (1, 2):
            others.append("%d.%s" % (table, ".".join(map(str, idx))))
            continue
        # entry .1, column, then the index: first component is ipmiBmcIndex
        if len(idx) < 3 or idx[2] != bmc:
            others.append("%d.%s" % (table, ".".join(map(str, idx))))
        tables[table] = tables.get(table, 0) + 1
    check(len(inst) > 0 and 3 in tables and 5 in tables,
          "%s: its context serves IPMI-BRIDGE-MIB (%d instances, tables %s)" %
          (name, len(inst), sorted(tables)))
    check(not others, "%s: every IPMI-BRIDGE-MIB instance in its context is its own (index %d)" %
          (name, bmc), " ".join(others[:10]))


def logical(ent_path, bridge_path):
    ent = by_row(walk(ent_path, ENT_LOGICAL))
    names = {idx[0]: r[2] for idx, r in by_row(walk(bridge_path, OBJ + ".3.1")).items() if 2 in r}
    got = {idx[0]: r.get(8) for idx, r in ent.items()}
    check(got == names, "entLogicalTable: one row per BMC, context name = ipmiBmcName (%d)" %
          len(names), "got %s\nwant %s" % (sorted(got.items()), sorted(names.items())))
    bad = [str(i[0]) for i, r in ent.items() if r.get(3) != OBJ[:-2] or r.get(7) != ""]
    check(not bad, "entLogicalTable: type IPMI-BRIDGE-MIB, engine ID zero-length", " ".join(bad))


def main():
    mode = sys.argv[1]
    if mode == "sensors":
        sensors(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif mode == "frus":
        frus(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
    elif mode == "only":
        only(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif mode == "logical":
        logical(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown mode " + mode)
    for ok, msg, detail in results:
        print(("ok - " if ok else "not ok - ") + msg)
        if not ok and detail:
            for line in detail.splitlines():
                print("#   " + line)


if __name__ == "__main__":
    main()
