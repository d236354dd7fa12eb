#!/usr/bin/env python3
"""Generate the test BMC's FRU inventory images as ipmi_sim commands.

    tests/ipmisim/mkfru.py > tests/ipmisim/fru.emu     # regenerate (committed)
    tests/ipmisim/mkfru.py --check tests/ipmisim/fru.emu  # exit 1 if stale
    tests/ipmisim/mkfru.py --dump                      # hex dump of every image

Images follow the "IPMI Platform Management FRU Information Storage
Definition" v1.0 rev 1.3 ("FRU spec"): an 8-byte common header, then
chassis / board / product info areas, each padded to a multiple of 8 bytes
and ending in a zero-sum checksum byte, then the MultiRecord area.  Every
field is a type/length byte + data; 0xC1 ends the field list.  The four
type/length encodings (FRU spec section 13.1) are all produced:

    Bin(b"..")     00b binary                   (shown as hex by the tools)
    Bcd("12-3.4")  01b BCD plus                 (0-9, space, dash, period)
    Six("ABC")     10b 6-bit ASCII, packed      (0x20-0x5F: no lower case)
    "text"         11b 8-bit ASCII + Latin-1    (English language code)

Standard library only.

FRU 0 (the BMC's built-in FRU): chassis, board and product areas.
FRU 1 "PSU1 FRU": product area only.
FRU 2 "Mainboard FRU": over 256 bytes (clients must read it in chunks, with
  offsets above 255): every area with custom fields, and a MultiRecord area
  with power supply information (00h), two DC outputs (01h), a DC load (02h),
  two management access records (03h), base compatibility (04h) and an OEM
  record (C0h).
FRU 3 "Encodings FRU": board and product areas whose fields use binary, BCD
  plus, 6-bit ASCII and Latin-1 text, an empty field, an unspecified
  manufacturing date and custom fields of every encoding.
FRUs 1-3 are logical FRU devices of the BMC, each found through a type 11h
FRU device locator record in sensors.sdrs.
"""
import datetime
import sys

FRU_FORMAT_VERSION = 0x01
LANG_ENGLISH = 0x00
CHASSIS_RACK_MOUNT = 0x17
CHASSIS_MAIN_SERVER = 0x11
END_OF_FIELDS = 0xC1

# MultiRecord type IDs (FRU spec Table 16-2)
MR_POWER_SUPPLY = 0x00
MR_DC_OUTPUT = 0x01
MR_DC_LOAD = 0x02
MR_MGMT_ACCESS = 0x03
MR_BASE_COMPAT = 0x04
MR_OEM = 0xC0
MR_FORMAT_VERSION = 0x02
MR_END_OF_LIST = 0x80


def checksum(data):
    """Byte that makes the sum of data + it zero (mod 256)."""
    return (-sum(data)) & 0xFF


class Bin(bytes):
    """Field data of type 00b (binary or unspecified)."""


class Bcd(str):
    """Field data of type 01b (BCD plus): digits, space, '-' and '.'."""


class Six(str):
    """Field data of type 10b (6-bit ASCII, packed): characters 0x20-0x5F."""


BCD_PLUS = {**{str(d): d for d in range(10)}, " ": 0xA, "-": 0xB, ".": 0xC}


def encode_bcd(text):
    """Two characters per byte, the first one in the high nibble; an odd
    length is padded with a space (the tools print it, so avoid odd lengths)."""
    if len(text) % 2:
        text += " "
    return bytes((BCD_PLUS[text[i]] << 4) | BCD_PLUS[text[i + 1]] for i in range(0, len(text), 2))


def encode_sixbit(text):
    """Each character is ASCII - 0x20 (6 bits); four characters fill three
    bytes, least significant bits first (FRU spec section 13.2)."""
    bits = 0
    nbits = 0
    for ch in text:
        code = ord(ch) - 0x20
        if not 0 <= code < 64:
            raise ValueError(f"not 6-bit ASCII: {text!r}")
        bits |= code << nbits
        nbits += 6
    return bits.to_bytes((nbits + 7) // 8, "little")


def field(value):
    """Type/length byte + data for one field (see the module docstring)."""
    if isinstance(value, Bin):
        tl, raw = 0x00, bytes(value)
    elif isinstance(value, Bcd):
        tl, raw = 0x40, encode_bcd(value)
    elif isinstance(value, Six):
        tl, raw = 0x80, encode_sixbit(value)
    else:
        tl, raw = 0xC0, value.encode("latin-1")
    if len(raw) > 63:
        raise ValueError(f"FRU field too long: {value!r}")
    return bytes([tl | len(raw)]) + raw


def info_area(fixed, fields):
    """Area: version, length (8-byte units), fixed bytes, fields, C1, pad, sum."""
    body = bytearray([FRU_FORMAT_VERSION, 0]) + bytes(fixed)
    for f in fields:
        body += field(f)
    body.append(END_OF_FIELDS)
    while (len(body) + 1) % 8:
        body.append(0)
    body[1] = (len(body) + 1) // 8
    body.append(checksum(body))
    return bytes(body)


def multirecord_area(records):
    """MultiRecord area: each record is a 5-byte header (type, end-of-list |
    format version, data length, data checksum, header checksum) + data."""
    out = bytearray()
    for i, (rtype, data) in enumerate(records):
        flags = MR_FORMAT_VERSION | (MR_END_OF_LIST if i == len(records) - 1 else 0)
        header = bytearray([rtype, flags, len(data), checksum(data)])
        header.append(checksum(header))
        out += header + data
    return bytes(out)


def fru_image(chassis=None, board=None, product=None, multirecord=None):
    """Common header + the given areas (None = area absent).  The MultiRecord
    area goes last and needs no padding."""
    offsets = []
    areas = b""
    next_offset = 1  # 8-byte units; the header itself is unit 0
    for area in (chassis, board, product):
        if area is None:
            offsets.append(0)
            continue
        offsets.append(next_offset)
        areas += area
        next_offset += len(area) // 8
    mr_offset = 0
    if multirecord is not None:
        mr_offset = next_offset
        areas += multirecord
    # version, internal use, chassis, board, product, multirecord, pad
    header = bytearray([FRU_FORMAT_VERSION, 0, *offsets, mr_offset, 0])
    header.append(checksum(header))
    return bytes(header) + areas


def mfg_minutes(when):
    """Board manufacturing date: minutes since 1996-01-01 00:00 UTC (3 bytes LE);
    None = unspecified (0)."""
    if when is None:
        return bytes(3)
    epoch = datetime.datetime(1996, 1, 1, tzinfo=datetime.timezone.utc)
    minutes = int((when - epoch).total_seconds() // 60)
    return minutes.to_bytes(3, "little")


def le16(v):
    return (v & 0xFFFF).to_bytes(2, "little")


BOARD_MFG_DATE = datetime.datetime(2024, 1, 15, 12, 0, tzinfo=datetime.timezone.utc)
BOARD2_MFG_DATE = datetime.datetime(2023, 6, 30, 23, 59, tzinfo=datetime.timezone.utc)

# FRU 0: what `ipmitool fru print 0` / `ipmi-fru` show for the BMC.
FRU0 = fru_image(
    chassis=info_area(
        [CHASSIS_RACK_MOUNT],
        ["CH-PN-0001",          # chassis part number
         "CH-SN-0001"]),        # chassis serial number
    board=info_area(
        [LANG_ENGLISH, *mfg_minutes(BOARD_MFG_DATE)],
        ["LabBoards Inc",       # board manufacturer
         "SimBoard X1",         # board product name
         "BRD-SN-12345",        # board serial number
         "BRD-PN-678",          # board part number
         ""]),                  # FRU file ID
    product=info_area(
        [LANG_ENGLISH],
        ["LabSystems",          # manufacturer
         "SimServer 1000",      # product name
         "SS1000-A",            # part/model number
         "1.0",                 # version
         "PRD-SN-0001",         # serial number
         "ASSET-42",            # asset tag
         ""]),                  # FRU file ID
)

# FRU 1: the power supply.
FRU1 = fru_image(
    product=info_area(
        [LANG_ENGLISH],
        ["PowerCo", "PSU 750W", "PSU-750", "A1", "PSU-SN-0007", "", ""]),
)

# FRU 2 MultiRecord area.
# Power Supply Information (FRU spec 18.1): 24 bytes.
PSU_INFO = bytes([
    *le16(750),             # overall capacity 750 W (bits 11:0)
    *le16(900),             # peak VA 900
    40,                     # inrush current 40 A
    5,                      # inrush interval 5 ms
    *le16(9000),            # input range 1 low end: 90.00 V (10 mV units)
    *le16(14000),           # input range 1 high end: 140.00 V
    *le16(18000),           # input range 2 low end: 180.00 V
    *le16(26400),           # input range 2 high end: 264.00 V
    47,                     # input frequency low 47 Hz
    63,                     # input frequency high 63 Hz
    20,                     # A/C dropout tolerance 20 ms
    0x0B,                   # flags: hot swap (3), power factor correction (1), predictive fail (0)
    *le16((2 << 12) | 800),  # peak wattage 800 W, hold-up time 2 s
    0x02, *le16(600),       # combined wattage: voltage 1 = 12V (0), voltage 2 = 5V (2); 600 W
    30,                     # predictive fail tachometer lower threshold 30 RPS
])
assert len(PSU_INFO) == 24


def dc_output(number, standby, nominal_10mv, neg_dev_10mv, pos_dev_10mv, ripple_mv, min_ma, max_ma):
    """DC Output (FRU spec 18.2): 13 bytes."""
    return bytes([(0x80 if standby else 0) | number, *le16(nominal_10mv), *le16(neg_dev_10mv),
                  *le16(pos_dev_10mv), *le16(ripple_mv), *le16(min_ma), *le16(max_ma)])


def dc_load(number, nominal_10mv, min_10mv, max_10mv, ripple_mv, min_ma, max_ma):
    """DC Load (FRU spec 18.3): 13 bytes."""
    return bytes([number, *le16(nominal_10mv), *le16(min_10mv), *le16(max_10mv),
                  *le16(ripple_mv), *le16(min_ma), *le16(max_ma)])


def mgmt_access(subtype, text):
    """Management Access Record (FRU spec 18.4): sub-record type + text."""
    return bytes([subtype]) + text.encode("ascii")


MULTIRECORDS = [
    (MR_POWER_SUPPLY, PSU_INFO),
    # output 1: +12 V, -0.60/+0.60 V, 120 mV ripple, 0.5..60 A
    (MR_DC_OUTPUT, dc_output(1, False, 1200, 60, 60, 120, 500, 60000)),
    # output 2: +5 V standby, -0.25/+0.25 V, 50 mV ripple, 0.1..3 A
    (MR_DC_OUTPUT, dc_output(2, True, 500, 25, 25, 50, 100, 3000)),
    # load 1: 12 V nominal, 11.40..12.60 V, 100 mV ripple, 1..40 A
    (MR_DC_LOAD, dc_load(1, 1200, 1140, 1260, 100, 1000, 40000)),
    (MR_MGMT_ACCESS, mgmt_access(0x02, "simserver-01")),                   # system name
    (MR_MGMT_ACCESS, mgmt_access(0x01, "http://127.0.0.1/mgmt")),          # system management URL
    # base compatibility: manufacturer 4753, entity 07h (system board), base 01h, code 02h, mask 0Fh
    (MR_BASE_COMPAT, bytes([0x91, 0x12, 0x00, 0x07, 0x01, 0x02, 0x0F])),
    # OEM: manufacturer 4753 + 5 bytes
    (MR_OEM, bytes([0x91, 0x12, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x42])),
]

# FRU 2: a big one (> 256 bytes).
FRU2 = fru_image(
    chassis=info_area(
        [CHASSIS_MAIN_SERVER],
        ["MB-CHASSIS-PN-2000-ABCDEF",
         "MB-CHASSIS-SN-0000000002",
         "Chassis custom field one",
         "Chassis custom field two"]),
    board=info_area(
        [LANG_ENGLISH, *mfg_minutes(BOARD2_MFG_DATE)],
        ["Mainboard Manufacturing Company Ltd",
         "Mainboard MB-2000 Dual Socket",
         "MB-SN-2000-000000000002",
         "MB-PN-2000-REV-C",
         "mb2000.fru",
         "Board custom: BIOS 2.10.4",
         "Board custom: BMC 9.08"]),
    product=info_area(
        [LANG_ENGLISH],
        ["Lab Systems International",
         "SimServer 2000 Rack Server",
         "SS2000-RACK-B",
         "2.0 rev B",
         "SS2000-SN-000000000002",
         "ASSET-2000-0002",
         "ss2000.fru",
         "Product custom: config A",
         "Product custom: config B",
         "Product custom: config C"]),
    multirecord=multirecord_area(MULTIRECORDS),
)

# FRU 3: every type/length encoding.
FRU3 = fru_image(
    board=info_area(
        [LANG_ENGLISH, *mfg_minutes(None)],      # manufacturing date unspecified
        ["M\u00fcller Ger\u00e4tebau",           # Latin-1 (0xFC, 0xE4)
         Six("SIXBIT BOARD"),                    # 6-bit ASCII, 12 characters = 9 bytes
         Bcd("0123456789"),                      # BCD plus, digits
         Bcd("12-34.5 67"),                      # BCD plus: dash, period, space
         "",                                     # FRU file ID: empty
         Bin(b"\x01\x02\xab\xcd"),               # custom: binary
         Six("CUSTOM 6-BIT"),                    # custom: 6-bit ASCII, 12 characters
         Bcd("3.14-159"),                        # custom: BCD plus
         "Caf\u00e9 cr\u00e8me"]),               # custom: Latin-1
    product=info_area(
        [LANG_ENGLISH],
        ["Encodings \u00c5B",                    # Latin-1 (0xC5)
         Six("PRODUCT 6BIT"),
         Bcd("555-0100"),
         Bin(b"\x10\x20"),                       # version: binary
         "ENC-SN-0003",
         "",                                     # asset tag: empty
         "",                                     # FRU file ID: empty
         Bin(b"\xfe\xed")]),                     # custom: binary
)

# (device id, image, size of the FRU inventory area ipmi_sim reports)
FRUS = [(0, FRU0, 256), (1, FRU1, 128), (2, FRU2, 1024), (3, FRU3, 256)]


def emu_command(devid, image, size):
    """One `mc_add_fru_data` command, 16 bytes per continuation line."""
    if len(image) > size:
        raise ValueError(f"FRU {devid}: image of {len(image)} bytes exceeds {size}")
    hexes = [f"0x{b:02x}" for b in image]
    rows = [" ".join(hexes[i:i + 16]) for i in range(0, len(hexes), 16)]
    return f"mc_add_fru_data 0x20 {devid} {size} data \\\n\t" + " \\\n\t".join(rows) + "\n"


def render():
    out = ["# fru.emu - GENERATED by mkfru.py, do not edit; included by sim.emu.\n"]
    for devid, image, size in FRUS:
        out.append(f"# FRU {devid}: {len(image)} bytes\n")
        out.append(emu_command(devid, image, size))
    return "".join(out)


def main(argv):
    text = render()
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2], encoding="ascii") as f:
            if f.read() != text:
                sys.stderr.write(f"{argv[2]} is stale: run {argv[0]} > {argv[2]}\n")
                return 1
        return 0
    if len(argv) == 2 and argv[1] == "--dump":
        for devid, image, _ in FRUS:
            print(f"FRU {devid} ({len(image)} bytes)")
            for i in range(0, len(image), 16):
                print(f"  {i:04x}: " + " ".join(f"{b:02x}" for b in image[i:i + 16]))
        return 0
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
