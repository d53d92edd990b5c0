#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Fault matrix: phase x side x fault over TCP between two dpdk-migrate
processes on loopback, each cell checked against the reliability
requirements; the table goes into doc/RELIABILITY.md ("Fault matrix").

    devtools/fault_matrix.py [--app PATH] [--write DOC] [--phase P,...]
                             [--side S,...] [--fault F,...] [--keep]

Phases: handshake, precopy, switchover, stopcopy, commit.
Sides: source, destination.
Faults: sigkill, sigstop, cut, netem, devfail, corrupt.

Every migration goes through a frame-aware TCP proxy (standard library
only) that sees each frame of the wire format (doc/wire-format.md) and can
hold all traffic at a chosen frame, cut the connection towards one side
(RST to it, silence to the other) or flip a payload byte of a chosen
chunk. How each phase is hit:

  handshake   the proxy holds the destination's HELLO (sent once it has
              accepted the session's streams): both sides wait in the
              handshake when the fault strikes;
  precopy     the proxy holds the 3rd PRECOPY chunk;
  switchover  the proxy holds the 1st STOPCOPY chunk: the source has just
              decided, quiesced and stopped its devices (downtime runs),
              the destination has all pre-copy data and nothing of
              stop-copy. The source's switchover step itself (waiting for
              in-flight saves, the P2P arcs) takes microseconds with sim
              devices, too short for a signal; the device fault
              (fail_arc on PRE_COPY -> PRE_COPY_P2P) fails inside it;
  stopcopy    the proxy holds the 3rd STOPCOPY chunk;
  commit      the proxy holds the destination's DONE: the destination has
              committed, the source waits for DONE in step commit.

Each cell checks: both processes end (none hangs); a side that fails
exits non-zero with one line "dpdk-migrate: <role>, step <step>: <cause>"
(naming the device when a device is at fault); the source's devices end
RUNNING (or STOP after a completed migration); the destination's devices
are reset (never left RUNNING on partial state), or the destination
completed with the source's digests; no hugepage file, socket (ss, the EAL
runtime directory) or process is left. Exit status 0 when every cell that
applies passes.
"""
import argparse
import json
import os
import re
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ["handshake", "precopy", "switchover", "stopcopy", "commit"]
PHASE_STEP = {"handshake": "handshake", "precopy": "pre-copy",
              "switchover": "switchover", "stopcopy": "stop-copy",
              "commit": "commit"}
SIDES = ["source", "destination"]
FAULTS = ["sigkill", "sigstop", "cut", "netem", "devfail", "corrupt"]

T_HELLO, T_CHUNK, T_DONE = 1, 4, 9
F_PRECOPY, F_STOPCOPY = 1, 2
MAGIC = 0x5747494D
TIMEOUT_MS = 2000

# Devices: a has pre-copy and P2P, dirties 1 MB/s and takes 100 ms per
# command (several pre-copy rounds); b is STOP_COPY only (its whole state
# moves in stop-copy).
SRC_A = ("sim,id=a,size=8M,caps=pre_copy+p2p,seed=5,latency=100ms,"
         "dirty_rate=1M")
SRC_B = "sim,id=b,size=8M,caps=stop_copy,seed=6"
DST_A = "sim,id=a,size=8M,caps=pre_copy+p2p"
DST_B = "sim,id=b,size=8M,caps=stop_copy"


class Proxy:
    """TCP proxy between the source and the destination, parsing frames."""

    def __init__(self, target_port):
        self.target = target_port
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.go = threading.Event()
        self.go.set()
        self.lock = threading.Lock()
        self.count = {}
        self.trigger = None     # (direction, type, chunk flag, nth)
        self.action = None      # "hold" or "flip"
        self.fired = threading.Event()
        self.pairs = []         # (client socket, server socket)
        self.dead = False
        self.done_frame = False  # the s2c frame being forwarded is DONE
        self.done_sent = False   # DONE was forwarded to the source
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            try:
                s = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                c.close()
                continue
            with self.lock:
                self.pairs.append((c, s))
            threading.Thread(target=self.pump, args=(c, s, "c2s"),
                             daemon=True).start()
            threading.Thread(target=self.pump, args=(s, c, "s2c"),
                             daemon=True).start()

    def classify(self, direction, hdr):
        """Called at each frame start; returns the byte to flip or -1."""
        magic, _ver, ftype, _flags, blen = struct.unpack_from("<IBBHI", hdr)
        if magic != MAGIC:
            return -1, 0
        if direction == "s2c" and ftype == T_DONE:
            self.done_frame = True
        flag = 0
        if ftype == T_CHUNK:
            flag = struct.unpack_from("<I", hdr, 28)[0]
        key = (direction, ftype, flag)
        with self.lock:
            n = self.count.get(key, 0) + 1
            self.count[key] = n
            t = self.trigger
            if t is not None and t == (direction, ftype, flag, n):
                self.trigger = None
                if self.action == "hold":
                    self.go.clear()
                    self.fired.set()
                    return -1, blen
                self.fired.set()
                # a payload byte of this chunk: after 24 + 24 bytes
                return 48 + min(1000, blen - 25), blen
        return -1, blen

    def pump(self, src, dst, direction):
        buf = b""
        skip = 0        # bytes of the current frame still to forward
        flip = -1       # offset in the current frame to invert
        foff = 0        # bytes of the current frame forwarded
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                buf += data
                while buf:
                    if skip == 0:
                        if len(buf) < 32:
                            # a frame shorter than 32 bytes is complete
                            # with its 24-byte header (e.g. 8-byte body)
                            if len(buf) < 24:
                                break
                            blen = struct.unpack_from("<I", buf, 8)[0]
                            if 24 + blen > len(buf):
                                break
                        flip, blen = self.classify(direction,
                                                   buf[:32].ljust(32, b"\0"))
                        skip = 24 + blen
                        foff = 0
                    n = min(skip, len(buf))
                    out = bytearray(buf[:n])
                    if 0 <= flip - foff < n:
                        out[flip - foff] ^= 0xFF
                    self.go.wait()
                    if self.dead:
                        return
                    dst.sendall(out)
                    buf = buf[n:]
                    skip -= n
                    foff += n
                    if skip == 0 and direction == "s2c" and \
                            self.done_frame:
                        # the destination's DONE is in the source's socket
                        self.done_sent = True
        except OSError:
            pass
        if self.dead:
            return
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def arm(self, direction, ftype, flag, nth, action):
        with self.lock:
            self.trigger = (direction, ftype, flag, nth)
            self.action = action

    def hold(self):
        self.go.clear()

    def release(self):
        self.go.set()

    def cut(self, side):
        """RST towards @side, silence towards the other side."""
        self.dead = True
        with self.lock:
            for c, s in self.pairs:
                victim = c if side == "source" else s
                try:
                    victim.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
                    victim.close()
                except OSError:
                    pass
        self.go.set()

    def close(self):
        self.dead = True
        self.go.set()
        try:
            self.ls.shutdown(socket.SHUT_RDWR)
            self.ls.close()
        except OSError:
            pass
        with self.lock:
            for c, s in self.pairs:
                for x in (c, s):
                    try:
                        x.close()
                    except OSError:
                        pass


class MarkTrigger:
    """RDMA: no proxy; the fault strikes when the source's -v log marks
    the phase (plus a delay). Same interface as Proxy."""

    port = 0
    done_sent = False

    def __init__(self, log):
        self.log = log
        self.fired = threading.Event()
        self.mark = None

    def arm_mark(self, mark, delay):
        def run():
            if wait_file(self.log, mark, 60):
                time.sleep(delay)
                self.fired.set()
        threading.Thread(target=run, daemon=True).start()

    def hold(self):
        pass

    def release(self):
        pass

    def close(self):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def mem_opts():
    try:
        nr = int(open("/proc/sys/vm/nr_hugepages").read())
    except OSError:
        nr = 0
    if (os.environ.get("MIG_TEST_NO_HUGE") != "1" and nr > 0 and
            " hugetlbfs " in open("/proc/mounts").read() and
            os.access("/dev/hugepages", os.W_OK)):
        return []
    return ["--no-huge", "-m", "256"]


def wait_file(path, text, limit):
    end = time.time() + limit
    while time.time() < end:
        try:
            if text in open(path, errors="replace").read():
                return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def read(path):
    try:
        return open(path, errors="replace").read()
    except OSError:
        return ""


def sockets_on(port):
    out = subprocess.run(["ss", "-tanH"], capture_output=True,
                         text=True).stdout
    return [l for l in out.splitlines() if re.search(r":%d\b" % port, l)]


def leftovers(prefix):
    left = []
    try:
        left += ["/dev/hugepages/" + f for f in os.listdir("/dev/hugepages")
                 if f.startswith(prefix)]
    except OSError:
        pass
    for d in ("/var/run/dpdk", os.environ.get("XDG_RUNTIME_DIR", "/x") +
              "/dpdk"):
        p = os.path.join(d, prefix)
        if os.path.isdir(p):
            for f in os.listdir(p):
                fp = os.path.join(p, f)
                if stat.S_ISSOCK(os.lstat(fp).st_mode):
                    left.append(fp)
    return left


def rm_runtime(prefix):
    for d in ("/var/run/dpdk", os.environ.get("XDG_RUNTIME_DIR", "/x") +
              "/dpdk"):
        p = os.path.join(d, prefix)
        if os.path.isdir(p):
            subprocess.run(["rm", "-rf", p])


NETEM = False           # --netem: namespaces and sch_netem available
TRANSPORT = "tcp"       # --transport rdma: no proxy, faults timed by -v marks
ADDR = "127.0.0.1"      # --addr: where the destination listens (rdma: rxe)
NS, IF_D, IF_S = "fmns", "fm0", "fm1"
NS_DST, NS_SRC = "10.77.0.2", "10.77.0.1"


def applies(phase, side, fault):
    """None when the cell applies, else the reason it does not."""
    if TRANSPORT == "rdma":
        if fault == "netem":
            return ("two processes on one rxe device: their traffic "
                    "crosses no qdisc")
        if fault == "cut":
            return "no proxy can stand between RDMA queue pairs here"
        if fault == "corrupt" and side == "destination":
            return "corrupting a chunk on the wire needs the TCP proxy"
        if phase == "switchover" and fault in ("sigkill", "sigstop"):
            return ("the switchover step lasts microseconds and no frame "
                    "ends it that a signal could wait for on RDMA")
    if fault == "netem" and not NETEM:
        return ("host kernel has no sch_netem; run in the lab "
                "(tests/lab/scenarios/netem_faults.sh)")
    if fault == "devfail":
        if phase == "handshake":
            return "no device operation during the handshake"
        if phase == "switchover" and side == "destination":
            return ("the destination has no switchover step: its devices "
                    "only load (pre-copy, stop-copy rows)")
    if fault == "corrupt" and phase in ("handshake", "switchover",
                                        "commit"):
        return "no chunk moves in this phase"
    return None


class Cell:
    def __init__(self, phase, side, fault):
        self.phase, self.side, self.fault = phase, side, fault
        self.problems = []
        self.outcome = ""
        self.na = applies(phase, side, fault)


def devs_for(cell):
    sa, sb, da, db = SRC_A, SRC_B, DST_A, DST_B
    if TRANSPORT == "rdma":
        # no proxy holds stop-copy: make it last (the -v mark times it)
        sb += ",bandwidth=8M"
    if cell.fault == "devfail":
        if cell.side == "source":
            if cell.phase == "precopy":
                sa += ",fail_save=3"
            elif cell.phase == "switchover":
                sa += ",fail_arc=pre_copy-pre_copy_p2p"
            elif cell.phase == "stopcopy":
                sb += ",fail_save=3"
            elif cell.phase == "commit":
                sa += ",fail_arc=stop_copy-stop"
        else:
            if cell.phase == "precopy":
                da += ",fail_load=3"
            elif cell.phase == "stopcopy":
                db += ",fail_load=3"
            elif cell.phase == "commit":
                da += ",fail_arc=resuming-stop"
    if cell.fault == "corrupt" and cell.side == "source":
        if cell.phase == "precopy":
            sa += ",corrupt_save=3"
        else:
            sb += ",corrupt_save=3"
    return [sa, sb], [da, db]


def sh(*cmd):
    return subprocess.run(list(cmd), capture_output=True, text=True)


def netem_setup():
    """A network namespace for the source, a veth pair to it."""
    netem_teardown()
    for c in (["ip", "netns", "add", NS],
              ["ip", "link", "add", IF_D, "type", "veth", "peer", "name",
               IF_S],
              ["ip", "link", "set", IF_S, "netns", NS],
              ["ip", "addr", "add", NS_DST + "/24", "dev", IF_D],
              ["ip", "link", "set", IF_D, "up"],
              ["ip", "netns", "exec", NS, "ip", "addr", "add",
               NS_SRC + "/24", "dev", IF_S],
              ["ip", "netns", "exec", NS, "ip", "link", "set", IF_S, "up"],
              ["ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up"]):
        r = sh(*c)
        if r.returncode != 0:
            return "%s: %s" % (" ".join(c), r.stderr.strip())
    return None


def netem_teardown():
    sh("ip", "link", "del", IF_D)
    sh("ip", "netns", "del", NS)


def netem_qdisc(side, on):
    """1% loss and 50 ms delay on the egress of @side's veth end."""
    pre = ["ip", "netns", "exec", NS] if side == "source" else []
    dev = IF_S if side == "source" else IF_D
    if on:
        r = sh(*(pre + ["tc", "qdisc", "add", "dev", dev, "root", "netem",
                        "loss", "1%", "delay", "50ms"]))
        return None if r.returncode == 0 else r.stderr.strip()
    sh(*(pre + ["tc", "qdisc", "del", "dev", dev, "root"]))
    return None


def run_netem_cell(app, cell, tmp, keep):
    """No cut: netem on @side's egress from the start of the phase to the
    end; the migration must complete with equal digests. The application's
    defaults (--timeout 10 s, --max-precopy-time 60 s): slower, not
    broken."""
    name = "%s-%s-%s" % (cell.phase, cell.side, cell.fault)
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    key = os.path.join(tmp, "key")
    pre = "fm%d-%s" % (os.getpid(), name)
    dport = free_port()
    sdevs, ddevs = devs_for(cell)
    common = ["--key", key, "-v"]
    eal = ["--no-pci", "--log-level=lib.eal:warning"] + mem_opts()
    dcmd = [app, "-l", "1", "--file-prefix", pre + "-d"] + eal + \
        ["--", "--role", "destination", "--listen",
         "%s:%d" % (NS_DST, dport)] + common
    for x in ddevs:
        dcmd += ["--dev", x]
    scmd = ["ip", "netns", "exec", NS, app, "-l", "0", "--file-prefix",
            pre + "-s"] + eal + \
        ["--", "--role", "source", "--peer", "%s:%d" % (NS_DST, dport)] + \
        common
    for x in sdevs:
        scmd += ["--dev", x]
    files = {}
    for k in ("s.out", "s.err", "d.out", "d.err"):
        files[k] = open(os.path.join(d, k), "w")
    dp = subprocess.Popen(dcmd, stdout=files["d.out"], stderr=files["d.err"],
                          stdin=subprocess.DEVNULL)
    if not wait_file(d + "/d.out", "listening on", 60):
        cell.problems.append("destination did not listen")
    if cell.phase == "handshake":
        err = netem_qdisc(cell.side, True)
        if err:
            cell.problems.append("tc: " + err)
    sp = subprocess.Popen(scmd, stdout=files["s.out"], stderr=files["s.err"],
                          stdin=subprocess.DEVNULL)
    t0 = time.time()
    if cell.phase != "handshake":
        mark = "step %s at" % PHASE_STEP[cell.phase]
        log = d + ("/d.err" if cell.side == "destination" and
                   cell.phase != "switchover" else "/s.err")
        if wait_file(log, mark, 120):
            err = netem_qdisc(cell.side, True)
            if err:
                cell.problems.append("tc: " + err)
        else:
            cell.problems.append("phase not reached")
    rc = {}
    for side, p in (("source", sp), ("destination", dp)):
        try:
            p.wait(max(1, 240 - (time.time() - t0)))
            rc[side] = p.returncode
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc[side] = "hang"
            cell.problems.append("%s did not exit" % side)
    t = time.time() - t0
    netem_qdisc(cell.side, False)
    for f in files.values():
        f.close()
    sout, dout = read(d + "/s.out"), read(d + "/d.out")
    if rc["source"] != 0 or rc["destination"] != 0:
        cell.problems.append("did not complete")
    elif not digests(sout) or digests(sout) != digests(dout):
        cell.problems.append("digests differ")
    left = leftovers(pre + "-s") + leftovers(pre + "-d")
    if left:
        cell.problems.append("left behind: %s" % " ".join(left[:4]))
    cell.outcome = describe(cell, d, rc) + ", equal digests" * (
        not cell.problems) + " (%.1f s)" % t
    rm_runtime(pre + "-s")
    rm_runtime(pre + "-d")
    if not keep and not cell.problems:
        subprocess.run(["rm", "-rf", d])
    return cell


def run_cell(app, cell, tmp, keep):
    if cell.fault == "netem":
        return run_netem_cell(app, cell, tmp, keep)
    name = "%s-%s-%s" % (cell.phase, cell.side, cell.fault)
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    key = os.path.join(tmp, "key")
    pre = "fm%d-%s" % (os.getpid(), name)
    dport = free_port()
    sdevs, ddevs = devs_for(cell)
    common = ["--key", key, "--timeout", str(TIMEOUT_MS), "-v",
              "--transport", TRANSPORT]
    eal = ["--no-pci", "--log-level=lib.eal:warning"] + mem_opts()
    dcmd = [app, "-l", "1", "--file-prefix", pre + "-d"] + eal + \
        ["--", "--role", "destination", "--listen", "%s:%d" % (ADDR, dport),
         "--json", d + "/d.json"] + common
    for x in ddevs:
        dcmd += ["--dev", x]
    if TRANSPORT == "rdma":
        proxy = MarkTrigger(d + "/s.err")
        peer = "%s:%d" % (ADDR, dport)
    else:
        proxy = Proxy(dport)
        peer = "127.0.0.1:%d" % proxy.port
    scmd = [app, "-l", "0", "--file-prefix", pre + "-s"] + eal + \
        ["--", "--role", "source", "--peer", peer,
         "--json", d + "/s.json", "--max-precopy-time", "3000"] + common
    for x in sdevs:
        scmd += ["--dev", x]
    with open(d + "/cmd", "w") as f:
        f.write(" ".join(dcmd) + "\n" + " ".join(scmd) + "\n")
    files = {}
    for k in ("s.out", "s.err", "d.out", "d.err"):
        files[k] = open(os.path.join(d, k), "w")
    dp = subprocess.Popen(dcmd, stdout=files["d.out"], stderr=files["d.err"],
                          stdin=subprocess.DEVNULL)
    procs = {"source": None, "destination": dp}
    fired_at = None
    if not wait_file(d + "/d.out", "listening on", 30):
        cell.problems.append("destination did not listen")
    # what the proxy watches for
    trig = {"handshake": ("s2c", T_HELLO, 0, 1),
            "precopy": ("c2s", T_CHUNK, F_PRECOPY, 3),
            "switchover": ("c2s", T_CHUNK, F_STOPCOPY, 1),
            "stopcopy": ("c2s", T_CHUNK, F_STOPCOPY, 3),
            "commit": ("s2c", T_DONE, 0, 1)}
    wire = cell.fault in ("sigkill", "sigstop", "cut") or \
        (cell.fault == "corrupt" and cell.side == "destination")
    marks = {"handshake": ("connected at", 0),
             "precopy": ("step pre-copy at", 0.3),
             "stopcopy": ("step stop-copy at", 0.1),
             "commit": ("step commit at", 0)}
    if TRANSPORT == "rdma":
        if wire and cell.phase in marks:
            proxy.arm_mark(*marks[cell.phase])
    elif wire and cell.phase in trig:
        proxy.arm(*trig[cell.phase],
                  action="flip" if cell.fault == "corrupt" else "hold")
    sp = subprocess.Popen(scmd, stdout=files["s.out"], stderr=files["s.err"],
                          stdin=subprocess.DEVNULL)
    procs["source"] = sp
    t0 = time.time()
    hit = True
    if wire and cell.fault != "corrupt":
        hit = proxy.fired.wait(40)
        if not hit:
            cell.problems.append("phase not reached")
        else:
            # the other side is in the phase too (the hold keeps it
            # there): give it a moment to block on the held traffic
            if TRANSPORT != "rdma":
                time.sleep(0.2)
            victim = procs[cell.side]
            fired_at = time.time()
            if victim.poll() is not None:
                cell.problems.append("%s ended before the fault" % cell.side)
            elif cell.fault == "sigkill":
                victim.kill()
                victim.wait()
                proxy.release()
            elif cell.fault == "sigstop":
                victim.send_signal(signal.SIGSTOP)
                proxy.release()
                time.sleep(TIMEOUT_MS / 1000.0 + 1.5)
                victim.send_signal(signal.SIGCONT)
            elif cell.fault == "cut":
                proxy.cut(cell.side)
    # both must end by themselves within the limit
    limit = time.time() + 75
    rc = {}
    for side in SIDES:
        p = procs[side]
        while p.poll() is None and time.time() < limit:
            time.sleep(0.05)
        if p.poll() is None:
            p.kill()
            p.wait()
            rc[side] = "hang"
            cell.problems.append("%s did not exit (killed after the limit)"
                                 % side)
        elif cell.fault == "sigkill" and side == cell.side and fired_at:
            rc[side] = "killed"
        else:
            rc[side] = p.returncode
    t_end = time.time()
    proxy.close()
    for f in files.values():
        f.close()
    check(cell, d, rc, pre, dport, proxy.port)
    if proxy.done_sent and rc["source"] not in (0, "killed", "hang") and \
            rc["destination"] == 0:
        cell.problems.append("the source failed although the destination's "
                             "DONE had reached it: the destination runs the "
                             "devices, the source resumed them too")
    ends = "%.1f s" % (t_end - (fired_at or t0))
    cell.outcome = describe(cell, d, rc) + " (ended %s after the %s)" % (
        ends, "fault" if fired_at else "start")
    rm_runtime(pre + "-s")
    rm_runtime(pre + "-d")
    if not keep and not cell.problems:
        subprocess.run(["rm", "-rf", d])
    return cell


def err_line(text, role):
    m = re.findall(r"^dpdk-migrate: %s, step [a-z-]+: .*$" % role, text,
                   re.M)
    return m


def states(text, role):
    return dict(re.findall(r"^dpdk-migrate: %s: device (\S+): state (.*)$"
                           % role, text, re.M))


def digests(text):
    return sorted(re.findall(r"device (\S+):.*device digest ([0-9a-f]+)$",
                             text, re.M))


def check(cell, d, rc, pre, dport, pport):
    serr, derr = read(d + "/s.err"), read(d + "/d.err")
    sout, dout = read(d + "/s.out"), read(d + "/d.out")
    ok = {s: rc[s] == 0 for s in SIDES}
    # a completed source means a committed destination
    if ok["source"]:
        if not (ok["destination"] or rc["destination"] == "killed"):
            cell.problems.append("source completed, destination did not")
        if ok["destination"] and digests(sout) != digests(dout):
            cell.problems.append("digests differ")
    for role, text in (("source", serr), ("destination", derr)):
        r = rc[role]
        if r in ("killed", "hang") or r == 0:
            continue
        lines = err_line(text, role)
        if len(lines) != 1:
            cell.problems.append("%s: %d error lines" % (role, len(lines)))
        if cell.fault in ("devfail", "corrupt"):
            # the side that sees the device fault names the device
            sees = cell.side if cell.fault == "devfail" else "destination"
            if role == sees and lines and \
                    not re.search(r"device [ab]\b", lines[0]):
                cell.problems.append("%s: error does not name the device"
                                     % role)
    # source devices RUNNING after a failure, STOP after success
    if rc["source"] not in ("killed", "hang"):
        st = states(serr, "source")
        if rc["source"] != 0:
            if sorted(st) != ["a", "b"] or \
                    any(v != "running" for v in st.values()):
                cell.problems.append("source devices: %s" % st)
    # destination: reset after a failure (never RUNNING on partial state)
    if rc["destination"] not in ("killed", "hang"):
        st = states(derr, "destination")
        if rc["destination"] != 0:
            if sorted(st) != ["a", "b"] or \
                    any(v != "running (reset)" for v in st.values()):
                cell.problems.append("destination devices: %s" % st)
        elif "migration complete" not in dout:
            cell.problems.append("destination exit 0 without completion")
    left = leftovers(pre + "-s") + leftovers(pre + "-d")
    if left:
        cell.problems.append("left behind: %s" % " ".join(left[:4]))
    socks = (sockets_on(dport) if TRANSPORT == "tcp" else []) + \
        (sockets_on(pport) if pport else [])
    socks = [s for s in socks if "TIME-WAIT" not in s]
    if socks:
        cell.problems.append("sockets: %s" % "; ".join(socks[:3]))


def describe(cell, d, rc):
    parts = []
    for role, f in (("source", "s"), ("destination", "d")):
        r = rc[role]
        if r == "killed":
            parts.append("%s killed" % role)
            continue
        if r == "hang":
            parts.append("%s HANG" % role)
            continue
        if r == 0:
            parts.append("%s ok" % role)
            continue
        line = err_line(read("%s/%s.err" % (d, f)), role)
        line = line[0][len("dpdk-migrate: "):] if line else "(no line)"
        if len(line) > 150:
            line = line[:147] + "..."
        parts.append("exit %s: `%s`" % (r, line.replace("|", "/")))
    return "; ".join(parts)


def table(cells):
    out = []
    out.append("| phase | side | " + " | ".join(FAULTS) + " |")
    out.append("|---|---|" + "---|" * len(FAULTS))
    by = {(c.phase, c.side, c.fault): c for c in cells}
    for p in PHASES:
        for s in SIDES:
            row = []
            for f in FAULTS:
                c = by.get((p, s, f))
                if c is None:
                    row.append("")
                elif c.na:
                    row.append("n/a")
                else:
                    row.append("FAIL" if c.problems else "pass")
            out.append("| %s | %s | %s |" % (p, s, " | ".join(row)))
    out.append("")
    out.append("| cell | result | outcome |")
    out.append("|---|---|---|")
    for c in cells:
        n = "%s / %s / %s" % (c.phase, c.side, c.fault)
        if c.na:
            out.append("| %s | n/a | %s |" % (n, c.na))
        else:
            res = "FAIL: " + "; ".join(c.problems) if c.problems else "pass"
            out.append("| %s | %s | %s |" % (n, res.replace("|", "/"),
                                             c.outcome))
    return "\n".join(out)


def write_doc(path, text, summary, marker="fault-matrix"):
    begin, end = "<!-- %s:begin -->" % marker, "<!-- %s:end -->" % marker
    doc = open(path).read()
    block = "%s\n%s\n\n%s\n%s" % (begin, summary, text, end)
    if begin in doc:
        doc = re.sub(re.escape(begin) + ".*?" + re.escape(end),
                     lambda m: block, doc, flags=re.S)
    else:
        doc += "\n" + block + "\n"
    open(path, "w").write(doc)


def main():
    global NETEM, TRANSPORT, ADDR, TIMEOUT_MS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--app", default=os.path.join(
        ROOT, "build/apps/dpdk-migrate/dpdk-migrate"))
    ap.add_argument("--write", help="doc file to write the table into")
    ap.add_argument("--phase", default=",".join(PHASES))
    ap.add_argument("--side", default=",".join(SIDES))
    ap.add_argument("--fault", default=",".join(FAULTS))
    ap.add_argument("--keep", action="store_true",
                    help="keep the logs of passing cells too")
    ap.add_argument("--netem", action="store_true",
                    help="run the netem cells (network namespaces, tc "
                    "netem: the lab VM)")
    ap.add_argument("--tap", action="store_true", help="TAP output")
    ap.add_argument("--timeout-ms", type=int, default=TIMEOUT_MS,
                    help="--timeout of both sides (SIGSTOP lasts 1.5 s "
                    "more)")
    ap.add_argument("--no-run", action="store_true",
                    help="run nothing: write the --load cells")
    ap.add_argument("--marker", default="fault-matrix",
                    help="the doc block to write: <!-- MARKER:begin -->")
    ap.add_argument("--transport", default="tcp", choices=["tcp", "rdma"],
                    help="rdma: no proxy, faults timed by the -v marks")
    ap.add_argument("--addr", default="127.0.0.1",
                    help="the destination's address (rdma: the rxe one)")
    ap.add_argument("--save", help="save the cells as JSON")
    ap.add_argument("--load", action="append", default=[],
                    help="cells of an earlier run (JSON) replacing these")
    a = ap.parse_args()
    TRANSPORT, ADDR, TIMEOUT_MS = a.transport, a.addr, a.timeout_ms
    if a.netem:
        err = netem_setup()
        if err:
            print("cannot set up the netem namespace: %s" % err)
            return 1
        NETEM = True
    tmp = tempfile.mkdtemp(prefix="fault_matrix.")
    os.chmod(tmp, 0o700)
    key = os.path.join(tmp, "key")
    fd = os.open(key, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, os.urandom(32).hex().encode())
    os.close(fd)
    cells = []
    if a.tap:
        print("1..%d" % (len(a.phase.split(",")) * len(a.side.split(",")) *
                         len(a.fault.split(","))))
    for p in ([] if a.no_run else a.phase.split(",")):
        for s in a.side.split(","):
            for f in a.fault.split(","):
                c = Cell(p, s, f)
                if not c.na:
                    run_cell(a.app, c, tmp, a.keep)
                cells.append(c)
                res = "n/a" if c.na else ("FAIL " + "; ".join(c.problems)
                                          if c.problems else "pass")
                if a.tap:
                    print("%s %d - %s %s %s%s%s" % (
                        "not ok" if c.problems else "ok", len(cells), p, s,
                        f, " # SKIP " + c.na if c.na else "",
                        ": " + res if c.problems else ""))
                    print("# " + (c.outcome or c.na or ""), flush=True)
                else:
                    print("%-10s %-11s %-7s %s  %s" % (p, s, f, res,
                                                       c.outcome), flush=True)
    if a.netem:
        netem_teardown()
    if a.save:
        json.dump([c.__dict__ for c in cells], open(a.save, "w"), indent=1)
    for path in a.load:
        for x in json.load(open(path)):
            c = Cell(x["phase"], x["side"], x["fault"])
            c.__dict__.update(x)
            cells = [y for y in cells if (y.phase, y.side, y.fault) !=
                     (c.phase, c.side, c.fault)] + [c]
    order = {(p, s_, f): i for i, (p, s_, f) in enumerate(
        (p, s_, f) for p in PHASES for s_ in SIDES for f in FAULTS)}
    cells.sort(key=lambda c: order[(c.phase, c.side, c.fault)])
    npass = sum(1 for c in cells if not c.na and not c.problems)
    nfail = sum(1 for c in cells if not c.na and c.problems)
    nna = sum(1 for c in cells if c.na)
    summary = ("%d cells: %d passed, %d failed, %d n/a (%s, %s, "
               "`devtools/fault_matrix.py`, --timeout %d ms)." %
               (len(cells), npass, nfail, nna, TRANSPORT.upper(),
                time.strftime("%Y-%m-%d", time.gmtime()), TIMEOUT_MS))
    if any(c.fault == "netem" and not c.na for c in cells):
        summary = summary[:-1] + ("; the netem cells ran in the lab VM "
                                  "(6.12, TCG) with the default limits.")
    if a.tap:
        summary = "# " + summary
    print(summary)
    print(("# " if a.tap else "") + "logs of failed cells: %s" % tmp)
    if a.write:
        write_doc(a.write, table(cells), summary, a.marker)
    if nfail == 0 and not a.keep:
        subprocess.run(["rm", "-rf", tmp])
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
