#!/usr/bin/env python3
"""getnext_probe.py - GETNEXT and GET at odd OIDs agree with a walk.

    getnext_probe.py WALK TARGET [SEED]

WALK: `snmpbulkwalk -On -Ox` of ipmiBridgeObjects (mib_vs_json.py reads it).
From its instances it derives probe OIDs around them: the instance itself,
its parent, its last sub-identifier -1 and +1, 0 and 2^32-1 appended, the
last replaced by 2^32-1, a column before the first and after the last.
Then, through snmpd at TARGET:
  GETNEXT(P) must be the smallest walked instance > P (or leave the MIB);
  GET(P) must answer exactly for the walked instances, noSuch* otherwise.
Output: "ok - ..." / "not ok - ..." lines.
"""
import random
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
import mib_vs_json as mj  # noqa: E402

MAX = 4294967295


def key(oid):
    return tuple(int(x) for x in oid.strip(".").split("."))


def name(k):
    return "." + ".".join(str(x) for x in k)


def query(cmd, target, oids):
    out = subprocess.run([cmd, "-v2c", "-c", "public", "-On", "-Ox", "-t", "5", "-r", "1", target]
                         + [name(o) for o in oids], capture_output=True, text=True, check=False)
    res = []
    for line in out.stdout.splitlines():
        m = mj.LINE.match(line)
        if m:
            res.append((key(m.group(1)), m.group(3)))
    return res, out.stdout + out.stderr


def main(argv):
    walk = sorted(key(o) for o in mj.parse_walk(argv[1]) if o.startswith(mj.OBJ + "."))
    target = argv[2]
    rnd = random.Random(int(argv[3]) if len(argv) > 3 else 1)
    obj = key(mj.OBJ)
    probes = set()
    sample = walk if len(walk) <= 400 else rnd.sample(walk, 400)
    for k in sample:
        probes.add(k)
        probes.add(k[:-1])
        probes.add(k[:-1] + (k[-1] + 1,))
        if k[-1] > 0:
            probes.add(k[:-1] + (k[-1] - 1,))
        probes.add(k + (0,))
        probes.add(k + (MAX,))
        probes.add(k[:-1] + (MAX,))
        if len(k) > len(obj) + 3:
            probes.add(k[:len(obj) + 3] + (0,))
            probes.add(k[:len(obj) + 3] + (MAX,))
    probes.add(obj)
    probes.add(obj[:-1])
    probes = sorted(p for p in probes if len(p) <= 128)

    def after(p):
        lo, hi = 0, len(walk)
        while lo < hi:
            mid = (lo + hi) // 2
            if walk[mid] <= p:
                lo = mid + 1
            else:
                hi = mid
        return walk[lo] if lo < len(walk) else None

    bad_next, bad_get = [], []
    walked = set(walk)
    for i in range(0, len(probes), 25):
        batch = probes[i:i + 25]
        res, raw = query("snmpgetnext", target, batch)
        if len(res) != len(batch):
            bad_next.append("batch at %s: %d answers for %d probes: %s" % (name(batch[0]), len(res), len(batch), raw[:300]))
            continue
        for p, (got, _) in zip(batch, res):
            want = after(p)
            ok = got == want if want is not None else got[:len(obj)] != obj
            if not ok:
                bad_next.append("GETNEXT %s: got %s, want %s" % (name(p), name(got), want and name(want)))
        res, raw = query("snmpget", target, batch)
        if len(res) != len(batch):
            bad_get.append("batch at %s: %d answers for %d probes: %s" % (name(batch[0]), len(res), len(batch), raw[:300]))
            continue
        for p, (got, val) in zip(batch, res):
            absent = val.startswith("No Such")
            if (p in walked) == absent:
                bad_get.append("GET %s: %s (walked: %s)" % (name(p), val[:60], p in walked))
    for what, bad in (("GETNEXT", bad_next), ("GET", bad_get)):
        if bad:
            print("not ok - %s at %d probe OIDs agrees with the walk (%d differ)" % (what, len(probes), len(bad)))
            for line in bad[:12]:
                print("#   " + line)
        else:
            print("ok - %s at %d probe OIDs agrees with the walk" % (what, len(probes)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
