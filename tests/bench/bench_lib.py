"""Helpers for tests/bench/bench.sh (the `make bench` driver).

  bench_lib.py pet CTL-SOCKET SINK-PORT BMCS RATE SECS
      PET load through the real chain: RATE events a second for SECS seconds
      injected into the simulated BMCs (bmcsim's control socket, round robin
      over BMCS BMCs), each of which bmcsim sends as a PET to the daemon; the
      daemon's ipmiPlatformEvent arrives through snmpd at a UDP trap sink here.
      Each event carries its own number in event data 2-3 (data 1 = A0h: OEM
      codes in data 2 and 3), which the notification's ipmiEventData repeats,
      so each notification is matched to its injection.  Prints one line:
        sent=N injected_ok=N received=N p50_ms=X p99_ms=X
  bench_lib.py runs SECS CMD...
      Run CMD again and again until SECS seconds have passed (at least once);
      prints runs=N wall_s=X cpu_s=X (user + system of the children, their
      getrusage) failures=N
  bench_lib.py report FIGS JSON
      FIGS: "KEY<TAB>VALUE" lines (KEY is SECTION/NAME, VALUE a number or a
      text); writes JSON with every figure and prints the table.
"""
import datetime
import json
import os
import resource
import select
import socket
import subprocess
import sys
import time


def pet(ctl, sink_port, nbmcs, rate, secs):
    total = min(rate * secs, 65535)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(ctl)
    c.setblocking(False)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    rx.bind(("127.0.0.1", sink_port))
    rx.setblocking(False)
    sent_at = {}
    lat = []
    answers = {"ok": 0, "err": 0}
    buf = bytearray()
    out = bytearray()

    def drain():
        nonlocal buf
        while True:
            try:
                d = rx.recv(65536)
            except BlockingIOError:
                break
            # ipmiEventData: an OCTET STRING whose first bytes are A0h and the number
            at = 0
            while True:
                m = d.find(b"\xa0", at)
                if m < 0 or m + 3 > len(d):
                    break
                k = int.from_bytes(d[m + 1:m + 3], "big")
                if m >= 2 and d[m - 2] == 0x04 and k in sent_at:
                    lat.append(time.monotonic() - sent_at.pop(k))
                    break
                at = m + 1
        try:
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except BlockingIOError:
            pass
        *lines, rest = bytes(buf).split(b"\n")
        buf = bytearray(rest)
        for ln in lines:
            if ln == b"OK":
                answers["ok"] += 1
            elif ln.startswith(b"ERR"):
                answers["err"] += 1

    def flush():
        nonlocal out
        if out:
            try:
                n = c.send(out)
                del out[:n]
            except BlockingIOError:
                pass

    t0 = time.monotonic()
    for i in range(1, total + 1):
        out += b"inject-event %d 5 86 0x6f 0xa0 %d %d\n" % (i % nbmcs, i >> 8, i & 0xFF)
        sent_at[i] = time.monotonic()
        flush()
        due = t0 + i / rate
        while True:
            drain()
            flush()
            now = time.monotonic()
            if now >= due:
                break
            time.sleep(min(0.0005, due - now))
    end = time.monotonic() + 5
    while (sent_at or out) and time.monotonic() < end:
        flush()
        drain()
        time.sleep(0.01)
    lat.sort()

    def q(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    print("sent=%d injected_ok=%d received=%d p50_ms=%.2f p99_ms=%.2f" %
          (total, answers["ok"], len(lat), q(0.50), q(0.99)))


def runs(secs, cmd):
    t0 = time.monotonic()
    n = fails = 0
    while True:
        rc = subprocess.call(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        n += 1
        fails += rc != 0
        if time.monotonic() - t0 >= secs:
            break
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("runs=%d wall_s=%.3f cpu_s=%.3f failures=%d" %
          (n, time.monotonic() - t0, ru.ru_utime + ru.ru_stime, fails))


def num(v):
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v


def report(figs_path, json_path):
    figs = {}
    order = []
    with open(figs_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" not in line:
                continue
            k, v = line.split("\t", 1)
            if k not in figs:
                order.append(k)
            figs[k] = num(v)
    meta = {k[5:]: figs[k] for k in order if k.startswith("meta/")}
    doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "cores": os.cpu_count(), **meta, "figures": {k: figs[k] for k in order if not k.startswith("meta/")}}
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")

    def g(k, fmt="%s"):
        v = figs.get(k)
        if v is None:
            return "-"
        if isinstance(v, str):
            return v
        return fmt % v

    rows = []

    def row(figure, at, value):
        rows.append((figure, at, value))

    # readings/s and CPU per reading: one row per size, cipher, workers
    for k in order:
        if not (k.startswith("poll/") and k.endswith("/readings_per_s") or
                k.startswith("poll/") and k.endswith("/skipped")):
            continue
        base = k.rsplit("/", 1)[0]
        _, n, cipher, workers = base.split("/")
        at = "%s BMCs, cipher %s, %s worker%s" % (n, cipher[1:], workers[1:], "" if workers == "w1" else "s")
        if k.endswith("/skipped"):
            row("readings/s; bridge CPU us/reading", at, figs[k])
            continue
        v = figs[k]
        if isinstance(v, str):
            row("readings/s; bridge CPU us/reading", at, v)
            continue
        row("readings/s; bridge CPU us/reading", at,
            "%s/s; %s us; CPU: bridge %s%%, bmcsim %s%%; bound: %s%s" % (
                g(base + "/readings_per_s", "%.0f"), g(base + "/cpu_us_per_reading", "%.1f"),
                g(base + "/bridge_cpu_pct", "%.0f"), g(base + "/bmcsim_cpu_pct", "%.0f"),
                g(base + "/cpu_bound"),
                "" if figs.get(base + "/note") in (None, "") else "; " + g(base + "/note")))
    if "cold/bmcs" in figs:
        row("cold start: all BMCs polling", g("cold/bmcs") + " BMCs", g("cold/seconds", "%.1f s") + (
            "" if "cold/seconds_sdr_cache_warm" not in figs else
            " with an empty SDR cache; %s with it warm" % g("cold/seconds_sdr_cache_warm")))
        row("RSS per BMC after a full poll", g("cold/bmcs") + " BMCs", g("cold/rss_kb_per_bmc", "%.1f KB"))
    if "callgrind/ir_per_reading" in figs:
        v = figs["callgrind/ir_per_reading"]
        row("callgrind instructions per reading", g("callgrind/bmcs") + " BMCs",
            v if isinstance(v, str) else "%.0f Ir (%s readings, %s s)" % (
                v, g("callgrind/readings"), g("callgrind/seconds")))
    for k in order:
        if k.startswith("walk/") and k.endswith("/varbinds_per_s"):
            base = k.rsplit("/", 1)[0]
            v = figs[k]
            row("snmpbulkwalk ipmiSensorTable", "%s BMCs (%s rows)" % (base.split("/")[1], g(base + "/rows")),
                v if isinstance(v, str) else "%.0f varbinds/s (%s varbinds in %s s)" % (
                    v, g(base + "/varbinds"), g(base + "/seconds")))
    if "walk/per_row_ratio" in figs:
        row("  per-row cost, large / small table", g("walk/ratio_at"), g("walk/per_row_ratio", "%.2f"))
    if "walk/ceiling_varbinds_per_s" in figs:
        row("  ceiling: snmpd's own walk, in-process", "HOST-RESOURCES-MIB (%s varbinds)" % g("walk/ceiling_varbinds"),
            "%s varbinds/s (all of mib-2: %s/s)" % (g("walk/ceiling_varbinds_per_s", "%.0f"),
                                                   g("walk/mib2_varbinds_per_s", "%.0f")))
    for ph in ("idle", "busy"):
        if "get/%s/p50_ms" % ph in figs:
            v = figs["get/%s/p50_ms" % ph]
            row("snmpget p50/p99 " + ("(sensor-interval 3600)" if ph == "idle" else "while polling at full rate"),
                g("get/bmcs") + " BMCs",
                v if isinstance(v, str) else "%s / %s ms (%s GETs, %s errors%s)" % (
                    g("get/%s/p50_ms" % ph, "%.2f"), g("get/%s/p99_ms" % ph, "%.2f"), g("get/%s/requests" % ph),
                    g("get/%s/errors" % ph),
                    "; polling %s readings/s" % g("get/busy/readings_per_s", "%.0f") if ph == "busy" else ""))
    if "pet/p50_ms" in figs:
        v = figs["pet/p50_ms"]
        row("PET -> notification p50/p99; losses", "%s BMCs, %s PET/s" % (g("pet/bmcs"), g("pet/rate")),
            v if isinstance(v, str) else "%s / %s ms; %s of %s lost (snmptrapd logged %s; the daemon "
            "received %s PETs, %s bad, sent %s notifications)" % (
                g("pet/p50_ms", "%.2f"), g("pet/p99_ms", "%.2f"), g("pet/lost"), g("pet/sent"),
                g("pet/snmptrapd_logged"), g("pet/daemon_pets_received"), g("pet/daemon_pets_bad"),
                g("pet/daemon_notifications_sent")))
    if "freeipmi/cpu_us_per_reading" in figs:
        v = figs["freeipmi/cpu_us_per_reading"]
        row("FreeIPMI ipmi-sensors -F 64, warm SDR cache", g("freeipmi/bmcs") + " BMCs, cipher 17",
            v if isinstance(v, str) else "%s readings/s, %s us/reading; ours %s/s, %s us: ratio %s" % (
                g("freeipmi/readings_per_s", "%.0f"), g("freeipmi/cpu_us_per_reading", "%.1f"),
                g("freeipmi/ours_readings_per_s", "%.0f"), g("freeipmi/ours_cpu_us_per_reading", "%.1f"),
                g("freeipmi/ratio", "%.1fx")))
    w1 = max([len(r[0]) for r in rows] + [6])
    w2 = max([len(r[1]) for r in rows] + [2])
    print("| %-*s | %-*s | %s |" % (w1, "figure", w2, "at", "value"))
    print("|-%s-|-%s-|-%s-|" % ("-" * w1, "-" * w2, "-" * 5))
    for r in rows:
        print("| %-*s | %-*s | %s |" % (w1, r[0], w2, r[1], r[2]))
    print()
    for k in order:
        if k.startswith("meta/"):
            print("%s: %s" % (k[5:], figs[k]))
    print("cores: %d; %s; every figure in %s" % (doc["cores"], doc["date"], json_path))


def main():
    cmd = sys.argv[1]
    if cmd == "pet":
        pet(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "runs":
        runs(float(sys.argv[2]), sys.argv[3:])
    elif cmd == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit("bench_lib.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
