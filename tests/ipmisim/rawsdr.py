#!/usr/bin/env python3
"""Append raw SDR records to an ipmi_sim SDR repository file.

    rawsdr.py REPOSITORY RAW-SDRS

REPOSITORY is what `sdrcomp -o` writes (ipmi_sim's persist format:
"last_add_time:i:N" and one "RECORD-ID:d:DATA" line per record, DATA with
bytes outside printable ASCII written as a backslash and two hex digits).
RAW-SDRS has one record per line, "TYPE BODY-BYTES..." in hex (see
raw-sdrs.txt); '#' starts a comment.  Each record gets the next record ID,
SDR version 51h, its type and the body length in front.

ipmi_sim reads the data lines bottom-up (the file lists the last record
first), so new lines go right below last_add_time.  Every byte is written
escaped, which ipmi_sim's reader accepts.  Standard library only.
"""
import re
import sys

SDR_VERSION = 0x51


def parse_raw(text):
    records = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            data = bytes(int(tok, 16) for tok in line.split())
        except ValueError:
            raise SystemExit(f"raw SDR line {lineno}: not hex bytes: {line!r}")
        if len(data) < 2 or len(data) - 1 > 255:
            raise SystemExit(f"raw SDR line {lineno}: need a type and 1-255 body bytes")
        records.append((data[0], data[1:]))
    return records


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="latin-1") as f:
        lines = f.read().split("\n")
    with open(argv[2], encoding="ascii") as f:
        records = parse_raw(f.read())
    ids = [int(m.group(1)) for m in (re.match(r"^(\d+):d:", ln) for ln in lines) if m]
    if not ids or not lines[0].startswith("last_add_time:"):
        raise SystemExit(f"{argv[1]}: not an sdrcomp repository")
    next_id = max(ids) + 1
    new = []
    for rtype, body in records:
        rec = bytes([next_id & 0xFF, next_id >> 8, SDR_VERSION, rtype, len(body)]) + body
        new.append(f"{next_id}:d:" + "".join(f"\\{b:02x}" for b in rec))
        next_id += 1
    # the last record comes first in the file
    lines[1:1] = reversed(new)
    with open(argv[1], "w", encoding="latin-1") as f:
        f.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
