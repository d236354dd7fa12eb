#!/usr/bin/env python3
"""oracle_compare.py - compare ipmitool, FreeIPMI and the bridge (stdlib only).

    oracle_compare.py sensors DIR [BRIDGE-JSON BMC-INDEX]
    oracle_compare.py fru DIR [BRIDGE-JSON BMC-INDEX]
    oracle_compare.py sel DIR [BRIDGE-JSON BMC-INDEX]

DIR holds the clients' output as tests/lib/oracle.sh's oracle_collect
writes it.  Without a bridge JSON file the tools are only checked against
each other (and against a few values the fixture defines); with one, the
bridge's `sensors` / `fru` / `sel` array of bmcs[BMC-INDEX] is compared with
the expectation built from the tools, field by field (the cross-checks are
then repeated silently: only a failure among them is printed).  The
expectation is also written to DIR/expected-<what>.json for people reading
a failure.

Output: "ok - ..." / "not ok - ..." lines with "#   " details, as
tests/lib/common.sh prints them (run_checks there counts them).  Exit
status 0 unless the input could not be read at all (2).

Where the two clients agree, the comparison is strict; where they disagree
(DISAGREEMENTS below; each one is itself checked, so a client that changes
its behaviour shows up), the comment says which one we follow and why.
"""
import json
import math
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_freeipmi as fi  # noqa: E402
import oracle_ipmitool as it  # noqa: E402

THRESHOLD_KEYS = ("lnr", "lc", "lnc", "unc", "uc", "unr")
# Get Sensor Reading byte 3 bit -> threshold (IPMI 2.0 section 35.14)
COMPARISON_BITS = ("lnc", "lc", "lnr", "unc", "uc", "unr")
# worst first, as ipmitool picks its status word
WORST_ORDER = ("lnr", "unr", "lc", "uc", "lnc", "unc")
THRESHOLD_STATUS = {"lnr": "nonrecoverable", "unr": "nonrecoverable", "lc": "critical",
                    "uc": "critical", "lnc": "warning", "unc": "warning"}
# names a bridge may give a crossed threshold in `states`: our keys,
# ipmitool's short words and ipmitool's long status words
THRESHOLD_NAMES = {
    **{k: k for k in THRESHOLD_KEYS},
    "lcr": "lc", "ucr": "uc",
    "lower non-recoverable": "lnr", "lower critical": "lc", "lower non-critical": "lnc",
    "upper non-critical": "unc", "upper critical": "uc", "upper non-recoverable": "unr",
}
EPS = 1e-9
# Readings and thresholds must agree with what the clients print to within
# ipmitool's precision (3 decimals, i.e. +/-0.0005); FreeIPMI's -vv values
# (6 decimals) get the same allowance plus their own rounding.  Much finer
# than any SDR's resolution, so an off-by-one raw value or a wrong factor
# always shows.
TOL_IPMITOOL = 0.0005
TOL_FREEIPMI = 0.0005 + 5e-7


# ---- output ---------------------------------------------------------------------

class Checks:
    """quiet=True: passes are not printed (the tool cross-checks when a
    bridge comparison follows: the test printed them in its first stage)."""

    def __init__(self, quiet=False):
        self.passed = 0
        self.failed = 0
        self.quiet = quiet

    def ok(self, cond, msg, *details):
        if cond:
            self.passed += 1
            if not self.quiet:
                print(f"ok - {msg}")
        else:
            self.failed += 1
            print(f"not ok - {msg}")
            for d in details:
                for line in str(d).splitlines() or [""]:
                    print(f"#   {line}")
        return cond

    def eq(self, got, exp, msg):
        return self.ok(got == exp, msg, f"expected: {exp!r}", f"     got: {got!r}")

    @staticmethod
    def note(msg):
        for line in str(msg).splitlines():
            print(f"# {line}")


def read(dirname, name):
    path = os.path.join(dirname, name)
    with open(path, encoding="latin-1") as f:
        return f.read()


def norm(text):
    """Lower case letters and digits only: for comparing wordings."""
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def close(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol + EPS


def load_bridge(path, index, what):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    bmc = doc["bmcs"][int(index)]
    return bmc.get(what, "<missing>"), bmc


# =================================================================================
# Sensors
# =================================================================================
#
# DISAGREEMENTS between ipmitool 1.8.19 and FreeIPMI 1.6.10 on this fixture,
# and what we follow:
#
#  S1 Cube root linearization (0Bh): FreeIPMI prints 0.00 for Cbrt Sensor
#     (raw 125); ipmitool prints 5.000 = cbrt(125).  We follow ipmitool: it
#     is the formula of IPMI 2.0 section 36.3.
#  S2 Sensor on LUN 1 (LUN1 Temp, sensor 1, owner LUN 1): FreeIPMI shows no
#     reading and asks LUN 0 for the thresholds, getting CPU Temp's
#     (75/85/95); ipmitool reads LUN 1 (33 C, unc 70).  Likewise for the
#     sensor owned by controller 30h (Remote Temp): FreeIPMI reads no value
#     but asks the BMC for sensor 1's thresholds; ipmitool has neither.  We
#     follow ipmitool: the SDR's owner address and LUN address the sensor.
#  S3 "Fixed" thresholds (Fixed Thr Temp: threshold access 11b, values only
#     in the SDR): ipmitool asks Get Sensor Thresholds, gets an error and
#     prints "na"; FreeIPMI falls back to the SDR (unc 50, uc 60).  We follow
#     FreeIPMI: for access 11b the spec says the thresholds are fixed and in
#     the SDR, not returned by the command.
#  S4 Shared sensors (compact records with a share count): ipmitool shows
#     only the first sensor of each record, with the bare ID string ("DIMM");
#     FreeIPMI --shared-sensors reads every one, names them ID string + blank
#     + modifier like the spec's example (IPMI 2.0 table 43-2, bytes 24/25:
#     "Temp" -> "Temp 5, Temp 6, Temp 7"; alpha: A..Z, then AA), but gets the
#     alpha modifier wrong ("DIMM A" for all four: it uses the modifier type
#     instead of the offset) and -vv does not add the entity instance
#     increment.  We follow the spec: "DIMM A".."DIMM D", "Slot 1", "Slot 2",
#     entity instance + index when the record says so; readings and states
#     from FreeIPMI, which reads every shared sensor.
#  S5 Threshold status: FreeIPMI's --output-sensor-state calls a crossed
#     non-critical threshold "Nominal" and both critical and non-recoverable
#     "Critical"; ipmitool's status column (ok/lnc/unc/lcr/ucr/lnr/unr/ns)
#     is exact.  We follow ipmitool.
#  S6 Discrete status: ipmitool's status column says "ok" for every readable
#     discrete sensor, so it cannot be the oracle; FreeIPMI's state is its
#     interpretation file (freeipmi_interpret_sensor.conf).  We follow
#     FreeIPMI except DISCRETE_STATUS below.
#  S7 Units: FreeIPMI writes "kPA" and "%" (percentage), ipmitool "kPa" and
#     "percent".  We follow ipmitool.  For a sensor without a reading
#     ipmitool prints no units at all; FreeIPMI still prints the SDR's units,
#     which we follow (units are a property of the SDR, not of the reading).
#  S8 Type names: the clients word several differently ("Other" vs "Other
#     Units Based Sensor", "Management Subsys Health" vs "Management
#     Subsystem Health", "Drive Slot / Bay" vs "Drive Slot").  The type code
#     is compared strictly; the name must be one of the two wordings
#     (letters and digits compared).
#  S9 State names: the clients word discrete states differently ("Correctable
#     ECC" vs "Correctable memory error", "Drive Present" vs "Drive
#     Presence").  We follow ipmitool's names; FreeIPMI's event bitmask must
#     have the same bits.
#  S10 Event-only sensors (type 03h records) have no reading: ipmi-sensors,
#     `ipmitool sdr elist` and `ipmitool sensor` do not list them (only
#     `ipmitool sdr elist all` does, as "Event-Only").  We follow the sensor
#     listings: the bridge must not list them either.

# Discrete status where we do not follow FreeIPMI's interpretation (S6)
DISCRETE_STATUS = {
    "Board Switch": ("ok", "generic 03h 'State Asserted' says nothing about severity; "
                     "FreeIPMI's default file calls Module/Board State Asserted Critical"),
    "Card Avail": ("warning", "FreeIPMI has no rule for Add-in Card availability (N/A); "
                   "'Transition to Degraded' is a degraded state: warning"),
    "Riser Present": ("ok", "FreeIPMI has no rule for Add-in Card presence (N/A); "
                      "'Device Present' is the normal state"),
}

# Values the fixture defines (sim.emu / sensors.sdrs), to check the parsers
# and the clients before anything is compared with the bridge.
FIXTURE_READINGS = {
    "CPU Temp": 45.0, "FAN2": 840.0, "12V": 12.0, "Ambient Neg": -25.0, "BBU Current": -1.2,
    "Log10 Sensor": 3.0, "Log2 Sensor": 6.0, "Inverse Sensor": 0.25, "Sqr Sensor": 151.29,
    "Cube Sensor": 15.625, "Sqrt Sensor": math.sqrt(200), "Cbrt Sensor": 5.0,
    "Ln Sensor": math.log(20), "Exp Sensor": math.exp(2.3), "Exp10 Sensor": 10 ** 1.5,
    "Exp2 Sensor": 2 ** 8.5, "P5V Aux": 5.0, "Airflow": 27.5, "PSU Input Power": 530.0,
    "Pressure": 100.05, "Humidity": 45.0, "LUN1 Temp": 33.0,
}
FIXTURE_UNAVAILABLE = ("Scan Off Temp", "No Reading", "Remote Temp")
FIXTURE_EVENT_ONLY = ("Watchdog", "Sys Event")


def modifier_text(kind, value):
    """ID string instance modifier (IPMI 2.0 table 43-2): numeric = the
    decimal number, alpha = A..Z, then two letters (AA = 26) like a
    spreadsheet column."""
    if kind == "numeric":
        return str(value)
    letters = ""
    value += 1
    while value > 0:
        value, r = divmod(value - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


def build_sensors(d, c):
    """Cross-check the clients and return the expected sensor list."""
    fv = fi.parse_sensors_verbose(read(d, "freeipmi-sensors-verbose.txt"))
    fcsv = fi.parse_sensors_csv(read(d, "freeipmi-sensors.txt"))
    fbits = fi.parse_sensors_csv(read(d, "freeipmi-sensors-bitmask.txt"))
    elist = it.parse_sdr_elist(read(d, "ipmitool-sdr-elist.txt"))
    sensor = it.parse_sensor(read(d, "ipmitool-sensor.txt"))
    verbose = it.parse_sdr_verbose(read(d, "ipmitool-sdr-verbose.txt"))

    c.ok(len(fv) > 0 and len(fcsv) > 0 and len(elist) > 0 and len(sensor) > 0 and len(verbose) > 0,
         "every client produced output the parsers understand",
         f"ipmi-sensors -vv {len(fv)}, csv {len(fcsv)}, sdr elist {len(elist)}, "
         f"sensor {len(sensor)}, -v sdr list {len(verbose)}")
    c.eq(len(fbits), len(fcsv), "ipmi-sensors with and without --output-event-bitmask list the same sensors")

    # FreeIPMI: sensor records only (full, compact, event-only)
    records = [r for r in fv if r["record_type"] in (1, 2, 3)]
    readable = [r for r in records if r["record_type"] in (1, 2)]
    c.eq([r["record_id"] for r in fcsv], [r["record_id"] for r in readable],
         "ipmi-sensors CSV and -vv agree on the readable sensors, shared ones expanded")
    for r, row, brow in zip(readable, fcsv, fbits):
        r["csv"] = row
        r["bitmask"] = brow["bitmask"]

    by_name = {}
    for src, rows in (("elist", elist), ("sensor", sensor), ("verbose", verbose)):
        for row in rows:
            if row["name"] in by_name.get(src, {}):
                c.ok(False, f"ipmitool {src}: sensor name '{row['name']}' is unique")
            by_name.setdefault(src, {})[row["name"]] = row
    # (sdr elist all also lists the locator records; -v sdr list only sensors)
    c.eq(sorted(set(by_name["verbose"]) - set(by_name["elist"])), [],
         "ipmitool sdr elist all lists every sensor of -v sdr list all")

    # learn ipmitool's state names per (sensor type, event type, offset) from
    # the sensors it shows: `sensor` gives the bits, -v sdr list the names
    state_names = {}
    expected = []
    share_index = {}
    for r in records:
        k = share_index.get(r["record_id"], 0)
        share_index[r["record_id"]] = k + 1
        kv = r["kv"]
        share = int((kv.get("Share Count") or ["0"])[0] or 0)
        raw_name = r["name"] or ""
        base = raw_name.rstrip()
        e = {"record_id": r["record_id"], "record_type": r["record_type"], "share_index": k,
             "number": r["number"], "owner": r["owner"], "lun": r["lun"],
             "type": r.get("type_code"), "event_type": r["event_type"],
             "entity_id": r["entity_id"], "entity_instance": r["entity_instance"],
             "notes": []}
        if share > 1:
            mtype = (kv.get("ID String Instance Modifier Type") or ["Numeric"])[0].lower()
            moff = int((kv.get("ID String Instance Modifier Offset") or ["0"])[0])
            e["name"] = raw_name + " " + modifier_text("alpha" if mtype.startswith("alpha") else "numeric", moff + k)
            incr = "increment" in (kv.get("Entity Instance Sharing") or [""])[0].lower()
            if incr:
                e["entity_instance"] = r["entity_instance"] + k
            e["notes"].append("S4: shared sensor, name and entity instance per the spec")
            shown = r["csv"]["name"]
            # document FreeIPMI's naming (S4): the text after collapsing blanks
            if mtype.startswith("alpha") and k > 0:
                c.eq(shown, raw_name + " " + modifier_text("alpha", moff),
                     f"S4 (documented): FreeIPMI names alpha shared sensor #{k} of '{base}' like "
                     f"the first one, we expect '{e['name']}'")
            else:
                c.eq(shown, e["name"], f"S4: FreeIPMI's name for shared sensor '{e['name']}'")
            c.eq(r["number"], records[records.index(r) - k]["number"] + k,
                 f"FreeIPMI reads shared sensor '{e['name']}' as number base + {k}")
        else:
            e["name"] = raw_name
        expected.append(e)
        name = e["name"]
        iv = by_name["verbose"].get(base) if k == 0 else None
        iel = by_name["elist"].get(base) if k == 0 else None
        isen = by_name["sensor"].get(base) if k == 0 else None
        e["_ipmitool"] = (iv, iel, isen)

        # ---- identity: number, type, entity --------------------------------
        if iv is not None:
            c.eq(iv["number"], r["number"], f"'{name}': both clients agree on the sensor number")
            c.eq(iv.get("type_code"), r.get("type_code"), f"'{name}': both clients agree on the sensor type code")
            same = norm(iv.get("type_name")) == norm(r.get("type_name"))
            c.ok(True, f"'{name}': type name ipmitool '{iv.get('type_name')}' / FreeIPMI "
                       f"'{r.get('type_name')}'" + ("" if same else " (S8: worded differently)"))
            c.eq((iv.get("entity_id"), iv.get("entity_instance")), (r["entity_id"], r["entity_instance"]),
                 f"'{name}': both clients agree on entity id.instance")
            e["type_names"] = sorted({iv.get("type_name"), r.get("type_name")} - {None})
        elif share > 1 and k == 0 and by_name["verbose"].get(base) is None:
            c.ok(False, f"ipmitool lists shared record '{base}'")
        else:
            # shared sensors beyond the first: the record's first sensor's names
            first = next((x for x in expected if x["record_id"] == r["record_id"] and "type_names" in x), None)
            e["type_names"] = first["type_names"] if first else [r.get("type_name")]
        if r["record_type"] == 3:
            e.update(reading=None, status="unavailable", states=[], units=None,
                     thresholds={t: None for t in THRESHOLD_KEYS}, discrete=True)
            e["notes"].append("S10: event-only")
            if iel is not None:
                c.eq((iel["status_word"], iel["text"]), ("ns", "Event-Only"),
                     f"'{name}': ipmitool lists the event-only sensor as 'ns | Event-Only'")
            continue

        discrete = r["event_type"] != 0x01
        e["discrete"] = discrete
        row = r["csv"]
        bits = r["bitmask"]
        f_reading = r["reading"]
        # a discrete sensor has no reading column in ipmi-sensors; its state
        # is unavailable when the event column is "N/A" (its State column is
        # N/A also when FreeIPMI merely has no interpretation rule)
        f_available = (row["event"].strip() != "N/A") if discrete else row["reading_text"] != "N/A"
        # ---- reading ------------------------------------------------------------
        if discrete:
            e["reading"] = None
        else:
            i_reading = isen["reading"] if isen else None
            if isen is not None and i_reading is not None and f_reading is not None:
                if name == "Cbrt Sensor":
                    c.ok(not close(i_reading, f_reading, 0.0005),
                         f"S1 (documented): cube root: ipmitool {i_reading} vs FreeIPMI {f_reading}; we follow ipmitool")
                    e["reading"] = [(i_reading, TOL_IPMITOOL, "ipmitool sensor")]
                else:
                    c.ok(close(i_reading, f_reading, 0.0005),
                         f"'{name}': reading ipmitool {isen['reading_text']} / FreeIPMI {f_reading}",
                         f"difference {abs(i_reading - f_reading)}")
                    e["reading"] = [(i_reading, TOL_IPMITOOL, "ipmitool sensor"), (f_reading, TOL_FREEIPMI, "ipmi-sensors -vv")]
            elif isen is not None and i_reading is not None:
                c.ok(name == "LUN1 Temp",
                     f"S2 (documented): only ipmitool reads '{name}' ({i_reading}); we follow ipmitool")
                e["reading"] = [(i_reading, TOL_IPMITOOL, "ipmitool sensor")]
            elif f_reading is not None:
                c.ok(k > 0, f"'{name}': only FreeIPMI has a reading ({f_reading})")
                e["reading"] = [(f_reading, TOL_FREEIPMI, "ipmi-sensors -vv")]
            else:
                e["reading"] = None
            if name in FIXTURE_READINGS:
                got = e["reading"][0][0] if e["reading"] else None
                c.ok(close(got, FIXTURE_READINGS[name], 0.0005),
                     f"fixture: '{name}' reads {FIXTURE_READINGS[name]:.4f} (clients: {got})")
            if name in FIXTURE_UNAVAILABLE:
                c.ok(e["reading"] is None, f"fixture: '{name}' has no reading in either client")

        # ---- units --------------------------------------------------------------
        if discrete:
            e["units"] = None
        else:
            iu = isen["units"] if isen else ""
            fu = row["units"]
            if iu:
                same = iu == fu or (iu, fu) in (("kPa", "kPA"), ("percent", "%"))
                c.ok(same, f"'{name}': units ipmitool '{iu}' / FreeIPMI '{fu}'" +
                     ("" if iu == fu else " (S7: worded differently)"))
                e["units"] = iu
            else:
                e["units"] = fu
                e["notes"].append("S7: no reading, units from FreeIPMI (the SDR's)")

        # ---- status and states ------------------------------------------------------
        iel_status = iel["status_word"] if iel else None
        if discrete:
            state_bits = (bits or 0) & 0x7FFF
            if isen is not None:
                c.eq(isen["bits"], state_bits if f_available else isen["bits"],
                     f"'{name}': both clients read the same state bits")
                names = list(iv["states_asserted"]) if iv else []
                offsets = [i for i in range(15) if state_bits >> i & 1]
                c.eq(len(names), len(offsets), f"'{name}': ipmitool names as many states as bits are set")
                if iel is not None and names:
                    c.eq(iel["text"], ", ".join(names), f"'{name}': sdr elist and -v sdr list name the same states")
                for off, nm in zip(offsets, names):
                    state_names[(r.get("type_code"), r["event_type"], off)] = nm
                c.ok(len(names) == len(row["events"] or []),
                     f"'{name}': FreeIPMI lists as many asserted states ({row['events']}) "
                     f"as ipmitool ({names}) (S9: worded differently)")
                if iel_status is not None:
                    c.eq(iel_status, "ok", f"S6 (documented): ipmitool's status for discrete '{name}' is 'ok'")
                e["states"] = names
            else:
                e["states_bits"] = state_bits
            if name in DISCRETE_STATUS:
                exp, why = DISCRETE_STATUS[name]
                c.ok(row["state"] != exp, f"S6 (documented): FreeIPMI says {row['state_word']} for '{name}', "
                                           f"we expect {exp}: {why}")
                e["status"] = exp
            else:
                c.ok(row["state"] in ("ok", "warning", "critical"),
                     f"'{name}': FreeIPMI interprets the state ({row['state_word']})")
                e["status"] = row["state"]
            if not f_available:
                e["status"] = "unavailable"
                e["states"] = []
        else:
            crossed = [t for i, t in enumerate(COMPARISON_BITS) if (bits or 0) >> i & 1] if f_reading is not None else []
            worst = next((t for t in WORST_ORDER if t in crossed), None)
            if iel_status is not None:
                ours = it.ELIST_STATUS.get(iel_status)
                c.ok(ours is not None, f"'{name}': ipmitool status word '{iel_status}' is known")
                if name == "LUN1 Temp":
                    c.ok(row["state_word"] == "N/A" and ours == "ok",
                         f"S2 (documented): '{name}' FreeIPMI {row['state_word']}, ipmitool {iel_status}")
                    crossed = []
                else:
                    exp_word = ("ns" if f_reading is None else
                                {"lnr": "lnr", "unr": "unr", "lc": "lcr", "uc": "ucr",
                                 "lnc": "lnc", "unc": "unc", None: "ok"}[worst])
                    c.eq(iel_status, exp_word, f"'{name}': ipmitool's status is the worst threshold "
                                               f"FreeIPMI's bitmask shows ({crossed})")
                    coarse = {"ok": "ok", "warning": "ok", "critical": "critical",
                              "nonrecoverable": "critical", "unavailable": None}[ours]
                    c.eq(row["state"], coarse, f"S5: FreeIPMI's coarse state for '{name}' "
                                               f"({row['state_word']}) matches ipmitool's '{iel_status}'")
                e["status"] = ours
            else:
                e["status"] = "unavailable" if f_reading is None else (THRESHOLD_STATUS[worst] if worst else "ok")
            if e["status"] == "unavailable":
                crossed = []
            e["states"] = crossed
            e["crossed"] = True

        # ---- thresholds ---------------------------------------------------------------
        if discrete:
            e["thresholds"] = {t: None for t in THRESHOLD_KEYS}
        else:
            ft = r["thresholds"] if r["has_threshold_lines"] else {t: None for t in THRESHOLD_KEYS}
            itr = isen["thresholds"] if isen else {t: None for t in THRESHOLD_KEYS}
            exp = {}
            for t in THRESHOLD_KEYS:
                a, b = itr.get(t), ft.get(t)
                if name == "Fixed Thr Temp":
                    exp[t] = None if b is None else [(b, TOL_FREEIPMI, "ipmi-sensors -vv (S3)")]
                elif name in ("LUN1 Temp", "Remote Temp"):
                    exp[t] = None if a is None else [(a, TOL_IPMITOOL, "ipmitool sensor (S2)")]
                elif a is None and b is None:
                    exp[t] = None
                else:
                    c.ok(close(a, b, 0.0005), f"'{name}': threshold {t} ipmitool {a} / FreeIPMI {b}")
                    exp[t] = [(v, tol, src) for v, tol, src in ((a, TOL_IPMITOOL, "ipmitool sensor"),
                                                                 (b, TOL_FREEIPMI, "ipmi-sensors -vv")) if v is not None]
            if name == "Fixed Thr Temp":
                c.ok(all(itr[t] is None for t in THRESHOLD_KEYS) and ft["unc"] == 50 and ft["uc"] == 60,
                     "S3 (documented): fixed thresholds: ipmitool na, FreeIPMI unc 50 / uc 60 from the SDR")
            if name == "LUN1 Temp":
                c.ok(itr["unc"] == 70 and ft["unc"] == 75,
                     "S2 (documented): LUN 1 thresholds: ipmitool unc 70 (LUN 1), FreeIPMI 75 (LUN 0's sensor 1)")
            if name == "Remote Temp":
                c.ok(all(itr[t] is None for t in THRESHOLD_KEYS) and ft["unc"] == 75,
                     "S2 (documented): owner 30h: ipmitool no thresholds, FreeIPMI asks the BMC's sensor 1 "
                     "(75/85/95)")
            e["thresholds"] = exp

    # shared sensors beyond the first: ipmitool state names learned above
    for e in expected:
        if "states_bits" in e:
            sb = e.pop("states_bits")
            offs = [i for i in range(15) if sb >> i & 1]
            names = [state_names.get((e["type"], e["event_type"], o)) for o in offs]
            c.ok(None not in names, f"'{e['name']}': ipmitool's names for its state offsets {offs} are known "
                                    f"from other sensors of the same type", f"{names}")
            e["states"] = [n if n else f"offset {o}" for n, o in zip(names, offs)]

    for nm in FIXTURE_EVENT_ONLY:
        c.ok(any(e["name"] == nm and e["record_type"] == 3 for e in expected),
             f"fixture: event-only sensor '{nm}' is in the SDR")
    keys = [(e["owner"], e["lun"], e["number"]) for e in expected]
    c.eq(len(keys), len(set(keys)), "fixture: (owner, LUN, number) identifies every sensor")
    for e in expected:
        e.pop("_ipmitool", None)
    return expected


def fmt_expect(exp):
    if exp is None:
        return "null"
    return " and ".join(f"{v} (+/-{tol}, {src})" for v, tol, src in exp)


def match_number(got, exp):
    if exp is None:
        return got is None
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    return all(close(float(got), v, tol) for v, tol, _ in exp)


def compare_sensors(expected, bridge, c):
    if not isinstance(bridge, list):
        c.ok(False, "bridge JSON has a 'sensors' array for the BMC",
             f"got: {json.dumps(bridge)[:300]}",
             "(the bridge does not report sensors yet, or not in this shape)")
        return
    c.ok(True, "bridge JSON has a 'sensors' array for the BMC")
    got = {}
    for s in bridge:
        key = (s.get("owner"), s.get("lun"), s.get("number"))
        if key in got:
            c.ok(False, f"bridge lists sensor owner/lun/number {key} once", json.dumps(s))
        got[key] = s
    exp_keys = {(e["owner"], e["lun"], e["number"]): e for e in expected if e["record_type"] != 3}
    missing = [f"{e['name']} {k}" for k, e in exp_keys.items() if k not in got]
    extra = [f"{s.get('name')} {k}" for k, s in got.items() if k not in exp_keys]
    c.ok(not missing and not extra,
         f"bridge lists exactly the {len(exp_keys)} sensors of the SDR (shared ones expanded, "
         "event-only and non-sensor records left out: S10)", f"missing: {missing}", f"extra: {extra}")
    for key, e in exp_keys.items():
        s = got.get(key)
        if s is None:
            continue
        n = e["name"]
        tag = f"sensor '{n}' (owner {key[0]:02x}h LUN {key[1]} #{key[2]})"
        c.eq(s.get("name"), n, f"{tag}: name")
        c.eq(s.get("type"), e["type"], f"{tag}: type code")
        c.ok(norm(s.get("type_name")) in [norm(t) for t in e["type_names"]],
             f"{tag}: type_name is one of {e['type_names']} (S8)", f"got: {s.get('type_name')!r}")
        c.eq((s.get("entity_id"), s.get("entity_instance")), (e["entity_id"], e["entity_instance"]),
             f"{tag}: entity id, instance")
        c.ok(match_number(s.get("reading"), e["reading"]), f"{tag}: reading",
             f"expected: {fmt_expect(e['reading'])}", f"     got: {s.get('reading')!r}")
        if e["units"] is None:
            c.ok(s.get("units") in (None, "", "discrete"), f"{tag}: no units (discrete or event-only)",
                 f"got: {s.get('units')!r}")
        else:
            c.eq(s.get("units"), e["units"], f"{tag}: units")
        c.eq(s.get("status"), e["status"], f"{tag}: status")
        states = s.get("states")
        if e.get("crossed"):
            mapped = None
            if isinstance(states, list):
                mapped = sorted(THRESHOLD_NAMES.get(str(x).lower(), f"?{x}") for x in states)
            c.eq(mapped, sorted(e["states"]), f"{tag}: thresholds crossed")
        else:
            c.eq(states, e["states"], f"{tag}: states")
        thr = s.get("thresholds")
        if e["discrete"] and (thr is None or thr == {t: None for t in THRESHOLD_KEYS}):
            c.ok(True, f"{tag}: no thresholds (discrete)")
            continue
        if not isinstance(thr, dict):
            c.ok(False, f"{tag}: thresholds object", f"got: {thr!r}")
            continue
        bad = [f"{t}: expected {fmt_expect(e['thresholds'][t])}, got {thr.get(t, '<missing>')!r}"
               for t in THRESHOLD_KEYS if t not in thr or not match_number(thr.get(t), e["thresholds"][t])]
        c.ok(not bad, f"{tag}: thresholds lnr..unr", *bad)


# =================================================================================
# FRU
# =================================================================================
#
# DISAGREEMENTS (ipmitool fru print vs ipmi-fru) and what we follow:
#  F0 FRU 0 has no locator record, so no name: ipmitool calls it "Builtin FRU
#     Device", FreeIPMI "Default FRU Device".  Its name is not compared.
#  F1 BCD plus fields: ipmitool decodes two digits per byte, high nibble
#     first (FRU spec 13.1, "BCD plus"); FreeIPMI decodes one digit per byte
#     and reports "FRU invalid BCD encoding" for every packed field.  We
#     follow ipmitool.
#  F2 Binary fields: ipmitool prints lower-case hex ("0102abcd"), FreeIPMI
#     "01h 02h ABh CDh".  Same bytes; we compare the hex digits.
#  F3 Unspecified board manufacturing date (0): ipmitool "Unspecified",
#     FreeIPMI "01/01/96 - 00:00:00" (the epoch).  We follow ipmitool: zero
#     means unspecified (FRU spec 11): the bridge reports null.
#  F4 Empty fields: ipmitool omits them; FreeIPMI too.  The bridge reports "".
#  F5 MultiRecords: ipmitool (only with -v) prints power supply, DC output,
#     DC load and OEM records and skips management access (03h) and base
#     compatibility (04h); FreeIPMI prints all of them.  We follow FreeIPMI
#     for the list of records (type IDs, in order).
#  F6 6-bit ASCII: both decode every character the bytes hold, including a
#     trailing blank when the character count is not a multiple of 4; the
#     fixture avoids that case.
#  Latin-1 (8-bit ASCII + Latin-1 for English): both print the raw bytes;
#  they are read as Latin-1 here and must come out of the bridge's (UTF-8)
#  JSON as the same characters.

FRU_FIELDS = {
    "chassis": ("type", "part_number", "serial_number"),
    "board": ("mfg_datetime", "manufacturer", "product_name", "serial_number", "part_number"),
    "product": ("manufacturer", "name", "part_number", "version", "serial_number", "asset_tag"),
}

# what the fixture (mkfru.py) puts in FRU 3, field by field: (kind, text)
FIXTURE_FRU3 = {
    ("board", "manufacturer"): ("latin1", "M\u00fcller Ger\u00e4tebau"),
    ("board", "product_name"): ("sixbit", "SIXBIT BOARD"),
    ("board", "serial_number"): ("bcd", "0123456789"),
    ("board", "part_number"): ("bcd", "12-34.5 67"),
    ("product", "manufacturer"): ("latin1", "Encodings \u00c5B"),
    ("product", "name"): ("sixbit", "PRODUCT 6BIT"),
    ("product", "part_number"): ("bcd", "555-0100"),
    ("product", "version"): ("binary", "1020"),
    ("product", "serial_number"): ("text", "ENC-SN-0003"),
}
FIXTURE_FRU3_CUSTOM = {
    "board": ["0102abcd", "CUSTOM 6-BIT", "3.14-159", "Caf\u00e9 cr\u00e8me"],
    "product": ["feed"],
}


def hexdigits(text):
    """"01h 02h ABh" / "0102ab" -> "0102ab"; None if it is not hex."""
    t = re.sub(r"h\b", "", text or "")
    t = re.sub(r"[\s:,-]", "", t).lower()
    return t if re.fullmatch(r"(?:[0-9a-f]{2})*", t) else None


def parse_ipmitool_date(text):
    """"Mon Jan 15 12:00:00 2024 UTC" -> Unix time; "Unspecified" -> None."""
    import calendar
    import time
    if text is None or text.strip() == "Unspecified":
        return None
    t = time.strptime(text.replace(" UTC", "").strip(), "%a %b %d %H:%M:%S %Y")
    return calendar.timegm(t)


def bridge_time(value):
    """The bridge's mfg_datetime: Unix time (number) or ISO 8601 text."""
    import calendar
    import time
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return int(value)
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]00:?00| UTC)?", str(value).strip())
    if not m:
        return f"<unparsed {value!r}>"
    hms = m.group(2) if m.group(2).count(":") == 2 else m.group(2) + ":00"
    return calendar.timegm(time.strptime(f"{m.group(1)} {hms}", "%Y-%m-%d %H:%M:%S"))


def build_fru(d, c):
    ifru = it.parse_fru_print(read(d, "ipmitool-fru.txt"))
    ffru = fi.parse_fru(read(d, "freeipmi-fru.txt"))
    c.ok(len(ifru) > 0 and len(ffru) > 0, "both clients list FRU devices",
         f"ipmitool {len(ifru)}, ipmi-fru {len(ffru)}")
    c.eq([(x["id"], x["name"] if x["id"] else "") for x in ifru], [(x["id"], x["name"] if x["id"] else "") for x in ffru],
         "both clients list the same FRU devices (ID, and the locator's name for IDs > 0)")
    ids = [x["id"] for x in ifru]
    c.eq(ids, [0, 1, 2, 3], "fixture: FRU devices 0-3")
    # FRU 2 is over 256 bytes: its last product custom field and the
    # multirecords behind it lie beyond offset 255, so a client that shows
    # them read it in chunks with 16-bit offsets
    f2i = next((x for x in ifru if x["id"] == 2), {"areas": {}})
    f2f = next((x for x in ffru if x["id"] == 2), {"areas": {}, "multirecords": []})
    c.ok((f2i["areas"].get("product") or {}).get("custom", [])[-1:] == ["Product custom: config C"] and
         (f2f["areas"].get("product") or {}).get("custom", [])[-1:] == ["Product custom: config C"] and
         [m["type"] for m in f2f["multirecords"]][-1:] == [0xC0],
         "fixture: both clients read FRU 2 to its end (past offset 255: the last custom field, the OEM record)")
    expected = []
    fby = {x["id"]: x for x in ffru}
    for x in ifru:
        fid = x["id"]
        y = fby.get(fid, {"areas": {}, "multirecords": [], "errors": []})
        c.eq(x["errors"], [], f"FRU {fid}: ipmitool printed only lines the parser knows")
        e = {"id": fid, "name": x["name"] if fid else None, "ipmitool_name": x["name"]}
        for area, fields in FRU_FIELDS.items():
            ia = x["areas"].get(area)
            fa = y["areas"].get(area)
            c.eq(ia is None, fa is None, f"FRU {fid}: both clients see the {area} area or neither")
            if ia is None:
                e[area] = None
                continue
            ea = {}
            for f in fields:
                iv, fv = ia.get(f), fa.get(f) if fa else None
                kind, text = FIXTURE_FRU3.get((area, f), (None, None)) if fid == 3 else (None, None)
                if f == "mfg_datetime":
                    ts = parse_ipmitool_date(iv)
                    if ts is None:
                        c.ok(fv is not None and fv.startswith("01/01/96"),
                             f"F3 (documented): FRU {fid} unspecified date: ipmitool '{iv}', FreeIPMI '{fv}'")
                    else:
                        import time
                        c.eq(time.strftime("%m/%d/%y - %H:%M:%S", time.gmtime(ts)), fv,
                             f"FRU {fid}: board date ipmitool '{iv}' / FreeIPMI '{fv}'")
                    ea[f] = ts
                    continue
                if kind == "bcd":
                    c.ok(fv is not None and "invalid BCD" in fv and iv == text,
                         f"F1 (documented): FRU {fid} {area} {f} (BCD plus): ipmitool '{iv}', FreeIPMI '{fv}'")
                    ea[f] = iv
                    continue
                if kind == "binary":
                    c.ok(hexdigits(iv) == hexdigits(fv) == text,
                         f"F2: FRU {fid} {area} {f} (binary): ipmitool '{iv}', FreeIPMI '{fv}'")
                    ea[f] = ("hex", text)
                    continue
                if iv is None and fv is None:
                    ea[f] = ""       # F4: empty or absent field
                    continue
                c.eq(iv, fv, f"FRU {fid}: {area} {f} agrees ('{iv}')")
                if kind is not None:
                    c.eq(iv, text, f"fixture: FRU {fid} {area} {f} is the {kind} text {text!r}")
                ea[f] = iv if iv is not None else ""
                if f == "type":
                    c.ok(iv in CHASSIS_TYPES, f"FRU {fid}: chassis type '{iv}' is a known SMBIOS type")
                    ea[f] = ("chassis", iv)
            # custom fields
            ic, fc = ia.get("custom", []), (fa or {}).get("custom", [])
            custom = []
            c.eq(len(ic), len(fc), f"FRU {fid}: both clients list {len(ic)} {area} custom fields")
            for i, (a, b) in enumerate(zip(ic, fc)):
                if hexdigits(b) is not None and " " in b and b.endswith("h"):
                    c.eq(hexdigits(a), hexdigits(b), f"F2: FRU {fid} {area} custom {i} (binary) '{a}'")
                    custom.append(("hex", hexdigits(a)))
                elif "invalid BCD" in b:
                    c.ok(True, f"F1 (documented): FRU {fid} {area} custom {i} (BCD plus): ipmitool '{a}', "
                               f"FreeIPMI '{b}'")
                    custom.append(a)
                else:
                    c.eq(a, b, f"FRU {fid}: {area} custom {i} agrees ('{a}')")
                    custom.append(a)
            if fid == 3 and area in FIXTURE_FRU3_CUSTOM:
                c.eq([v[1] if isinstance(v, tuple) else v for v in custom], FIXTURE_FRU3_CUSTOM[area],
                     f"fixture: FRU 3 {area} custom fields")
            ea["custom"] = custom
            e[area] = ea
        # multirecords (F5)
        mrs = [m["type"] for m in y["multirecords"]]
        c.ok(None not in mrs, f"FRU {fid}: FreeIPMI's multirecord blocks are all recognised", f"{mrs}")
        iv_text = read(d, f"ipmitool-fru-v-{fid}.txt") if os.path.exists(os.path.join(d, f"ipmitool-fru-v-{fid}.txt")) else ""
        imr = it.parse_fru_multirecords(iv_text)
        ititles = {"Power Supply Record": 0x00, "DC Output Record": 0x01, "DC Load Record": 0x02}
        itypes = [ititles.get(m["title"], 0xC0) for m in imr]
        c.eq(itypes, [t for t in mrs if t in (0x00, 0x01, 0x02, 0xC0)],
             f"F5: FRU {fid}: ipmitool -v shows the multirecords it knows, in FreeIPMI's order")
        e["multirecords"] = []
        for m, t in zip(y["multirecords"], mrs):
            rec = {"type": t, "values": []}
            fl = m["fields"]
            if t == 0x00:
                rec["values"] = [("capacity W", [750]), ("peak VA", [900]), ("peak W", [800]),
                                 ("combined W", [600])]
                c.ok(fl.get("FRU Power Supply Overall Capacity") == "750 Watts",
                     f"FRU {fid}: power supply record: 750 W (FreeIPMI)")
                ip = next((x for x in imr if x["title"] == "Power Supply Record"), {"fields": {}})
                c.eq(ip["fields"].get("Capacity"), "750 W", f"FRU {fid}: power supply record: 750 W (ipmitool)")
            elif t == 0x01:
                mv = int(fl["FRU DC Output Nominal Voltage"].split()[0])
                rec["values"] = [("nominal voltage", [mv, mv / 1000, mv / 10])]
            elif t == 0x02:
                mv = int(fl["FRU DC Load Nominal Voltage"].split()[0])
                rec["values"] = [("nominal voltage", [mv, mv / 1000, mv / 10])]
            elif t == 0x03:
                rec["values"] = [("text", [v for k2, v in fl.items()])]
            elif t in (0x04, 0xC0):
                mfr = re.search(r"\(([0-9A-Fa-f]+)h\)", next(iter(fl.values())))
                rec["values"] = [("manufacturer", [int(mfr.group(1), 16)] if mfr else [])]
            e["multirecords"].append(rec)
        expected.append(e)
    return expected


# SMBIOS chassis types (SMBIOS 3.x table 17) as both clients name them: the
# bridge may report the chassis type as this code or as the name
CHASSIS_TYPES = {
    "Other": 0x01, "Unknown": 0x02, "Desktop": 0x03, "Low Profile Desktop": 0x04,
    "Pizza Box": 0x05, "Mini Tower": 0x06, "Tower": 0x07, "Portable": 0x08, "Laptop": 0x09,
    "Notebook": 0x0A, "Hand Held": 0x0B, "Docking Station": 0x0C, "All in One": 0x0D,
    "Sub Notebook": 0x0E, "Space-saving": 0x0F, "Lunch Box": 0x10, "Main Server Chassis": 0x11,
    "Expansion Chassis": 0x12, "SubChassis": 0x13, "Bus Expansion Chassis": 0x14,
    "Peripheral Chassis": 0x15, "RAID Chassis": 0x16, "Rack Mount Chassis": 0x17,
    "Sealed-case PC": 0x18, "Multi-system Chassis": 0x19, "Compact PCI": 0x1A,
    "Advanced TCA": 0x1B, "Blade": 0x1C, "Blade Enclosure": 0x1D,
}


def field_matches(got, exp):
    if isinstance(exp, tuple) and exp[0] == "hex":
        return isinstance(got, str) and hexdigits(got) == exp[1]
    if isinstance(exp, tuple) and exp[0] == "chassis":
        return got == exp[1] or (isinstance(got, int) and not isinstance(got, bool) and
                                 got == CHASSIS_TYPES.get(exp[1]))
    return got == exp


def flat_values(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from flat_values(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from flat_values(v)
    else:
        yield obj


def compare_fru(expected, bridge, c):
    if not isinstance(bridge, list):
        c.ok(False, "bridge JSON has a 'fru' array for the BMC", f"got: {json.dumps(bridge)[:300]}",
             "(the bridge does not report FRUs yet, or not in this shape)")
        return
    c.ok(True, "bridge JSON has a 'fru' array for the BMC")
    got = {x.get("id"): x for x in bridge}
    c.eq(sorted(got, key=str), sorted(e["id"] for e in expected), "bridge lists the FRU devices 0-3")
    for e in expected:
        x = got.get(e["id"])
        if x is None:
            continue
        tag = f"FRU {e['id']}"
        if e["id"] != 0:
            c.eq(x.get("name"), e["name"], f"{tag}: name (the FRU locator's ID string)")
        for area, fields in FRU_FIELDS.items():
            ea, xa = e[area], x.get(area)
            if ea is None:
                c.ok(xa is None, f"{tag}: no {area} area", f"got: {xa!r}")
                continue
            if not isinstance(xa, dict):
                c.ok(False, f"{tag}: {area} area", f"got: {xa!r}")
                continue
            for f in fields:
                if f == "mfg_datetime":
                    c.eq(bridge_time(xa.get(f)), ea[f], f"{tag}: board mfg_datetime (as Unix time)")
                    continue
                exp = ea[f]
                c.ok(field_matches(xa.get(f), exp), f"{tag}: {area}.{f}",
                     f"expected: {exp!r}", f"     got: {xa.get(f, '<missing>')!r}")
            gc = xa.get("custom")
            ok = isinstance(gc, list) and len(gc) == len(ea["custom"]) and all(
                field_matches(g, x2) for g, x2 in zip(gc, ea["custom"]))
            c.ok(ok, f"{tag}: {area}.custom", f"expected: {ea['custom']!r}", f"     got: {gc!r}")
        gm = x.get("multirecords")
        if not isinstance(gm, list):
            c.ok(False, f"{tag}: multirecords array", f"got: {gm!r}")
            continue
        c.eq([m.get("type") if isinstance(m, dict) else m for m in gm], [m["type"] for m in e["multirecords"]],
             f"{tag}: multirecord type IDs, in order")
        for i, (m, em) in enumerate(zip(gm, e["multirecords"])):
            vals = list(flat_values(m))
            for what, cands in em["values"]:
                hit = any((isinstance(v, (int, float)) and not isinstance(v, bool) and
                           any(abs(v - cnd) < 1e-6 for cnd in cands if isinstance(cnd, (int, float)))) or
                          (isinstance(v, str) and v in cands) for v in vals)
                c.ok(hit, f"{tag}: multirecord {i} (type {em['type']:02X}h) carries its {what} {cands}",
                     f"record: {json.dumps(m)[:400]}")


# =================================================================================
# SEL
# =================================================================================
#
# DISAGREEMENTS (ipmitool sel elist vs ipmi-sel) and what we follow:
#  L1 Event texts are worded differently ("Upper Critical going high" vs
#     "Upper Critical - going high", "Correctable ECC" vs "Correctable memory
#     error", "Hard reset" vs "Hard Reset").  We follow ipmitool's text
#     (trailing blanks removed); FreeIPMI's must agree in letters and digits
#     or be listed in EVENT_SYNONYMS.
#  L2 A sensor without an SDR (generator: BIOS, sensor 50h): ipmitool
#     "#0x50", FreeIPMI "Sensor #80 (Generator ID 01h)".  We follow ipmitool.
#  L3 The generator's LUN (record 17: LUN1 Temp, sensor 1 on LUN 1): BOTH
#     clients ignore it and name CPU Temp (sensor 1 on LUN 0).  We follow the
#     spec (the generator ID's LUN is part of the sensor's address): LUN1 Temp.
#  L4 Direction: ipmitool "Asserted"/"Deasserted", FreeIPMI "Assertion
#     Event"/"Deassertion Event"; OEM records have none.
#  L5 OEM records: ipmitool prints the manufacturer ID and data of C0h-DFh
#     and the data of E0h-FFh as hex; FreeIPMI as "XXh" bytes.  Compared as
#     hex digits.

EVENT_SYNONYMS = {
    ("Failure detected", "Power Supply Failure detected"),
    ("Correctable ECC", "Correctable memory error"),
    ("Memory initialization", "System Firmware Progress ; Memory initialization"),
}


def sel_sensor_key(raw):
    """(generator address, LUN, sensor number) of a system event record."""
    return (raw[7], raw[8] & 0x03, raw[11])


def build_sel(d, c, sensor_names=None):
    types = it.parse_sel_list(read(d, "ipmitool-sel-list.txt"))
    ie = it.parse_sel_elist(read(d, "ipmitool-sel-elist.txt"), types)
    fs = fi.parse_sel_csv(read(d, "freeipmi-sel.txt"))
    hx = fi.parse_sel_hexdump(read(d, "freeipmi-sel-hex.txt"))
    c.ok(len(ie) > 0, "ipmitool sel elist parsed", f"{len(ie)} records")
    c.eq([x["record_id"] for x in ie], [x["record_id"] for x in fs],
         "ipmitool and ipmi-sel list the same record IDs in the same order")
    c.eq(sorted(hx), sorted(x["record_id"] for x in fs), "ipmi-sel --hex-dump has every record's bytes")
    fby = {x["record_id"]: x for x in fs}
    expected = []
    for x in ie:
        rid = x["record_id"]
        y = fby.get(rid, {})
        raw = hx.get(rid)
        if raw is None:
            continue
        rtype = raw[2]
        e = {"record_id": rid, "record_type": rtype}
        if rtype >= 0xC0:
            c.eq(x["kind"], "oem_ts" if rtype < 0xE0 else "oem_nots",
                 f"record {rid}: ipmitool shows an OEM record of type {rtype:02X}h")
            oem = raw[10:16] if rtype < 0xE0 else raw[3:16]
            c.ok(hexdigits(x["data"]) == oem.hex() and hexdigits(y.get("event", "").split("=")[-1]) == oem.hex(),
                 f"L5: record {rid}: OEM data {oem.hex()} (ipmitool '{x['data']}', FreeIPMI '{y.get('event')}')")
            e.update(kind="oem", timestamp=(int.from_bytes(raw[3:7], "little") if rtype < 0xE0 else None),
                     oem_hex=oem.hex(), direction=None)
            if rtype < 0xE0:
                mfr = int.from_bytes(raw[7:10], "little")
                c.eq(int(x["manufacturer"], 16), mfr, f"record {rid}: manufacturer ID {mfr} (ipmitool)")
                e["manufacturer_id"] = mfr
            expected.append(e)
            continue
        ts = int.from_bytes(raw[3:7], "little")
        key = sel_sensor_key(raw)
        deassert = bool(raw[12] & 0x80)
        e.update(kind="system", timestamp=ts, sensor_type=raw[10], sensor_number=raw[11],
                 event_type=raw[12] & 0x7F, direction="Deasserted" if deassert else "Asserted",
                 data_hex=raw[13:16].hex(), generator=key)
        c.eq(x["direction"], e["direction"], f"record {rid}: ipmitool direction from the record's bit 7")
        c.eq(y.get("direction_text"), "Deassertion Event" if deassert else "Assertion Event",
             f"L4: record {rid}: ipmi-sel direction ({y.get('direction_text')})")
        if x["time"].strip().isdigit():
            c.eq(int(x["time"]), ts, f"record {rid}: ipmitool's pre-init timestamp is the record's")
        # sensor name
        iname, fname = x["sensor_name"], y.get("name")
        if key == (0x20, 1, 1):
            c.ok(iname == fname == "CPU Temp",
                 f"L3 (documented): record {rid} (sensor 1 on LUN 1): ipmitool '{iname}', FreeIPMI '{fname}'; "
                 "we expect 'LUN1 Temp'")
            e["sensor_name"] = "LUN1 Temp"
        elif iname is not None and iname.startswith("#0x"):
            c.ok(fname.startswith(f"Sensor #{raw[11]}"),
                 f"L2 (documented): record {rid}: no SDR: ipmitool '{iname}', FreeIPMI '{fname}'")
            e["sensor_name"] = iname
        else:
            c.eq(iname, fname, f"record {rid}: both clients name the sensor '{iname}'")
            e["sensor_name"] = iname
        if sensor_names is not None and key[0] == 0x20:
            want = sensor_names.get((0x20, key[1], key[2]))
            c.eq(e["sensor_name"], want, f"record {rid}: the name is the SDR's for owner 20h LUN {key[1]} "
                                         f"#{key[2]}")
        # event text (L1)
        iev = x["event"].rstrip()
        fev = y.get("event", "").split(" ; Sensor Reading")[0].split(" ; Event Data")[0].strip()
        same = norm(iev) == norm(fev) or (iev, fev) in EVENT_SYNONYMS
        c.ok(same, f"L1: record {rid}: event '{iev}' / FreeIPMI '{fev}'")
        e["event"] = iev
        e["type_names"] = sorted({x["type_text"], y.get("type_name")} - {None})
        # trigger reading and threshold (threshold events): ipmitool's text;
        # FreeIPMI must show the same two numbers
        e["reading"] = x["reading"].strip()
        im = re.match(r"^Reading (-?[0-9.]+) [<>] Threshold (-?[0-9.]+)", e["reading"])
        fm = re.search(r"Sensor Reading = (-?[0-9.]+) .* Threshold = (-?[0-9.]+)", y.get("event", ""))
        if im or fm:
            c.ok(bool(im and fm) and close(float(im.group(1)), float(fm.group(1)), 0.005) and
                 close(float(im.group(2)), float(fm.group(2)), 0.005),
                 f"record {rid}: trigger reading/threshold ipmitool '{e['reading']}' / FreeIPMI "
                 f"'{fm.group(0) if fm else None}'")
        expected.append(e)
    c.eq(len(expected), len(ie), "every record has its raw bytes")
    return expected


def compare_sel(expected, bridge, c):
    if not isinstance(bridge, list):
        c.ok(False, "bridge JSON has a 'sel' array for the BMC", f"got: {json.dumps(bridge)[:300]}",
             "(the bridge does not report the SEL yet, or not in this shape)")
        return
    c.ok(True, "bridge JSON has a 'sel' array for the BMC")
    c.eq([x.get("record_id") for x in bridge], [e["record_id"] for e in expected],
         "bridge lists the SEL record IDs in order")
    got = {x.get("record_id"): x for x in bridge}
    for e in expected:
        x = got.get(e["record_id"])
        if x is None:
            continue
        tag = f"SEL record {e['record_id']}"
        c.eq(x.get("record_type"), e["record_type"], f"{tag}: record_type")
        ts = x.get("timestamp")
        tsv = ts if isinstance(ts, int) and not isinstance(ts, bool) else (
            int(m.group(0)) if isinstance(ts, str) and (m := re.search(r"\d+", ts)) else ts)
        if e["timestamp"] is None:
            c.ok(ts in (None, ""), f"{tag}: no timestamp (non-timestamped OEM record)", f"got: {ts!r}")
        elif e["timestamp"] <= 0x20000000:
            c.eq(tsv, e["timestamp"], f"{tag}: pre-init timestamp (seconds)")
        else:
            c.eq(bridge_time(ts), e["timestamp"], f"{tag}: timestamp (as Unix time)")
        if e["kind"] == "oem":
            c.ok(x.get("direction") in (None, ""), f"{tag}: OEM record has no direction", f"got: {x.get('direction')!r}")
            data = x.get("data")
            c.ok(isinstance(data, str) and e["oem_hex"] in (hexdigits(data) or re.sub(r"[^0-9a-f]", "", data.lower())),
                 f"{tag}: data holds the OEM bytes {e['oem_hex']}", f"got: {data!r}")
            if "manufacturer_id" in e:
                c.ok(e["manufacturer_id"] in list(flat_values(x)) or
                     f"{e['manufacturer_id']:06x}" in json.dumps(x).lower(),
                     f"{tag}: manufacturer ID {e['manufacturer_id']} is reported", f"record: {json.dumps(x)}")
            continue
        c.eq(x.get("sensor_number"), e["sensor_number"], f"{tag}: sensor_number")
        st = x.get("sensor_type")
        c.ok(st == e["sensor_type"] or (isinstance(st, str) and norm(st) in [norm(t) for t in e["type_names"]]),
             f"{tag}: sensor_type is {e['sensor_type']:#04x} or one of {e['type_names']}", f"got: {st!r}")
        c.eq(x.get("sensor_name"), e["sensor_name"], f"{tag}: sensor_name")
        et = x.get("event_type")
        code = e["event_type"]
        word = ("threshold" if code == 0x01 else "specific" if code == 0x6F else
                "oem" if 0x70 <= code <= 0x7F else "generic" if 0x02 <= code <= 0x0C else "?")
        c.ok(et == code or (isinstance(et, str) and (word in et.lower() or
                                                     (word == "generic" and "discrete" in et.lower()))),
             f"{tag}: event_type {code:#04x} (or a name saying '{word}')", f"got: {et!r}")
        c.eq(x.get("direction"), e["direction"], f"{tag}: direction")
        ev = x.get("event")
        c.eq(ev.rstrip() if isinstance(ev, str) else ev, e["event"], f"{tag}: event text (ipmitool's, L1)")
        if e["reading"] or "reading" in x:
            c.eq(x.get("reading") or "", e["reading"], f"{tag}: trigger reading text (ipmitool's)")
        data = x.get("data")
        c.ok(isinstance(data, str) and e["data_hex"] in re.sub(r"[^0-9a-f]", "", data.lower()),
             f"{tag}: data holds event data {e['data_hex']}", f"got: {data!r}")


# =================================================================================

def main(argv):
    if len(argv) not in (3, 5) or argv[1] not in ("sensors", "fru", "sel"):
        sys.stderr.write(__doc__)
        return 2
    what, d = argv[1], argv[2]
    c = Checks(quiet=len(argv) == 5)
    try:
        if what == "sensors":
            expected = build_sensors(d, c)
        elif what == "fru":
            expected = build_fru(d, c)
        else:
            names = None
            sj = os.path.join(d, "expected-sensors.json")
            if os.path.exists(sj):
                with open(sj, encoding="utf-8") as f:
                    names = {(s["owner"], s["lun"], s["number"]): s["name"] for s in json.load(f)}
            expected = build_sel(d, c, names)
    except (OSError, KeyError, ValueError) as exc:
        c.ok(False, f"{what}: reading the clients' output in {d}", repr(exc))
        return 2
    with open(os.path.join(d, f"expected-{what}.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, default=list, ensure_ascii=False)
    if len(argv) == 5:
        try:
            bridge, _ = load_bridge(argv[3], argv[4], what)
        except (OSError, ValueError, KeyError, IndexError) as exc:
            c.ok(False, f"bridge JSON {argv[3]} has bmcs[{argv[4]}]", repr(exc))
            return 0
        {"sensors": compare_sensors, "fru": compare_fru, "sel": compare_sel}[what](expected, bridge, Checks())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
