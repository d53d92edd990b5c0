#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""TCP proxy that flips one byte on the wire: a link that corrupts data.

    flip_proxy.py LISTEN_PORT TARGET_PORT OFFSET PORT_FILE

Listens on 127.0.0.1:LISTEN_PORT (0: any free port, written to PORT_FILE
once listening), forwards every connection to 127.0.0.1:TARGET_PORT both
ways, and inverts the byte at OFFSET of the first connection's
client-to-server direction. Runs until killed.
"""
import socket
import sys
import threading


def pump(src, dst, flip_at):
    off = 0
    try:
        while True:
            data = src.recv(1 << 16)
            if not data:
                break
            if 0 <= flip_at - off < len(data):
                i = flip_at - off
                data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
            off += len(data)
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    listen_port, target_port, offset = (int(a) for a in sys.argv[1:4])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(16)
    with open(sys.argv[4], "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    first = True
    while True:
        c, _ = ls.accept()
        s = socket.create_connection(("127.0.0.1", target_port))
        flip = offset if first else -1
        first = False
        threading.Thread(target=pump, args=(c, s, flip), daemon=True).start()
        threading.Thread(target=pump, args=(s, c, -1), daemon=True).start()


if __name__ == "__main__":
    main()
