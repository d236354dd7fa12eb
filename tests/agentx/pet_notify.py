"""Compare the ipmiPlatformEvent notifications snmptrapd received (through
snmpd, from the bridge's PET listener) with FreeIPMI's ipmi-pet on the same
PET bytes, one vector at a time.  Prints "ok - ..." / "not ok - ..." lines
(tests/lib/common.sh run_checks).

  pet_notify.py ROOT TRAPS.log NAME SPECIFIC-HEX PAYLOAD-HEX IPMI-PET-CSV.txt [SOURCE]

TRAPS.log is snmptrapd's log with -On -Ox and the format "TRAP %v\\n" (the
varbinds tab-separated on one line).  The notification of this vector is the
ipmiPlatformEvent whose ipmiEventData is the vector's event data 1-3 (4-8)
and whose timestamp and sensor number match.  The documented departures of
ipmi-pet from the spec (P1-P6) are those of tests/integration/pet_vectors.py.
"""
import os
import re
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from oracle_compare import close, norm  # noqa: E402
from pet_vectors import LINE, PET_EPOCH, PET_EVENT_SYNONYMS, SEVERITY, SHARED_ALPHA, TYPE_SYNONYMS, Checks  # noqa: E402

SEV_INT = {"Unspecified": None, "Monitor": 1, "Information": 1, "OK": 1, "Non-critical": 2,
           "Critical": 3, "Non-recoverable": 4}


def parse_value(v):
    v = v.strip()
    if v.startswith("Hex-STRING:"):
        return bytes.fromhex(v[len("Hex-STRING:"):].replace(" ", ""))
    if v.startswith("STRING:"):
        s = v[len("STRING:"):].strip()
        return s[1:-1].encode() if s.startswith('"') else s.encode()
    if v.startswith("\"\"") or v == '""':
        return b""
    m = re.match(r"^(INTEGER|Gauge32|Counter32|Counter64|Unsigned32):\s*(-?\d+)", v)
    if m:
        return int(m.group(2))
    m = re.match(r"^OID:\s*(\S+)", v)
    if m:
        return m.group(1)
    return v


def notifications(path, root):
    out = []
    for line in open(path, encoding="latin-1"):
        if not line.startswith("TRAP "):
            continue
        vbs = {}
        for part in line[5:].rstrip("\n").split("\t"):
            if " = " not in part:
                continue
            name, val = part.split(" = ", 1)
            vbs[name.strip()] = parse_value(val)
        if vbs.get(".1.3.6.1.6.3.1.1.4.1.0") == root + ".0.1":
            out.append(vbs)
    return out


def main(argv):
    root, traps, name, specific, payload, csv_path = argv[1:7]
    source = int(argv[7]) if len(argv) > 7 else 1
    c = Checks(name)
    raw = bytes.fromhex(payload)
    ev = root + ".1.20."
    data = raw[31:34] + (raw[34:39] if len(raw) >= 39 else b"")
    cand = [n for n in notifications(traps, root)
            if n.get(ev + "12.0") == data and n.get(ev + "6.0") == raw[28]
            and n.get(ev + "1.0") == source]
    c.eq(len(cand), 1, f"exactly one ipmiPlatformEvent carries this PET's event data {data.hex()}")
    if not cand:
        return 0
    n = cand[0]
    get = lambda col: n.get(ev + f"{col}.0")  # noqa: E731
    txt = lambda col: (get(col) or b"").decode("utf-8", "replace")  # noqa: E731

    lines = [x for x in open(csv_path, encoding="latin-1").read().splitlines() if x.strip()]
    m = LINE.match(lines[0]) if len(lines) == 1 else None
    c.ok(m is not None, "ipmi-pet printed one event line", "\n".join(lines))
    if not m:
        return 0
    f = m.groupdict()

    # BMC identity varbinds: instance = ipmiBmcIndex
    names = [k for k in n if k.startswith(root + ".1.3.1.2.")]
    addrs = [k for k in n if k.startswith(root + ".1.3.1.3.")]
    c.ok(len(names) == 1 and len(addrs) == 1 and names[0].rsplit(".", 1)[1] == addrs[0].rsplit(".", 1)[1],
         "ipmiBmcName and ipmiBmcAddress with the BMC's index as instance", str(names + addrs))

    spec = int(specific, 16)
    c.eq(get(8), (spec >> 8) & 0xFF, "ipmiEventType = specific trap bits 15:8")
    c.eq(get(9), 2 if spec & 0x80 else 1, "ipmiEventDirection = bit 7")
    c.eq("Deassertion Event" if get(9) == 2 else "Assertion Event", f["dir"], "direction as ipmi-pet")

    # severity (P4: words; PET severity bits mapped to IpmiSeverity)
    want = SEV_INT.get(SEVERITY.get(f["sev"]), "?")
    c.eq(get(4), want, f"ipmiEventSeverity {get(4)} / ipmi-pet '{f['sev']}'")

    # timestamp (P1, P2): DateAndTime UTC = local - offset
    ts = int.from_bytes(raw[18:22], "big")
    off = int.from_bytes(raw[22:24], "big", signed=True)
    dt = get(3)
    if ts in (0, 0xFFFFFFFF) or raw[22:24] == b"\xff\xff":
        c.ok(dt is None, "no ipmiEventTimestamp when the PET's time or UTC offset is unspecified", repr(dt))
    else:
        ok = isinstance(dt, bytes) and len(dt) == 11
        c.ok(ok, "ipmiEventTimestamp is an 11-octet DateAndTime", repr(dt))
        if ok:
            t = int(datetime(int.from_bytes(dt[0:2], "big"), dt[2], dt[3], dt[4], dt[5], dt[6],
                             tzinfo=timezone.utc).timestamp())
            c.eq(t, PET_EPOCH + ts - off * 60, "ipmiEventTimestamp = local - UTC offset (IPMI 2.0 31.11a)")
            fi = int(datetime.strptime(f"{f['date']} {f['time']}", "%b-%d-%Y %H:%M:%S")
                     .replace(tzinfo=timezone.utc).timestamp())
            c.eq(fi, t + 2 * off * 60, f"P1 (documented): ipmi-pet's time is local + offset ({off} min)")

    # sensor name (P3, P5) and type (P4)
    num = raw[28]
    sname = txt(7)
    if f["name"].startswith("Sensor #"):
        c.ok(sname == f"#0x{num:02x}" and f["name"] == f"Sensor #{num}",
             f"P5 (documented): no SDR for sensor {num}: ours '{sname}', ipmi-pet '{f['name']}'")
    elif num in SHARED_ALPHA:
        c.ok(sname == SHARED_ALPHA[num] and f["name"] != sname,
             f"P3 (documented): shared sensor {num}: ours '{sname}', ipmi-pet '{f['name']}'")
    else:
        c.eq(sname, f["name"], "ipmiEventSensorName")
    st = txt(5)
    c.ok(norm(st) == norm(f["type"]) or (st, f["type"]) in TYPE_SYNONYMS,
         f"P4: ipmiEventSensorType '{st}' / ipmi-pet '{f['type']}'")

    # event text (P4)
    parts = f["event"].split(" ; ")
    fev = parts[0].split(" | ")[0].strip()
    et = txt(10)
    om = re.match(r"OEM Event Offset = ([0-9A-F]{2})h$", fev)
    if om:
        c.ok(et.lower().endswith(f"offset {om.group(1).lower()}h"), f"P4: OEM offset: ours '{et}', ipmi-pet '{fev}'")
    else:
        c.ok(norm(et) == norm(fev) or (et, fev) in PET_EVENT_SYNONYMS, f"P4: ipmiEventText '{et}' / ipmi-pet '{fev}'")

    # reading of threshold events
    fm = re.search(r"Sensor Reading = (-?[0-9.]+) .*Threshold = (-?[0-9.]+)", parts[0])
    rd = txt(11)
    om = re.match(r"^Reading (-?[0-9.]+) [<>] Threshold (-?[0-9.]+)", rd)
    c.eq(bool(om), bool(fm), "ipmiEventReading exactly when ipmi-pet shows a reading/threshold")
    if om and fm:
        c.ok(close(float(om.group(1)), float(fm.group(1)), 0.005) and
             close(float(om.group(2)), float(fm.group(2)), 0.005),
             f"ipmiEventReading '{rd}' / ipmi-pet '{fm.group(0)}'")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
