#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Bounded memory under a malicious source (TAP).

    bounded_memory.py <path to dpdk-migrate>

A source written here from doc/wire-format.md (standard library only)
opens a TCP session (STREAM frame), passes HELLO/AUTH with the pre-shared
key (HMAC-SHA256 over peer nonce || own nonce || role) and describes one
sim device, then misbehaves. For each case a dpdk-migrate destination runs
with --no-huge (its chunk pool in ordinary memory, counted in its RSS) and
the test checks that its peak RSS (VmHWM) stays within its RSS when it
listens plus its configured pool plus a fixed bound (BOUND), and that it
either keeps going (what the protocol allows: a pre-copy that never ends,
KEEPALIVEs, skipped OPTIONAL frames) or fails at once with one line
"dpdk-migrate: destination, step <step>: <cause>" and its device reset.
"""
import hashlib
import hmac
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

APP = sys.argv[1] if len(sys.argv) > 1 else "build/apps/dpdk-migrate/dpdk-migrate"
BOUND = 48 << 20          # fixed bound over pool + listening RSS
PAGE = 4096
DEV_SIZE = 1 << 20        # the device: 256 pages of 4 KiB
SEED = 7

# --- wire format -----------------------------------------------------------
MAGIC = 0x5747494D
T_HELLO, T_AUTH, T_DEV_DESC, T_CHUNK, T_INIT_SENT = 1, 2, 3, 4, 5
T_CREDIT, T_KEEPALIVE, T_STREAM = 7, 11, 0x40
F_OPTIONAL = 1
FEAT = 1 | 2 | 4 | 16     # AUTH, PRECOPY, SWITCHOVER_ACK, P2P
CH_PRECOPY = 1

_T = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _T.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    t = _T
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def frame(ftype, body, flags=0, body_len=None, body_crc=None):
    if body_len is None:
        body_len = len(body)
    if body_crc is None:
        body_crc = crc32c(body)
    h = struct.pack("<IBBHIII", MAGIC, 1, ftype, flags, body_len, body_crc, 0)
    return h + struct.pack("<I", crc32c(h)) + body


def chunk_frame(dev, flags, index, payload, crc=None):
    if crc is None:
        crc = crc32c(payload)
    ch = struct.pack("<IIQII", dev, flags, index, len(payload), crc)
    return frame(T_CHUNK, ch, body_len=24 + len(payload),
                 body_crc=crc32c(ch)) + payload


def mix64(z):
    m = 0xFFFFFFFFFFFFFFFF
    z ^= z >> 30
    z = (z * 0xbf58476d1ce4e5b9) & m
    z ^= z >> 27
    z = (z * 0x94d049bb133111eb) & m
    z ^= z >> 31
    return z


def sim_page(page, version):
    """A page record of the sim device's stream (doc/drivers/sim.md)."""
    m = 0xFFFFFFFFFFFFFFFF
    h = mix64((mix64(SEED) + ((version << 32) | page)) & m)
    k = 0x9e3779b97f4a7c15
    words = [(h + i * k) & m for i in range(PAGE // 8)]
    return (struct.pack("<IIQ", 0x504d4953, version, page) +
            struct.pack("<%dQ" % len(words), *words))


def sim_header():
    return struct.pack("<IHHIIQQQQ", 0x484d4953, 1, 48, PAGE, 0, DEV_SIZE,
                       SEED, DEV_SIZE // PAGE, 0)


class Evil:
    """A source that speaks the wire format, then misbehaves."""

    def __init__(self, port, key):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.key = key
        self.credits = 0
        self.cv = threading.Condition()
        self.closed = False
        self.buf = b""
        self.frames = []
        self.reader = None

    def send(self, data):
        self.s.sendall(data)

    def recv_frame(self, limit=10):
        end = time.time() + limit
        while True:
            if len(self.buf) >= 24:
                blen = struct.unpack_from("<I", self.buf, 8)[0]
                if len(self.buf) >= 24 + blen:
                    f = self.buf[:24 + blen]
                    self.buf = self.buf[24 + blen:]
                    return f[5], f[24:]
            self.s.settimeout(max(0.01, end - time.time()))
            d = self.s.recv(65536)
            if not d:
                raise EOFError("destination closed")
            self.buf += d

    def handshake(self):
        sid = int(time.time() * 1e6) ^ os.getpid()
        self.send(frame(T_STREAM, struct.pack("<QHHI", sid, 0, 1, 0),
                        flags=F_OPTIONAL))
        nonce = os.urandom(32)
        hello = struct.pack("<BBBBIQIIII", 1, 1, 1, 0, 1 << 20, FEAT, 64, 1,
                            256, 0) + nonce + b"evil".ljust(32, b"\0")
        self.send(frame(T_HELLO, hello))
        peer_nonce = None
        while peer_nonce is None:
            t, body = self.recv_frame()
            if t == T_CREDIT:
                self.credits += struct.unpack_from("<I", body, 4)[0]
            elif t == T_HELLO:
                peer_nonce = body[32:64]
        mac = hmac.new(self.key, peer_nonce + nonce + b"\x01",
                       hashlib.sha256).digest()
        self.send(frame(T_AUTH, mac))
        while True:
            t, body = self.recv_frame()
            if t == T_CREDIT:
                self.credits += struct.unpack_from("<I", body, 4)[0]
            elif t == T_AUTH:
                break
        desc = struct.pack("<IIQQ", 0, 1 << 20, 1 | 4, DEV_SIZE) + \
            b"a".ljust(64, b"\0") + b"sim".ljust(32, b"\0")
        self.send(frame(T_DEV_DESC, desc))

    def start_reader(self):
        """Consume the destination's frames (credits, echoes)."""
        def run():
            try:
                while True:
                    t, body = self.recv_frame(3600)
                    if t == T_CREDIT:
                        with self.cv:
                            self.credits += struct.unpack_from("<I", body,
                                                               4)[0]
                            self.cv.notify_all()
                    self.frames.append(t)
            except (OSError, EOFError):
                pass
            with self.cv:
                self.closed = True
                self.cv.notify_all()
        self.reader = threading.Thread(target=run, daemon=True)
        self.reader.start()

    def take_credit(self, limit=5):
        with self.cv:
            end = time.time() + limit
            while self.credits == 0 and not self.closed:
                if not self.cv.wait(max(0, end - time.time())):
                    return False
            if self.closed:
                return False
            self.credits -= 1
            return True

    def close(self):
        # shutdown first: a close() alone sends no FIN while the reader
        # thread still blocks in recv() on the socket
        try:
            self.s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.s.close()
        except OSError:
            pass


# --- the destination ---------------------------------------------------------
def status(pid, field):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Dest:
    def __init__(self, tmp, name, key_file, extra=()):
        self.out = os.path.join(tmp, name + ".out")
        self.err = os.path.join(tmp, name + ".err")
        self.prefix = "mig-bmem-%d-%s" % (os.getpid(), name)
        cmd = [APP, "-l", "0", "--no-pci", "--no-huge", "-m", "256",
               "--file-prefix", self.prefix, "--log-level=lib.eal:warning",
               "--", "--role", "destination", "--listen", "127.0.0.1:0",
               "--key", key_file, "-v", "--timeout", "3000",
               "--transport", "tcp,window=32",
               "--dev", "sim,id=a,size=1M,page=4K,caps=pre_copy"] + list(extra)
        self.p = subprocess.Popen(cmd, stdout=open(self.out, "w"),
                                  stderr=open(self.err, "w"),
                                  stdin=subprocess.DEVNULL)
        self.port = None
        end = time.time() + 30
        while time.time() < end and self.port is None:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", read(self.out))
            if m:
                self.port = int(m.group(1))
            time.sleep(0.05)
        m = re.search(r"chunk pool mig_sess_dst: (\d+) x (\d+) bytes",
                      read(self.err))
        self.pool = int(m.group(1)) * int(m.group(2)) if m else 0
        self.rss0 = status(self.p.pid, "VmRSS")
        self.hwm = 0
        self.sampling = True
        threading.Thread(target=self.sample, daemon=True).start()

    def sample(self):
        while self.sampling and self.p.poll() is None:
            self.hwm = max(self.hwm, status(self.p.pid, "VmHWM"))
            time.sleep(0.02)

    def limit(self):
        return self.rss0 + self.pool + BOUND

    def wait(self, limit):
        try:
            rc = self.p.wait(limit)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = "hang"
            self.p.wait()
        self.sampling = False
        return rc

    def alive(self):
        return self.p.poll() is None

    def error_lines(self):
        return re.findall(r"^dpdk-migrate: destination, step [a-z-]+: .*$",
                          read(self.err), re.M)

    def reset(self):
        return "dpdk-migrate: destination: device a: state running (reset)" \
            in read(self.err)

    def cleanup(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        for d in ("/var/run/dpdk", os.environ.get("XDG_RUNTIME_DIR", "/x") +
                  "/dpdk"):
            subprocess.run(["rm", "-rf", os.path.join(d, self.prefix)])


def read(path):
    try:
        return open(path, errors="replace").read()
    except OSError:
        return ""


# --- the cases -----------------------------------------------------------------
N = 0
FAILED = 0


def report(name, ok, why, d=None):
    global N, FAILED
    N += 1
    if ok:
        print("ok %d - %s" % (N, name))
        return
    FAILED += 1
    print("not ok %d - %s" % (N, name))
    print("#   " + why)
    if d is not None:
        for line in read(d.err).splitlines()[-15:]:
            print("#   d.err: " + line)
    sys.stdout.flush()


def mib(x):
    return "%.1f MiB" % (x / 1048576.0)


def fails_cleanly(name, d, evil, pattern, limit=15):
    rc = d.wait(limit)
    evil.close()
    lines = d.error_lines()
    ok = (rc not in (0, "hang") and len(lines) == 1 and
          re.search(pattern, lines[0]) is not None and d.reset() and
          d.hwm <= d.limit())
    print("# %s: VmHWM %s, limit %s (listening %s + pool %s + %s); %s" %
          (name, mib(d.hwm), mib(d.limit()), mib(d.rss0), mib(d.pool),
           mib(BOUND), lines[0] if lines else "no error line"))
    report(name, ok, "expected exit non-zero with one line matching '%s', "
           "device reset, VmHWM within the limit (exit %s)" % (pattern, rc),
           d)


def case_oversize(tmp, keyf, key):
    for what, data, pattern in (
            ("CHUNK of 2 GiB", frame(T_CHUNK, b"", body_len=0x7FFFFFF0,
                                     body_crc=0), "exceeds|length|limit"),
            ("control frame of 1 GiB", frame(T_INIT_SENT, b"",
                                             body_len=1 << 30, body_crc=0),
             "length|limit|exceeds"),
            ("OPTIONAL frame over max_optional",
             frame(0x30, b"", flags=F_OPTIONAL, body_len=(1 << 20) + 8,
                   body_crc=0), "length|limit|exceeds")):
        d = Dest(tmp, "over%d" % N, keyf)
        e = Evil(d.port, key)
        e.handshake()
        e.send(data)
        # and keep the link open, streaming garbage as the "body"
        try:
            e.s.settimeout(2)
            for _ in range(64):
                e.send(b"\xaa" * 65536)
        except OSError:
            pass
        fails_cleanly("oversized length: %s" % what, d, e, pattern)
        d.cleanup()


def precopy_chunks():
    """The device's stream cut into chunks of 16 page records, each
    (payload, crc): the first begins with the header. Resent in a loop
    as dirty pages, the same bytes (version 1 after the first pass)."""
    first, again = [], []
    per = 16
    npages = DEV_SIZE // PAGE
    for v, out in ((0, first), (1, again)):
        for p0 in range(0, npages, per):
            pl = b"".join(sim_page(p, v) for p in range(p0, p0 + per))
            if v == 0 and p0 == 0:
                pl = sim_header() + pl
            out.append((pl, crc32c(pl)))
    return first, again


def case_endless(tmp, keyf, key, chunks):
    first, again = chunks
    d = Dest(tmp, "endless", keyf)
    e = Evil(d.port, key)
    e.handshake()
    e.start_reader()
    sent = idx = 0
    end = time.time() + 8
    seq = first + again * 100000
    for pl, crc in seq:
        if time.time() > end or not e.take_credit():
            break
        e.send(chunk_frame(0, CH_PRECOPY, idx, pl, crc))
        idx += 1
        sent += len(pl)
    alive = d.alive()
    time.sleep(0.5)
    alive = alive and d.alive()
    e.close()
    t_close = time.time()
    rc = d.wait(15)
    print("# endless pre-copy: destination ended %.1f s after the close" %
          (time.time() - t_close))
    lines = d.error_lines()
    ok = (alive and sent > 2 * d.pool and d.hwm <= d.limit() and
          rc not in (0, "hang") and len(lines) == 1 and d.reset())
    print("# endless pre-copy: %d chunks, %s sent in 8 s (pool %s); VmHWM %s,"
          " limit %s; then closed: %s" %
          (idx, mib(sent), mib(d.pool), mib(d.hwm), mib(d.limit()),
           lines[0] if lines else "no error line"))
    report("endless pre-copy (more than twice the pool, within credits): "
           "accepted, memory bounded, a clean failure when the source goes",
           ok, "alive %s, sent %d, exit %s" % (alive, sent, rc), d)
    d.cleanup()


def case_ahead(tmp, keyf, key, chunks):
    first, _ = chunks
    pl, crc = first[1]
    for what, index in (("window + 1", 256), ("2^40", 1 << 40)):
        d = Dest(tmp, "ahead%d" % N, keyf)
        e = Evil(d.port, key)
        e.handshake()
        e.start_reader()
        e.take_credit()
        e.send(chunk_frame(0, CH_PRECOPY, index, pl, crc))
        fails_cleanly("chunk far ahead of the window (index %s)" % what, d,
                      e, "window|range|index")
        d.cleanup()


def case_no_credit(tmp, keyf, key, chunks):
    first, again = chunks
    d = Dest(tmp, "nocredit", keyf)
    e = Evil(d.port, key)
    e.handshake()
    # no reader: the credits are ignored, chunks sent as fast as TCP takes
    seq = first + again * 50
    try:
        e.s.settimeout(5)
        for i, (pl, crc) in enumerate(seq):
            e.send(chunk_frame(0, CH_PRECOPY, i, pl, crc))
    except OSError:
        pass
    fails_cleanly("chunks beyond the credits granted", d, e,
                  "credit")
    d.cleanup()


def case_flood(tmp, keyf, key):
    # KEEPALIVEs (allowed, echoed) without reading the echoes, and
    # unknown OPTIONAL frames of 64 KiB (allowed, skipped): keeps going
    d = Dest(tmp, "flood", keyf)
    e = Evil(d.port, key)
    e.handshake()
    ka = b"".join(frame(T_KEEPALIVE, struct.pack("<II", i, 0),
                        flags=F_OPTIONAL) for i in range(1000))
    # (the TCP transport bounds a control frame, and so an unknown
    # OPTIONAL one, to 1024 bytes: 1000 is allowed)
    opt = frame(0x30, b"\x00" * 1000, flags=F_OPTIONAL)
    n_ka = n_opt = 0
    end = time.time() + 6
    e.s.settimeout(1)
    try:
        while time.time() < end:
            e.send(ka)
            n_ka += 1000
            e.send(opt * 64)
            n_opt += 64
    except OSError:
        pass
    alive = d.alive()
    e.close()
    t_close = time.time()
    rc = d.wait(15)
    print("# flood: destination ended %.1f s after the close" %
          (time.time() - t_close))
    lines = d.error_lines()
    ok = alive and d.hwm <= d.limit() and rc not in (0, "hang") and \
        len(lines) == 1 and d.reset()
    print("# flood: %d KEEPALIVEs (echoes never read), %d OPTIONAL frames of"
          " 1000 bytes in 6 s, destination %s; VmHWM %s, limit %s; %s" %
          (n_ka, n_opt, "alive" if alive else "ended", mib(d.hwm),
           mib(d.limit()), lines[0] if lines else "no error line"))
    report("flood of KEEPALIVE and small OPTIONAL frames: accepted, "
           "memory bounded, a one-line error when the source goes", ok,
           "alive %s, exit %s" % (alive, rc), d)
    d.cleanup()
    # duplicated control frames: the second INIT_SENT is refused
    d = Dest(tmp, "dup", keyf)
    e = Evil(d.port, key)
    e.handshake()
    e.start_reader()
    init = frame(T_INIT_SENT, struct.pack("<IIQ", 0, 0, 0))
    try:
        for _ in range(10000):
            e.send(init)
    except OSError:
        pass
    fails_cleanly("flood of INIT_SENT: the duplicate is refused", d, e,
                  "INIT_SENT|duplicate|exist|once")
    d.cleanup()


def main():
    tmp = tempfile.mkdtemp(prefix="bmem.")
    keyf = os.path.join(tmp, "key")
    key = os.urandom(32)
    fd = os.open(keyf, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, key.hex().encode())
    os.close(fd)
    print("1..9")
    sys.stdout.flush()
    t0 = time.time()
    chunks = precopy_chunks()
    try:
        case_oversize(tmp, keyf, key)
        case_endless(tmp, keyf, key, chunks)
        case_ahead(tmp, keyf, key, chunks)
        case_no_credit(tmp, keyf, key, chunks)
        case_flood(tmp, keyf, key)
    finally:
        subprocess.run(["rm", "-rf", tmp])
    print("# %.1f s" % (time.time() - t0))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
