#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Soak: N migrations back and forth in a row between two "hosts" A and B
on loopback (TCP by default), each checked (both exit 0, equal device
digests), with each process's open fds, RSS (VmHWM) and hugepage use
(HugetlbPages) sampled while it runs, and what is left system-wide after
each migration: files in /dev/hugepages and /dev/shm, EAL runtime
directories and sockets of our prefixes, TCP sockets on our ports,
processes. Prints per-decile figures and exits non-zero on a failed
migration or growth.

    devtools/soak.py [--app PATH] [-n 200] [--transport tcp|rdma,...]
                     [--addr 127.0.0.1] [--write doc/RELIABILITY.md]
"""
import argparse
import os
import re
import socket
import stat
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEVS = ["sim,id=nic0,size=32M,page=64K,caps=pre_copy+p2p,dirty_rate=8M",
        "sim,id=nic1,size=16M,caps=stop_copy"]


def status(pid):
    out = {}
    try:
        for line in open("/proc/%d/status" % pid):
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "HugetlbPages"):
                out[k] = int(v.split()[0])
    except OSError:
        pass
    try:
        out["fds"] = len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        pass
    return out


def fd_kinds(pid):
    """Open fds of @pid by kind: socket, infiniband device, memfd, ..."""
    kinds = {}
    try:
        for f in os.listdir("/proc/%d/fd" % pid):
            t = os.readlink("/proc/%d/fd/%s" % (pid, f))
            k = ("infiniband" if "/dev/infiniband" in t else
                 "memfd" if t.startswith("/memfd:") else
                 t.split(":")[0] if ":" in t else "file")
            kinds[k] = kinds.get(k, 0) + 1
    except OSError:
        pass
    return kinds


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def read(path):
    try:
        return open(path, errors="replace").read()
    except OSError:
        return ""


def digests(text):
    return sorted(re.findall(r"device (\S+):.*device digest ([0-9a-f]+)$",
                             text, re.M))


def system(prefixes, ports):
    """What is left system-wide that belongs to us."""
    hp = [f for f in os.listdir("/dev/hugepages")
          if any(f.startswith(p) for p in prefixes)] \
        if os.path.isdir("/dev/hugepages") else []
    shm = len(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else 0
    rt, socks = 0, 0
    for d in ("/var/run/dpdk", os.environ.get("XDG_RUNTIME_DIR", "/x") +
              "/dpdk"):
        for p in prefixes:
            q = os.path.join(d, p)
            if os.path.isdir(q):
                rt += 1
                for f in os.listdir(q):
                    if stat.S_ISSOCK(os.lstat(os.path.join(q, f)).st_mode):
                        socks += 1
    ss = subprocess.run(["ss", "-tanH"], capture_output=True,
                        text=True).stdout
    tcp = [l for l in ss.splitlines() if "TIME-WAIT" not in l and
           any(re.search(r":%d\b" % p, l) for p in ports)]
    procs = subprocess.run(["pgrep", "-f", "file-prefix soak%d-" %
                            os.getpid()], capture_output=True,
                           text=True).stdout.split()
    return {"hugepage_files": len(hp), "dev_shm": shm, "runtime_dirs": rt,
            "unix_sockets": socks, "tcp_sockets": len(tcp),
            "processes": len(procs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", default=os.path.join(
        ROOT, "build/apps/dpdk-migrate/dpdk-migrate"))
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--transport", default="tcp")
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--no-huge", action="store_true")
    ap.add_argument("--write", help="doc file for the figures")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="soak.")
    key = os.path.join(tmp, "key")
    fd = os.open(key, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, os.urandom(32).hex().encode())
    os.close(fd)
    hosts = {"A": {"prefix": "soak%d-A" % os.getpid(), "lcore": "0"},
             "B": {"prefix": "soak%d-B" % os.getpid(), "lcore": "1"}}
    prefixes = [h["prefix"] for h in hosts.values()]
    mem = ["--no-huge", "-m", "256"] if a.no_huge else []
    ports = set()
    base = system(prefixes, ports)
    rows = []
    first_fds = {}
    failures = 0
    t_start = time.time()
    for i in range(a.n):
        src, dst = ("A", "B") if i % 2 == 0 else ("B", "A")
        port = free_port()
        ports.add(port)

        def cmd(h, role):
            c = [a.app, "-l", hosts[h]["lcore"], "--no-pci", "--file-prefix",
                 hosts[h]["prefix"], "--log-level=lib.eal:warning"] + mem + \
                ["--", "--role", role, "--key", key, "--transport",
                 a.transport]
            if role == "destination":
                c += ["--listen", "%s:%d" % (a.addr, port)]
            else:
                c += ["--peer", "%s:%d" % (a.addr, port),
                      "--max-precopy-time", "5000"]
            for k, dv in enumerate(DEVS):
                if role == "source":
                    dv += ",seed=%d" % (i * 2 + k + 1)
                else:
                    dv = re.sub(r",dirty_rate=[^,]*", "", dv)
                c += ["--dev", dv]
            return c
        dout, serr = os.path.join(tmp, "d.out"), os.path.join(tmp, "s.err")
        sout, derr = os.path.join(tmp, "s.out"), os.path.join(tmp, "d.err")
        dp = subprocess.Popen(cmd(dst, "destination"), stdout=open(dout, "w"),
                              stderr=open(derr, "w"),
                              stdin=subprocess.DEVNULL)
        end = time.time() + 60
        while time.time() < end and "listening on" not in read(dout) and \
                dp.poll() is None:
            time.sleep(0.02)
        sp = subprocess.Popen(cmd(src, "source"), stdout=open(sout, "w"),
                              stderr=open(serr, "w"),
                              stdin=subprocess.DEVNULL)
        peak = {"s": {}, "d": {}}
        t0 = time.time()
        while (sp.poll() is None or dp.poll() is None) and \
                time.time() - t0 < 120:
            for k, p in (("s", sp), ("d", dp)):
                if p.poll() is None:
                    for f, v in status(p.pid).items():
                        peak[k][f] = max(peak[k].get(f, 0), v)
            time.sleep(0.05)
            if i == 0 and sp.poll() is None:
                kinds = fd_kinds(sp.pid)
                if sum(kinds.values()) > sum(first_fds.values()):
                    first_fds.clear()
                    first_fds.update(kinds)
        for p in (sp, dp):
            if p.poll() is None:
                p.kill()
            p.wait()
        dt = time.time() - t0
        ok = sp.returncode == 0 and dp.returncode == 0 and \
            digests(read(sout)) == digests(read(dout)) and \
            len(digests(read(sout))) == len(DEVS)
        sysw = system(prefixes, ports)
        rows.append({"i": i, "ok": ok, "t": dt, "s": peak["s"],
                     "d": peak["d"], "sys": sysw})
        if not ok:
            failures += 1
            print("migration %d (%s -> %s) FAILED: source %s, destination %s"
                  % (i, src, dst, sp.returncode, dp.returncode))
            for f in (serr, derr):
                print("  " + "\n  ".join(read(f).splitlines()[-5:]))
        if i % 10 == 9 or not ok:
            print("%3d %s->%s %5.2f s  src fds %s hwm %s KiB huge %s KiB | "
                  "dst fds %s hwm %s KiB huge %s KiB | %s" %
                  (i + 1, src, dst, dt, peak["s"].get("fds"),
                   peak["s"].get("VmHWM"), peak["s"].get("HugetlbPages"),
                   peak["d"].get("fds"), peak["d"].get("VmHWM"),
                   peak["d"].get("HugetlbPages"),
                   " ".join("%s=%d" % kv for kv in sorted(sysw.items()))),
                  flush=True)
    total = time.time() - t_start
    # growth: first decile against last decile
    n = max(1, len(rows) // 10)
    first, last = rows[:n], rows[-n:]

    def avg(rs, side, f):
        v = [r[side].get(f, 0) for r in rs]
        return sum(v) / len(v) if v else 0

    def mx(rs, side, f):
        return max([r[side].get(f, 0) for r in rs] or [0])
    lines = []
    lines.append("%d migrations (%s, %s) in %.0f s, %d failed; "
                 "system-wide before: %s; after: %s." %
                 (len(rows), a.transport,
                  "--no-huge" if a.no_huge else "hugepages", total, failures,
                  ", ".join("%s %d" % kv for kv in sorted(base.items())),
                  ", ".join("%s %d" % kv for kv in
                            sorted(rows[-1]["sys"].items()))))
    lines.append("")
    lines.append("Open fds of the first source by kind: %s." % ", ".join(
        "%s %d" % kv for kv in sorted(first_fds.items())))
    lines.append("")
    lines.append("| per process (peak while it runs) | first %d | last %d "
                 "| max of all |" % (n, n))
    lines.append("|---|---|---|---|")
    grow = []
    for side, nm in (("s", "source"), ("d", "destination")):
        for f, unit in (("fds", ""), ("VmHWM", " KiB"),
                        ("HugetlbPages", " KiB")):
            f0, f1 = avg(first, side, f), avg(last, side, f)
            lines.append("| %s %s | %.0f%s | %.0f%s | %d%s |" %
                         (nm, f, f0, unit, f1, unit, mx(rows, side, f), unit))
            # a transient fd caught by one sample is not a leak; one fd
            # a migration is (+N/10 between the deciles)
            if f == "fds" and f1 > f0 + 1.5:
                grow.append("%s fds %.1f -> %.1f" % (nm, f0, f1))
            if f != "fds" and f1 > f0 * 1.05 + 1024:
                grow.append("%s %s %.0f -> %.0f KiB" % (nm, f, f0, f1))
    lines.append("| migration time | %.2f s | %.2f s | %.2f s |" % (
        sum(r["t"] for r in first) / n, sum(r["t"] for r in last) / n,
        max(r["t"] for r in rows)))
    # runtime_dirs: the EAL leaves its (empty, with --in-memory) runtime
    # directory, one per prefix, reused by the next run: not growth;
    # dev_shm counts every file of the machine's /dev/shm (shown only)
    left = [k for k, v in rows[-1]["sys"].items()
            if v > base.get(k, 0) and k not in ("dev_shm", "runtime_dirs")]
    print("\n".join(lines))
    if grow:
        print("GROWTH: " + "; ".join(grow))
    if left:
        print("LEFT BEHIND: " + ", ".join(left))
    if a.write:
        begin, end_ = "<!-- soak:begin -->", "<!-- soak:end -->"
        doc = read(a.write)
        block = "%s\n%s\n%s" % (begin, "\n".join(lines), end_)
        if begin in doc:
            doc = re.sub(re.escape(begin) + ".*?" + re.escape(end_),
                         lambda m: block, doc, flags=re.S)
        else:
            doc += "\n" + block + "\n"
        open(a.write, "w").write(doc)
    for p in prefixes:
        for d in ("/var/run/dpdk",):
            subprocess.run(["rm", "-rf", os.path.join(d, p)])
    subprocess.run(["rm", "-rf", tmp])
    return 1 if failures or grow or left else 0


if __name__ == "__main__":
    sys.exit(main())
