#!/usr/bin/env python3
"""sdnotify_sink.py SOCKET LOG: a stand-in for systemd's notification socket.

Binds an AF_UNIX datagram socket at SOCKET and appends each datagram it
receives to LOG as one line (newlines inside a datagram become ' | '),
flushed at once, until SIGTERM.  Used by test_sdnotify.sh.
"""
import os
import signal
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(log, "a", buffering=1) as out:
    out.write("listening\n")
    while True:
        data = s.recv(65536)
        out.write(data.decode("utf-8", "replace").replace("\n", " | ") + "\n")
