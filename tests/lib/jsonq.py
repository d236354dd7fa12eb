#!/usr/bin/env python3
"""jsonq.py - tiny JSON query helper for the shell tests (stdlib only).

    jsonq.py FILE PATH          print the value at PATH
    jsonq.py --type FILE PATH   print its type: str int float bool null list
                                dict, or "missing"
    jsonq.py --len FILE PATH    print len() of the list/dict/str at PATH
    jsonq.py --tsv FILE LIST-PATH FIELD [FIELD...]
                                one line per element of the list at LIST-PATH,
                                the FIELDs (paths relative to the element)
                                separated by tabs
    jsonq.py --check FILE       exit 0 if FILE parses as JSON

FILE may be "-" for stdin.  PATH is dotted: "bmcs.0.device_id.device_id";
integer components index lists; "" or "." is the document itself.
Values print as: strings raw (no quotes, newlines kept so callers can test
for them), null -> "null", booleans -> "true"/"false", numbers and
containers as compact JSON.  Exit status: 0 ok, 1 unparsable JSON or bad
usage, 3 PATH missing (prints "<missing>").
"""
import json
import sys

MISSING = object()


def load(name):
    if name == "-":
        return json.load(sys.stdin)
    with open(name, encoding="utf-8") as f:
        return json.load(f)


def lookup(doc, path):
    cur = doc
    if path in ("", "."):
        return cur
    for part in path.split("."):
        if isinstance(cur, list):
            try:
                idx = int(part)
            except ValueError:
                return MISSING
            if not -len(cur) <= idx < len(cur):
                return MISSING
            cur = cur[idx]
        elif isinstance(cur, dict):
            if part not in cur:
                return MISSING
            cur = cur[part]
        else:
            return MISSING
    return cur


def render(value):
    if value is MISSING:
        return "<missing>"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def type_name(value):
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


def main(argv):
    mode = "get"
    if len(argv) > 1 and argv[1].startswith("--"):
        mode = argv[1][2:]
        argv = argv[:1] + argv[2:]
    try:
        if mode == "check" and len(argv) == 2:
            load(argv[1])
            return 0
        if mode in ("get", "type", "len") and len(argv) == 3:
            value = lookup(load(argv[1]), argv[2])
            if mode == "type":
                print(type_name(value))
                return 0
            if value is MISSING:
                print("<missing>")
                return 3
            if mode == "len":
                if not isinstance(value, (list, dict, str)):
                    print(f"jsonq: {argv[2]} has no length", file=sys.stderr)
                    return 1
                print(len(value))
                return 0
            print(render(value))
            return 0
        if mode == "tsv" and len(argv) >= 4:
            items = lookup(load(argv[1]), argv[2])
            if not isinstance(items, list):
                print(f"jsonq: {argv[2]} is not a list", file=sys.stderr)
                return 3
            for item in items:
                cells = [render(lookup(item, f)) for f in argv[3:]]
                print("\t".join(c.replace("\t", "\\t").replace("\n", "\\n") for c in cells))
            return 0
    except (OSError, ValueError) as e:  # json.JSONDecodeError is a ValueError
        print(f"jsonq: {e}", file=sys.stderr)
        return 1
    sys.stderr.write(__doc__)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
