"""Parsers for ipmitool 1.8.19 output (stdlib only), for the oracle tests.

Each parser takes the text a command printed and returns plain records
(dicts); nothing here runs ipmitool.  The commands, as the tests run them:

    ipmitool -I lanplus ... sdr elist all      parse_sdr_elist()
    ipmitool -I lanplus ... sensor             parse_sensor()
    ipmitool -I lanplus ... -v sdr list all    parse_sdr_verbose()
    ipmitool -I lanplus ... fru print          parse_fru_print()
    ipmitool -I lanplus ... -v fru print N     parse_fru_multirecords()
    ipmitool -I lanplus ... sel list           parse_sel_list()
    ipmitool -I lanplus ... sel elist          parse_sel_elist()

Text is expected as str decoded from latin-1 (ipmitool writes FRU strings
as raw bytes: 8-bit/Latin-1 fields come out as single bytes, not UTF-8).
"""
import re

THRESHOLD_KEYS = ("lnr", "lc", "lnc", "unc", "uc", "unr")

# ipmitool's status words (sdr elist column 3) -> our status
ELIST_STATUS = {
    "ok": "ok",
    "lnc": "warning", "unc": "warning",
    "lcr": "critical", "ucr": "critical",
    "lnr": "nonrecoverable", "unr": "nonrecoverable",
    "ns": "unavailable",
}


def _num(text):
    """A number ipmitool printed, or None for na/blank."""
    text = text.strip()
    if text in ("", "na", "N/A"):
        return None
    return float(text)


def parse_sdr_elist(text):
    """`sdr elist all`: name | NNh | status | entity.instance | reading or states.

    Returns [{name, number, status_word, entity_id, entity_instance, text}].
    ipmitool prints the name padded to 16 columns; trailing blanks of the ID
    string itself cannot be told from the padding, so names are right-stripped.
    """
    out = []
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != 5:
            continue
        name, num, status, entity, value = (p.strip() for p in parts)
        m = re.fullmatch(r"([0-9A-Fa-f]{2})h", num)
        e = re.fullmatch(r"(\d+)\.(\d+)", entity)
        if not m or not e:
            continue
        out.append({
            "name": parts[0].rstrip(),
            "number": int(m.group(1), 16),
            "status_word": status,
            "entity_id": int(e.group(1)),
            "entity_instance": int(e.group(2)),
            "text": value,
        })
    return out


def parse_sensor(text):
    """`sensor`: name | reading | units | status | lnr | lc | lnc | unc | uc | unr.

    Threshold sensors: reading is a float (None for "na"), status a word
    (ok, nc, cr, nr, na).  Discrete sensors: reading "0x.." (the state byte),
    units "discrete", status "0xAABB" = state bytes 1 and 2 of Get Sensor
    Reading; `bits` holds them as one number (offset 0 = bit 0).
    """
    out = []
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != 10:
            continue
        name = parts[0].rstrip()
        f = [p.strip() for p in parts[1:]]
        rec = {"name": name, "units": f[1], "status_word": f[2],
               "thresholds": {}, "discrete": f[1] == "discrete"}
        if rec["discrete"]:
            rec["reading"] = None
            m = re.fullmatch(r"0x([0-9a-fA-F]{2})([0-9a-fA-F]{2})", f[2])
            rec["bits"] = (int(m.group(1), 16) | (int(m.group(2), 16) << 8)) if m else None
        else:
            rec["reading"] = _num(f[0])
            rec["reading_text"] = f[0]
            rec["bits"] = None
        for key, val in zip(THRESHOLD_KEYS, f[3:]):
            rec["thresholds"][key] = _num(val)
            rec.setdefault("threshold_text", {})[key] = val
        out.append(rec)
    return out


def _blocks(text):
    block = []
    for line in text.splitlines():
        if not line.strip():
            if block:
                yield block
            block = []
        else:
            block.append(line)
    if block:
        yield block


def parse_sdr_verbose(text):
    """`-v sdr list all`: one block per record.  Sensor records only:
    [{name, number, entity_id, entity_instance, entity_name, type_name,
      type_code, category (Threshold|Discrete|None), reading_text, status,
      states_asserted [..]}]."""
    out = []
    for block in _blocks(text):
        m = re.match(r"^Sensor ID\s*:\s(.*) \((0x[0-9a-fA-F]+)\)\s*$", block[0])
        if not m:
            continue
        rec = {"name": m.group(1).rstrip(), "raw_name": m.group(1), "number": int(m.group(2), 16),
               "category": None, "states_asserted": []}
        key = None
        for line in block[1:]:
            kv = re.match(r"^\s*([^:\[]+?)\s*:\s?(.*)$", line)
            cont = re.match(r"^\s+\[(.*)\]\s*$", line)
            if cont and key:
                if key == "States Asserted":
                    rec["states_asserted"].append(cont.group(1))
                continue
            if not kv:
                continue
            key, val = kv.group(1), kv.group(2).strip()
            t = re.match(r"^Sensor Type(?: \((Threshold|Discrete)\))?$", key)
            if t:
                rec["category"] = t.group(1)
                tm = re.match(r"^(.*) \((0x[0-9a-fA-F]+)\)$", val)
                if tm:
                    rec["type_name"] = tm.group(1)
                    rec["type_code"] = int(tm.group(2), 16)
            elif key == "Entity ID":
                em = re.match(r"^(\d+)\.(\d+) \((.*)\)$", val)
                if em:
                    rec["entity_id"], rec["entity_instance"] = int(em.group(1)), int(em.group(2))
                    rec["entity_name"] = em.group(3)
            elif key == "Sensor Reading":
                rec["reading_text"] = val
            elif key == "Status":
                rec["status"] = val
            elif key == "States Asserted":
                # first line names the sensor type; the states follow as [..] lines
                pass
        out.append(rec)
    return out


# ---- FRU ----------------------------------------------------------------------

FRU_LABELS = {
    "Chassis Type": ("chassis", "type"),
    "Chassis Part Number": ("chassis", "part_number"),
    "Chassis Serial": ("chassis", "serial_number"),
    "Chassis Extra": ("chassis", "custom"),
    "Board Mfg Date": ("board", "mfg_datetime"),
    "Board Mfg": ("board", "manufacturer"),
    "Board Product": ("board", "product_name"),
    "Board Serial": ("board", "serial_number"),
    "Board Part Number": ("board", "part_number"),
    "Board Extra": ("board", "custom"),
    "Product Manufacturer": ("product", "manufacturer"),
    "Product Name": ("product", "name"),
    "Product Part Number": ("product", "part_number"),
    "Product Version": ("product", "version"),
    "Product Serial": ("product", "serial_number"),
    "Product Asset Tag": ("product", "asset_tag"),
    "Product Extra": ("product", "custom"),
}


def parse_fru_print(text):
    """`fru print`: one block per FRU device.
    [{id, name, areas: {chassis: {...}, board: {...}, product: {...}}}].
    Field values are kept exactly (no stripping of the value's own trailing
    blanks: ipmitool prints them).  Empty fields are not printed by ipmitool,
    so they are absent here.  Custom fields ("Extra") become lists."""
    out = []
    cur = None
    for line in text.splitlines():
        m = re.match(r"^FRU Device Description : (.*) \(ID (\d+)\)\s*$", line)
        if m:
            cur = {"id": int(m.group(2)), "name": m.group(1), "areas": {}, "errors": []}
            out.append(cur)
            continue
        if cur is None:
            continue
        kv = re.match(r"^ (\S[^:]*?)\s*: (.*)$", line)
        if not kv:
            if line.strip():
                cur["errors"].append(line.strip())
            continue
        label, val = kv.group(1), kv.group(2)
        if label not in FRU_LABELS:
            cur["errors"].append(line.strip())
            continue
        area, field = FRU_LABELS[label]
        a = cur["areas"].setdefault(area, {"custom": []})
        if field == "custom":
            a["custom"].append(val)
        else:
            a[field] = val
    return out


def parse_fru_multirecords(text):
    """`-v fru print N`: the multirecord section titles ipmitool knows
    (" Power Supply Record", " DC Output Record", " DC Load Record",
    "  OEM (...) Record") with their "  Key : value" lines.
    [{title, fields: {key: value}}]."""
    out = []
    cur = None
    for line in text.splitlines():
        m = re.match(r"^\s{1,2}(Power Supply Record|DC Output Record|DC Load Record|OEM \(.*\) Record)\s*$", line)
        if m:
            cur = {"title": m.group(1), "fields": {}}
            out.append(cur)
            continue
        kv = re.match(r"^\s{2,}(\S[^:]*?)\s*: (.*)$", line)
        if cur is not None and kv:
            cur["fields"][kv.group(1)] = kv.group(2).strip()
    return out


# ---- SEL ------------------------------------------------------------------------

def _sel_split(line):
    return [p.strip() for p in line.split("|")]


def parse_sel_list(text):
    """`sel list` (no SDR lookups): id | date | time | "Type #0xNN" | event | direction.
    Used to learn each record's sensor type text, which `sel elist` prefixes
    to the sensor name.  {id: {type_text, number}} for system event records."""
    out = {}
    for line in text.splitlines():
        p = _sel_split(line)
        if len(p) < 5 or not re.fullmatch(r"[0-9a-fA-F]+", p[0]):
            continue
        if p[3].startswith("OEM record"):
            continue
        # ipmitool leaves out "#0x00" for sensor number 0
        m = re.match(r"^(.*) #0x([0-9a-fA-F]{2})$", p[3])
        if m:
            out[int(p[0], 16)] = {"type_text": m.group(1), "number": int(m.group(2), 16)}
        else:
            out[int(p[0], 16)] = {"type_text": p[3], "number": 0}
    return out


def parse_sel_elist(text, types):
    """`sel elist`.  System event records:
        id | date | time | "Type Name" | event | Asserted/Deasserted [| reading]
    OEM timestamped: id | date | time | OEM record XX | mfr | data
    OEM non-timestamped: id | OEM record XX | data
    `types` is parse_sel_list()'s result, used to split "Type Name".
    Returns [{record_id, kind, ...}] with the record ID parsed from hex."""
    out = []
    for line in text.splitlines():
        p = _sel_split(line)
        if len(p) < 3 or not re.fullmatch(r"[0-9a-fA-F]+", p[0]):
            continue
        rid = int(p[0], 16)
        if len(p) == 3 and p[1].startswith("OEM record"):
            out.append({"record_id": rid, "kind": "oem_nots",
                        "record_type": int(p[1].split()[-1], 16), "data": p[2]})
            continue
        if len(p) >= 6 and p[3].startswith("OEM record"):
            out.append({"record_id": rid, "kind": "oem_ts", "date": p[1], "time": p[2],
                        "record_type": int(p[3].split()[-1], 16), "manufacturer": p[4],
                        "data": p[5]})
            continue
        if len(p) < 6:
            continue
        sensor = p[3]
        t = types.get(rid)
        name = None
        if t and sensor.startswith(t["type_text"] + " "):
            name = sensor[len(t["type_text"]) + 1:]
        out.append({"record_id": rid, "kind": "system", "date": p[1], "time": p[2],
                    "sensor_text": sensor, "type_text": t["type_text"] if t else None,
                    "sensor_name": name, "event": p[4], "direction": p[5],
                    "reading": p[6] if len(p) > 6 else ""})
    return out
