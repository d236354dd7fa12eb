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
