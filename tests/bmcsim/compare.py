#!/usr/bin/env python3
"""compare.py - set a client's view of a simulated BMC against the
simulator's own (bmcsim-ctl dump-* output).  Used by test_clients.sh.

    compare.py KIND SIMDUMP CLIENT_OUTPUT

KIND: ipmitool-sdr, ipmitool-sensor, ipmi-sensors (SIMDUMP = dump-sensors),
      ipmitool-fru, ipmi-fru (dump-fru), ipmitool-sel, ipmi-sel (dump-sel),
      ipmitool-mc, bmc-info (dump-device).
Prints one "# ..." line per mismatch and a final "checked N, mismatched M";
exits 1 if anything mismatched or nothing was checked.
"""
import re
import sys

THRESHOLD_BITS = 0x3F  # Get Sensor Reading byte 3 bits 5:0 (IPMI 2.0 section 35.14)


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def sim_records(lines, kind):
    return [l.split("|") for l in lines if l.startswith(kind + "|")]


def first_float(text):
    m = re.search(r"-?\d+(?:\.\d+)?", text)
    return float(m.group(0)) if m else None


class Checker:
    def __init__(self):
        self.checked = 0
        self.bad = 0

    def check(self, ok, what):
        self.checked += 1
        if not ok:
            self.bad += 1
            print("# mismatch: " + what)

    def done(self):
        print("# checked %d, mismatched %d" % (self.checked, self.bad))
        return 0 if self.checked and not self.bad else 1


def sim_sensors(lines):
    """sensor|NUM|NAME|TYPE|ETYPE|RAW|VALUE|LSB|STATE -> list of dicts"""
    out = []
    for r in sim_records(lines, "sensor"):
        num, name, etype, raw, val, lsb, state = int(r[1], 16), r[2], int(r[4], 16), r[5], r[6], r[7], r[8]
        s = {"num": num, "name": name, "threshold": etype == 0x01, "raw": raw}
        s["value"] = None if val == "na" else float(val)
        s["lsb"] = None if lsb == "na" else float(lsb)
        s["state"] = None if state == "na" else int(state, 16)
        out.append(s)
    return out


def close(a, b, lsb):
    # one raw step, plus what a client's rounding of its printout can add
    return abs(a - b) <= lsb * 1.01 + 0.006


def cmp_ipmitool_sdr(sim, client, c):
    rows = {}
    for l in client:
        f = [x.strip() for x in l.split("|")]
        if len(f) >= 5 and re.fullmatch(r"[0-9A-Fa-f]{2}h", f[1]):
            rows[int(f[1][:2], 16)] = f
    for s in sim_sensors(sim):
        if s["raw"] == "na" and not s["threshold"]:
            continue  # event-only records have no reading line
        f = rows.get(s["num"])
        c.check(f is not None, "sdr elist has no sensor %02xh (%s)" % (s["num"], s["name"]))
        if f is None:
            continue
        c.check(f[0] == s["name"][:16], "sensor %02xh name %r != %r" % (s["num"], f[0], s["name"]))
        if s["threshold"] and s["value"] is not None:
            v = first_float(f[4])
            c.check(v is not None and close(v, s["value"], s["lsb"]),
                    "%s reading %r, simulator %s" % (s["name"], f[4], s["value"]))
            want = "ok" if (s["state"] & THRESHOLD_BITS) == 0 else "not ok"
            got = "ok" if f[2] == "ok" else "not ok"
            c.check(want == got, "%s status %r, simulator state 0x%x" % (s["name"], f[2], s["state"]))


def cmp_ipmitool_sensor(sim, client, c):
    rows = {}
    for l in client:
        f = [x.strip() for x in l.split("|")]
        if len(f) >= 4:
            rows[f[0]] = f
    for s in sim_sensors(sim):
        if s["raw"] == "na" and not s["threshold"]:
            continue
        f = rows.get(s["name"][:16])
        c.check(f is not None, "sensor list has no %r" % s["name"])
        if f is None or not s["threshold"] or s["value"] is None:
            continue
        v = first_float(f[1])
        c.check(v is not None and close(v, s["value"], s["lsb"]),
                "%s reading %r, simulator %s" % (s["name"], f[1], s["value"]))
        want = "ok" if (s["state"] & THRESHOLD_BITS) == 0 else "not ok"
        got = "ok" if f[3] == "ok" else "not ok"
        c.check(want == got, "%s status %r, simulator state 0x%x" % (s["name"], f[3], s["state"]))


def cmp_ipmi_sensors(sim, client, c):
    rows = {}
    for l in client:
        f = [x.strip() for x in l.split("|")]
        if len(f) >= 6 and f[0].isdigit():
            rows[f[1]] = f
    for s in sim_sensors(sim):
        if s["raw"] == "na" and not s["threshold"]:
            continue
        f = rows.get(s["name"])
        c.check(f is not None, "ipmi-sensors has no %r" % s["name"])
        if f is None:
            continue
        if s["threshold"] and s["value"] is not None:
            v = first_float(f[3])
            c.check(v is not None and close(v, s["value"], s["lsb"]),
                    "%s reading %r, simulator %s" % (s["name"], f[3], s["value"]))
            want_ok = (s["state"] & THRESHOLD_BITS) == 0
            c.check(want_ok == (f[5] == "'OK'"), "%s event %s, simulator state 0x%x" % (s["name"], f[5], s["state"]))
        elif not s["threshold"]:
            c.check(f[3] == "N/A", "%s: a discrete sensor with a reading %r" % (s["name"], f[3]))


# dump-fru field -> (ipmitool label, ipmi-fru label)
FRU_LABELS = {
    "chassis_part": ("Chassis Part Number", "FRU Chassis Part Number"),
    "chassis_serial": ("Chassis Serial", "FRU Chassis Serial Number"),
    "board_mfg": ("Board Mfg", "FRU Board Manufacturer"),
    "board_product": ("Board Product", "FRU Board Product Name"),
    "board_serial": ("Board Serial", "FRU Board Serial Number"),
    "board_part": ("Board Part Number", "FRU Board Part Number"),
    "product_mfg": ("Product Manufacturer", "FRU Product Manufacturer Name"),
    "product_name": ("Product Name", "FRU Product Name"),
    "product_part": ("Product Part Number", "FRU Product Part/Model Number"),
    "product_version": ("Product Version", "FRU Product Version"),
    "product_serial": ("Product Serial", "FRU Product Serial Number"),
    "product_asset_tag": ("Product Asset Tag", "FRU Product Asset Tag"),
}


def client_frus(client, tool):
    """{fru id: {label: value}} from ipmitool fru print / ipmi-fru"""
    frus, cur = {}, None
    for l in client:
        if tool == "ipmitool":
            m = re.match(r"FRU Device Description\s*:.*\(ID (\d+)\)", l)
        else:
            m = re.match(r"FRU Inventory Device:.*\(ID ([0-9A-Fa-f]+)h\)", l)
        if m:
            cur = int(m.group(1), 10 if tool == "ipmitool" else 16)
            frus[cur] = {}
            continue
        if cur is None or ":" not in l:
            continue
        k, v = l.split(":", 1)
        frus[cur].setdefault(k.strip(), v.strip())
    return frus


def cmp_fru(sim, client, c, tool):
    got = client_frus(client, tool)
    col = 0 if tool == "ipmitool" else 1
    sim_ids = sorted({int(r[1]) for r in sim_records(sim, "fru")})
    for fid in sim_ids:
        c.check(fid in got, "%s shows no FRU %d" % (tool, fid))
    for r in sim_records(sim, "fru"):
        fid, field, value = int(r[1]), r[2], "|".join(r[3:])
        if field not in FRU_LABELS or value == "" or fid not in got:
            continue
        label = FRU_LABELS[field][col]
        c.check(got[fid].get(label) == value,
                "FRU %d %s: %r, simulator %r" % (fid, label, got[fid].get(label), value))


def sim_count(sim):
    for l in sim:
        if l.startswith("count="):
            return int(l.split("=", 1)[1])
    return -1


def cmp_sel(sim, client, c, tool):
    if tool == "ipmitool":
        n = sum(1 for l in client if re.match(r"\s*[0-9a-fA-F]+ \|", l))
    else:
        n = sum(1 for l in client if re.match(r"\d+\s*\|", l))
    want = sim_count(sim)
    c.check(n == want, "%s lists %d SEL records, simulator %d" % (tool, n, want))
    # every record ID the simulator has appears (ipmitool prints hex, ipmi-sel decimal)
    ids = set()
    for l in client:
        m = re.match(r"\s*([0-9a-fA-F]+)\s*\|", l)
        if m:
            ids.add(int(m.group(1), 16 if tool == "ipmitool" else 10))
    for r in sim_records(sim, "sel"):
        c.check(int(r[1]) in ids, "%s lacks SEL record %s" % (tool, r[1]))


def cmp_mc(sim, client, c):
    dev = {r[1]: r[2] for r in sim_records(sim, "device")}
    field = {}
    for l in client:
        if ":" in l:
            k, v = l.split(":", 1)
            field.setdefault(k.strip(), v.strip())
    c.check(field.get("Manufacturer ID") == dev.get("manufacturer_id"),
            "Manufacturer ID %r, simulator %r" % (field.get("Manufacturer ID"), dev.get("manufacturer_id")))
    pid = field.get("Product ID", "")
    c.check(pid.split(" ")[0] == dev.get("product_id"), "Product ID %r, simulator %r" % (pid, dev.get("product_id")))
    c.check(field.get("Firmware Revision") == dev.get("firmware"),
            "Firmware Revision %r, simulator %r" % (field.get("Firmware Revision"), dev.get("firmware")))
    c.check(field.get("IPMI Version") == dev.get("ipmi_version"),
            "IPMI Version %r, simulator %r" % (field.get("IPMI Version"), dev.get("ipmi_version")))
    if "System GUID" in field:
        # ipmitool 1.8.19 guesses the encoding: the IPMI order (all 16 bytes
        # LS first) or SMBIOS order (first three fields LS first)
        raw = bytes.fromhex(dev.get("guid_raw", "00" * 16))
        ipmi = raw[::-1].hex()
        smbios = raw[3::-1].hex() + raw[5:3:-1].hex() + raw[7:5:-1].hex() + raw[8:].hex()
        forms = {"%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:]) for h in (ipmi, smbios)}
        c.check(field["System GUID"].lower() in forms,
                "System GUID %r, simulator %r" % (field["System GUID"], sorted(forms)))


def cmp_bmc_info(sim, client, c):
    """bmc-info --guid prints the IPMI-order GUID, like ipmi_guid_format()"""
    dev = {r[1]: r[2] for r in sim_records(sim, "device")}
    got = [l.strip().lower() for l in client if re.fullmatch(r"\s*[0-9a-fA-F-]{36}\s*", l)]
    c.check(got == [dev.get("guid")], "bmc-info --guid %r, simulator %r" % (got, dev.get("guid")))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    kind, sim, client = sys.argv[1], read(sys.argv[2]), read(sys.argv[3])
    c = Checker()
    if kind == "ipmitool-sdr":
        cmp_ipmitool_sdr(sim, client, c)
    elif kind == "ipmitool-sensor":
        cmp_ipmitool_sensor(sim, client, c)
    elif kind == "ipmi-sensors":
        cmp_ipmi_sensors(sim, client, c)
    elif kind in ("ipmitool-fru", "ipmi-fru"):
        cmp_fru(sim, client, c, kind.split("-")[0])
    elif kind in ("ipmitool-sel", "ipmi-sel"):
        cmp_sel(sim, client, c, kind.split("-")[0])
    elif kind == "ipmitool-mc":
        cmp_mc(sim, client, c)
    elif kind == "bmc-info":
        cmp_bmc_info(sim, client, c)
    else:
        print(__doc__)
        return 2
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
