#!/usr/bin/env python3
"""seeds.py - write the hand-built seeds of corpus/rmcpp and corpus/ipmi_msg.

Packets follow IPMI 2.0 section 13 (Table 13-8 session headers, Tables
13-10..13-14 session-setup payloads, 13.8 LAN messages, 22.13 and 22.15
responses).  Run from anywhere; files go next to this script.  The output is
committed; rerun only to change the seeds.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RMCP = bytes([0x06, 0x00, 0xFF, 0x07])  # version 1.0, no ACK, class IPMI


def cks(b):
    return (-sum(b)) & 0xFF


def lan_rsp(cmd, seq, data, netfn=0x07, lun=0):
    h = bytes([0x81, netfn << 2])  # to the remote console SWID
    t = bytes([0x20, (seq << 2) | lun, cmd]) + data
    return h + bytes([cks(h)]) + t + bytes([cks(t)])


def v15(payload):
    return RMCP + bytes([0x00]) + b"\0" * 8 + bytes([len(payload)]) + payload


def v20(ptype, payload, sid=0, seq=0):
    return RMCP + bytes([0x06, ptype]) + struct.pack("<IIH", sid, seq, len(payload)) + payload


def open_rsp(tag=1, status=0, csid=0x01000001, bsid=0x0BADC0DE, algs=(3, 4, 1)):
    p = bytes([tag, status, 4, 0]) + struct.pack("<II", csid, bsid)
    for t, a in zip((0, 1, 2), algs):
        p += bytes([t, 0, 0, 8, a, 0, 0, 0])
    return p


def rakp2(tag=1, status=0, csid=0x01000001, kex=32):
    return (bytes([tag, status, 0, 0]) + struct.pack("<I", csid) + bytes(range(16)) +
            bytes(range(0xA0, 0xB0)) + bytes([0x5A] * kex))


def rakp4(tag=1, status=0, csid=0x01000001, icv=16):
    return bytes([tag, status, 0, 0]) + struct.pack("<I", csid) + bytes([0x3C] * icv)


def write(sub, name, data):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


AUTHCAP = bytes([0x00, 0x01, 0x80, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00])
CIPHERS = bytes([0x00, 0x01, 0xC0, 0x03, 0x01, 0x41, 0x81, 0xC0, 0x11, 0x03, 0x44, 0x81])

# ---- rmcpp: whole datagrams before a session ---------------------------------
write("rmcpp", "authcap-rsp.bin", v15(lan_rsp(0x38, 1, AUTHCAP)))
write("rmcpp", "authcap-rsp-pad.bin", v15(lan_rsp(0x38, 1, AUTHCAP)) + b"\0")
write("rmcpp", "authcap-error.bin", v15(lan_rsp(0x38, 1, bytes([0xCC]))))
write("rmcpp", "open-rsp-17.bin", v20(0x11, open_rsp()))
write("rmcpp", "open-rsp-3.bin", v20(0x11, open_rsp(algs=(1, 1, 1))))
write("rmcpp", "open-rsp-refused.bin", v20(0x11, bytes([1, 0x11])))
write("rmcpp", "rakp2-17.bin", v20(0x13, rakp2()))
write("rmcpp", "rakp2-3.bin", v20(0x13, rakp2(kex=20)))
write("rmcpp", "rakp2-unauthorized.bin", v20(0x13, bytes([1, 0x0D])))
write("rmcpp", "rakp4-17.bin", v20(0x15, rakp4()))
write("rmcpp", "rakp4-3.bin", v20(0x15, rakp4(icv=12)))
write("rmcpp", "rakp4-bad-icv.bin", v20(0x15, bytes([1, 0x0F, 0, 0]) + struct.pack("<I", 0x01000001)))
# first byte picks the session keys (suite 17, contexts prepared), the rest a datagram
write("rmcpp", "session-17-encrypted.bin",
      bytes([0x07]) + RMCP + bytes([0x06, 0xC0]) + struct.pack("<IIH", 0x01000001, 1, 32) +
      bytes(32) + b"\xff\xff\x02\x07" + bytes(16))
write("rmcpp", "session-1-clear.bin",
      bytes([0x00]) + v20(0x00, lan_rsp(0x01, 2, bytes([0] + list(range(15)))), 0x01000001, 1))

# ---- ipmi_msg: one LAN message ------------------------------------------------
write("ipmi_msg", "authcap.bin", lan_rsp(0x38, 1, AUTHCAP))
write("ipmi_msg", "ciphers.bin", lan_rsp(0x54, 3, CIPHERS))
write("ipmi_msg", "ciphers-oem.bin",
      lan_rsp(0x54, 3, bytes([0x00, 0x01, 0xC1, 0x80, 0x57, 0x01, 0x00, 0x01, 0x41, 0x81])))
write("ipmi_msg", "devid.bin",
      lan_rsp(0x01, 5, bytes([0x00, 0x20, 0x81, 0x09, 0x08, 0x02, 0xBF, 0x91, 0x12, 0x00,
                              0x02, 0x0F, 0, 0, 0, 0])))
write("ipmi_msg", "guid.bin", lan_rsp(0x37, 6, bytes([0x00]) + bytes(range(0x10, 0x20))))
write("ipmi_msg", "chassis.bin", lan_rsp(0x01, 7, bytes([0x00, 0x01, 0x00, 0x40, 0x00]), netfn=0x01))
write("ipmi_msg", "setpriv.bin", lan_rsp(0x3B, 8, bytes([0x00, 0x04])))
write("ipmi_msg", "close.bin", lan_rsp(0x3C, 9, bytes([0x00])))
write("ipmi_msg", "busy-lun1.bin", lan_rsp(0x2D, 63, bytes([0xC0]), netfn=0x05, lun=1))

# ---- session: configuration bytes, then OP LEN BYTES records (fuzz_session.c) --
RAW, REPLY, WRAPPED, TIME, REQUEST, REPEAT, CLOSE, CONNECT = range(8)
F_SHORT, F_CKSUM, F_AUTH, F_SEQ, F_OLD = 1, 2, 4, 8, 16


def rec(op, data=b"", flags=0):
    return bytes([op | flags << 3, len(data)]) + data


def session(c0, c1, *recs):
    return bytes([c0, c1]) + b"".join(recs)


UP = [rec(REPLY)] * 5  # auth caps, Open Session, RAKP 2, RAKP 4, Set Session Privilege
# c0: suite list (0 {17}, 1 {3}, 2 {2}, 3 {1}, 4 {0}, 5 {17,3}, 6 {3,17,2,1}, 7 {1,17}),
#     +8 K_G, +16/32/48 privilege, +64/128/192 in flight; c1: +4 retries, +16 requests,
#     +64 answer Close Session, +128 short idle-reopen
write("session", "up-17.bin", session(0x00, 0x50, *UP, rec(REPLY)))
write("session", "up-3-kg.bin", session(0x09, 0x50, *UP, rec(REPLY)))
write("session", "up-2-admin.bin", session(0x22, 0x51, *UP, rec(REPLY)))
write("session", "up-1-empty-user.bin", session(0x03, 0x51, *UP, rec(REPLY)))
write("session", "up-0.bin", session(0x04, 0x52, *UP, rec(REPLY)))
write("session", "fallback-17-to-3.bin",
      session(0x05, 0x50, rec(REPLY), rec(REPLY, b"\x00\x11"), *UP[1:], rec(REPLY)))
write("session", "cipher-list.bin",
      session(0x00, 0x10, rec(REPLY), rec(REPLY, b"\x00\x11"), rec(REPLY), rec(REPLY)))
write("session", "authcap-timeouts.bin", session(0x00, 0x14, *[rec(TIME)] * 6))
write("session", "rakp2-forged.bin", session(0x00, 0x10, *UP[:2], rec(REPLY, b"", F_AUTH)))
write("session", "rakp2-unauthorized.bin",
      session(0x00, 0x10, *UP[:2], rec(REPLY, b"\x00\x0d", F_SHORT)))
write("session", "rakp4-bad-icv.bin",
      session(0x01, 0x10, *UP[:3], rec(REPLY, bytes(8) + b"\x01", F_AUTH)))
write("session", "setpriv-refused.bin", session(0x10, 0x10, *UP[:4], rec(REPLY, b"\xd4")))
write("session", "inflight-busy-replay.bin",
      session(0xc0, 0x70, *UP,
              rec(REQUEST, b"\x04\x2d\x81\x01"), rec(REPLY, b"\xc0"), rec(REPLY, b"", F_OLD),
              rec(REPLY, b"", F_SEQ), rec(REPEAT), rec(TIME), rec(REPLY), rec(REPLY),
              rec(REPLY, b"\x00\x01\x02", F_CKSUM), rec(TIME), rec(REPLY)))
write("session", "request-timeout-reopen.bin",
      session(0x05, 0x90, *UP, rec(TIME), rec(TIME), rec(TIME), rec(TIME), *UP, rec(REPLY)))
write("session", "idle-reopen.bin",
      session(0x01, 0xd0, *UP, rec(REPLY), rec(TIME), rec(TIME), rec(TIME),
              rec(REQUEST, b"\x06\x01\x00"), *UP, rec(REPLY)))
write("session", "raw-and-wrapped.bin",
      session(0x00, 0x10, *UP,
              rec(RAW, v20(0x00, lan_rsp(0x01, 1, b"\x00"), 0x01000001, 9)),
              rec(RAW, v15(lan_rsp(0x38, 1, AUTHCAP))),
              rec(WRAPPED, b"\x00" + lan_rsp(0x01, 2, b"\x00\x20")),
              rec(WRAPPED, b"\x13" + bytes(40)), rec(REPLY)))
write("session", "close-connect.bin",
      session(0x00, 0x50, *UP, rec(CLOSE), rec(REQUEST, b"\x06\x01\x00"), rec(REPLY),
              rec(CONNECT), *UP))
