"""Parsers for FreeIPMI 1.6.10 output (stdlib only), for the oracle tests.

The commands, as the tests run them (common options: -D LAN_2_0
-h 127.0.0.1:PORT -u admin -p password -l ADMIN -I 3 -W opensesspriv
--sdr-cache-directory=DIR --quiet-cache):

    ipmi-sensors --no-header-output --comma-separated-output
        --non-abbreviated-units --output-sensor-state
        --shared-sensors                                  parse_sensors_csv()
    ... the same plus --output-event-bitmask              parse_sensors_csv()
    ipmi-sensors -vv --shared-sensors                     parse_sensors_verbose()
    ipmi-fru                                              parse_fru()
    ipmi-sel -vv --comma-separated-output --no-header-output
        --output-manufacturer-id --non-abbreviated-units  parse_sel_csv()
    ipmi-sel --hex-dump                                   parse_sel_hexdump()

Text is expected as str decoded from latin-1 (ipmi-fru writes 8-bit FRU
strings as raw bytes).
"""
import re

THRESHOLD_KEYS = ("lnr", "lc", "lnc", "unc", "uc", "unr")

# ipmi-sensors --output-sensor-state words -> our status words
STATE = {"Nominal": "ok", "Warning": "warning", "Critical": "critical", "N/A": None}


def _num(text):
    text = text.strip()
    if text in ("", "N/A"):
        return None
    return float(text)


def split_events(text):
    """"'A' 'B'" -> ["A", "B"]; "'OK'" and "N/A" -> []."""
    text = text.strip()
    if text in ("", "N/A", "'OK'"):
        return []
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].split("' '")
    return [text]


def parse_sensors_csv(text, thresholds=False):
    """One dict per line: record_id, name (exactly as printed), type_name,
    state (our word or None), reading, units, event (the last column: the
    quoted event list, or "0040h" with --output-event-bitmask), and with
    thresholds=True (--output-sensor-thresholds) thresholds{}.  The event
    column is last and may hold commas, so the column count must be known."""
    ncols = 13 if thresholds else 7
    out = []
    for line in text.splitlines():
        cols = line.split(",", ncols - 1)
        if len(cols) != ncols or not cols[0].isdigit():
            continue
        rec = {
            "record_id": int(cols[0]),
            "name": cols[1],
            "type_name": cols[2],
            "state_word": cols[3],
            "state": STATE.get(cols[3], cols[3]),
            "reading": _num(cols[4]),
            "reading_text": cols[4],
            "units": cols[5],
            "event": cols[-1],
        }
        if thresholds:
            rec["thresholds"] = {k: _num(v) for k, v in zip(THRESHOLD_KEYS, cols[6:12])}
        m = re.fullmatch(r"([0-9A-Fa-f]{4})h", cols[-1].strip())
        rec["bitmask"] = int(m.group(1), 16) if m else None
        rec["events"] = split_events(cols[-1]) if rec["bitmask"] is None else None
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


def parse_sensors_verbose(text):
    """`ipmi-sensors -vv`: one dict per record (shared sensors: one per
    sensor) with every "Key: value" line; keys that repeat (Sensor Event,
    Assertion Event Enabled, ...) hold lists.  Derived fields: record_id,
    record_type (code), name (ID String as printed, trailing blanks kept),
    type_code, type_name, number, owner, lun, entity_id, entity_instance,
    event_type, reading (float or None), thresholds {lnr..unr: float or None}
    (-vv prints them with 6 decimals; has_threshold_lines tells whether the
    record printed any), events [].  A record whose reading failed prints
    neither reading nor threshold lines."""
    out = []
    for block in _blocks(text):
        kv = {}
        for line in block:
            m = re.match(r"^([^:]+): ?(.*)$", line)
            if not m:
                continue
            k, v = m.group(1), m.group(2)
            kv.setdefault(k, []).append(v)
        if "Record ID" not in kv:
            continue

        def one(key, kv=kv):
            v = kv.get(key)
            return v[0] if v else None

        rec = {"kv": kv, "record_id": int(one("Record ID"))}
        m = re.search(r"\(([0-9A-Fa-f]+)h\)$", one("Record Type") or "")
        rec["record_type"] = int(m.group(1), 16) if m else None
        rec["name"] = one("ID String")
        st = re.match(r"^(.*) \(([0-9A-Fa-f]+)h\)$", one("Sensor Type") or "")
        if st:
            rec["type_name"], rec["type_code"] = st.group(1), int(st.group(2), 16)
        for key, field in (("Sensor Number", "number"), ("Entity Instance", "entity_instance")):
            v = one(key)
            rec[field] = int(v) if v is not None and v.isdigit() else None
        for key, field in (("Sensor Owner ID", "owner"), ("Sensor Owner LUN", "lun"),
                           ("Event/Reading Type Code", "event_type")):
            v = one(key)
            rec[field] = int(v[:-1], 16) if v and v.endswith("h") else None
        e = re.search(r"\((\d+)\)$", one("Entity ID") or "")
        rec["entity_id"] = int(e.group(1)) if e else None
        r = one("Sensor Reading")
        rm = re.match(r"^(-?[0-9.]+)", r or "")
        rec["reading"] = float(rm.group(1)) if rm else None
        rec["thresholds"] = {}
        for key, label in (("lnr", "Lower Non-Recoverable"), ("lc", "Lower Critical"),
                           ("lnc", "Lower Non-Critical"), ("unc", "Upper Non-Critical"),
                           ("uc", "Upper Critical"), ("unr", "Upper Non-Recoverable")):
            t = one(label + " Threshold")
            tm = re.match(r"^(-?[0-9.]+)", t or "")
            rec["thresholds"][key] = float(tm.group(1)) if tm else None
        rec["has_threshold_lines"] = one("Upper Critical Threshold") is not None
        events = []
        for ev in kv.get("Sensor Event", []):
            events.extend(split_events(ev))
        rec["events"] = events
        out.append(rec)
    return out


# ---- FRU --------------------------------------------------------------------------

FRU_LABELS = {
    "FRU Chassis Type": ("chassis", "type"),
    "FRU Chassis Part Number": ("chassis", "part_number"),
    "FRU Chassis Serial Number": ("chassis", "serial_number"),
    "FRU Chassis Custom Info": ("chassis", "custom"),
    "FRU Board Manufacturing Date/Time": ("board", "mfg_datetime"),
    "FRU Board Manufacturer": ("board", "manufacturer"),
    "FRU Board Product Name": ("board", "product_name"),
    "FRU Board Serial Number": ("board", "serial_number"),
    "FRU Board Part Number": ("board", "part_number"),
    "FRU Board Custom Info": ("board", "custom"),
    "FRU Product Manufacturer Name": ("product", "manufacturer"),
    "FRU Product Name": ("product", "name"),
    "FRU Product Part/Model Number": ("product", "part_number"),
    "FRU Product Version": ("product", "version"),
    "FRU Product Serial Number": ("product", "serial_number"),
    "FRU Product Asset Tag": ("product", "asset_tag"),
    "FRU Product Custom Info": ("product", "custom"),
}

# first label of each MultiRecord block -> record type ID (FRU spec Table 16-2)
FRU_MR_FIRST = {
    "FRU Power Supply Overall Capacity": 0x00,
    "FRU DC Output Output Number": 0x01,
    "FRU DC Load Output Number": 0x02,
    "FRU Management Access": 0x03,
    "FRU Base Compatibility Manufacturer ID": 0x04,
    "FRU Extended Compatibility Manufacturer ID": 0x05,
    "FRU OEM Manufacturer ID": 0xC0,
}


def parse_fru(text):
    """`ipmi-fru`: [{id, name, areas{chassis,board,product: {field: value,
    custom: []}}, file_ids [], multirecords [{type, fields{label: value}}],
    errors []}].  "FRU FRU File ID" lines are kept in file_ids (the bridge
    does not report them).  A field FreeIPMI could not decode is kept as
    its "Error '...'" text."""
    out = []
    cur = None
    mr = None
    for line in text.splitlines():
        m = re.match(r"^FRU Inventory Device: (.*) \(ID ([0-9A-Fa-f]+)h\)\s*$", line)
        if m:
            cur = {"id": int(m.group(2), 16), "name": m.group(1), "areas": {},
                   "file_ids": [], "multirecords": [], "errors": []}
            out.append(cur)
            mr = None
            continue
        if cur is None:
            continue
        if not line.strip():
            mr = None
            continue
        kv = re.match(r"^  (FRU [^:]+?): (.*)$", line)
        if not kv:
            cur["errors"].append(line.strip())
            continue
        label, val = kv.group(1), kv.group(2)
        if label in FRU_LABELS:
            area, field = FRU_LABELS[label]
            a = cur["areas"].setdefault(area, {"custom": []})
            if field == "custom":
                a["custom"].append(val)
            else:
                a[field] = val
            continue
        if label == "FRU FRU File ID":
            cur["file_ids"].append(val)
            continue
        if mr is None:
            rtype = None
            for first, t in FRU_MR_FIRST.items():
                if label.startswith(first):
                    rtype = t
            mr = {"type": rtype, "fields": {}}
            cur["multirecords"].append(mr)
        mr["fields"][label] = val
    return out


# ---- SEL -----------------------------------------------------------------------------

def parse_sel_csv(text):
    """`ipmi-sel -vv --comma-separated-output ...`: [{record_id, date, time,
    name, type_name, direction_text, event}] (event = the rest of the line,
    which may contain commas)."""
    out = []
    for line in text.splitlines():
        cols = line.split(",", 6)
        if len(cols) != 7 or not cols[0].isdigit():
            continue
        out.append({"record_id": int(cols[0]), "date": cols[1], "time": cols[2],
                    "name": cols[3], "type_name": cols[4], "direction_text": cols[5],
                    "event": cols[6]})
    return out


def parse_sel_hexdump(text):
    """`ipmi-sel --hex-dump`: {record_id: 16 raw bytes} (every record type is
    printed with the system event record's labels; the bytes are what count)."""
    out = {}
    for line in text.splitlines():
        vals = re.findall(r"\[([0-9A-Fa-f]{2})\]", line)
        if len(vals) != 16:
            continue
        raw = bytes(int(v, 16) for v in vals)
        out[raw[0] | (raw[1] << 8)] = raw
    return out
