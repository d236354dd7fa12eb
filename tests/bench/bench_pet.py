"""PET load for tests/bench/bench_pet.sh: send RATE PETs per second for SECS
seconds to the bridge, and time each one's ipmiPlatformEvent as it arrives at
a UDP trap sink of snmpd.

  bench_pet.py TEMPLATE-HEX PET-PORT SINK-PORT RATE SECS

TEMPLATE-HEX is one SNMPv1 PET datagram built by snmptrap (Net-SNMP); each
sent copy gets its own sequence number and event data 1-3 (the PET's bytes
16-17 and 31-33, found after the payload's fixed GUID) so no two are
duplicates.  Event data 4-8 of the template are a marker that the
notification's ipmiEventData carries too: the 3 bytes before it name the PET.
Prints sent, received, and p50/p99 latency in ms.
"""
import socket
import sys
import time

GUID = bytes.fromhex("a123456789abcdef0123456789abcdef")
MARKER = bytes.fromhex("deadbeef42")


def main():
    tmpl = bytearray(bytes.fromhex(sys.argv[1]))
    pet_port, sink_port, rate, secs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    g = tmpl.find(GUID)
    assert g >= 0 and tmpl.find(MARKER) == g + 34, "template without the GUID/marker"
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    rx.bind(("127.0.0.1", sink_port))
    rx.setblocking(False)
    sent_at = {}
    lat = []

    def drain():
        while True:
            try:
                d = rx.recv(65536)
            except BlockingIOError:
                return
            m = d.find(MARKER)
            if m >= 3:
                k = int.from_bytes(d[m - 3:m], "big")
                if k in sent_at:
                    lat.append(time.monotonic() - sent_at.pop(k))

    total = rate * secs
    t0 = time.monotonic()
    for i in range(1, total + 1):
        tmpl[g + 16:g + 18] = (i & 0xFFFF).to_bytes(2, "big")
        tmpl[g + 31:g + 34] = i.to_bytes(3, "big")
        sent_at[i] = time.monotonic()
        tx.sendto(tmpl, ("127.0.0.1", pet_port))
        due = t0 + i / rate
        while True:
            drain()
            now = time.monotonic()
            if now >= due:
                break
            time.sleep(min(0.0005, due - now))
    end = time.monotonic() + 5
    while sent_at and time.monotonic() < end:
        drain()
        time.sleep(0.01)
    lat.sort()
    q = (lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000) if lat else (lambda p: float("nan"))
    print(f"sent {total} in {time.monotonic() - t0 - (5 if sent_at else 0):.1f} s, "
          f"notifications timed {len(lat)}, p50 {q(0.50):.2f} ms, p99 {q(0.99):.2f} ms")


if __name__ == "__main__":
    main()
