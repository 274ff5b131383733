#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Types at a serial console that Bochs serves on a TCP port (com1 mode=socket-server).

usage: console.py PORT LOG TIMEOUT [WAIT SEND]...

Connects (retrying while Bochs starts), records everything received in LOG,
and for each WAIT/SEND pair waits until the transcript, escape sequences
removed, matches the regex WAIT after the previous match, then sends SEND
(with \\r for Enter) one byte at a time, as a person types. Keeps recording
until the peer closes or TIMEOUT seconds have passed. Exits 1 if a WAIT never
matched.
"""
import re
import socket
import sys
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def main():
    port, log_path, timeout = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    steps = list(zip(sys.argv[4::2], sys.argv[5::2]))
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline:
                print("console: no connection", file=sys.stderr)
                return 1
            time.sleep(0.2)
    sock.settimeout(0.5)
    raw = b""
    seen = 0
    step = 0
    with open(log_path, "wb") as log:
        while time.monotonic() < deadline:
            try:
                data = sock.recv(4096)
                if not data:
                    break
                raw += data
                log.write(data)
                log.flush()
            except socket.timeout:
                pass
            if step < len(steps):
                text = ANSI.sub(b"", raw).replace(b"\r", b"").decode("latin-1")
                match = re.compile(steps[step][0], re.M).search(text, seen)
                if match:
                    seen = match.end()
                    for ch in steps[step][1].replace("\\r", "\r"):
                        sock.sendall(ch.encode())
                        time.sleep(0.05)
                    step += 1
    if step < len(steps):
        print(f"console: never saw {steps[step][0]!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
