# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Helpers of the Python integration tests (imported, not run): TAP
reporting, a key file, a destination and a source of dpdk-migrate started
in the background (--no-huge, one lcore), their DPDK runtime directories
cleaned up at exit."""
import atexit
import os
import re
import shutil
import subprocess
import tempfile
import time

RUN_DIRS = ["/var/run/dpdk", os.path.join(
    os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"), "dpdk")]


class Tap:
    """TAP lines; status() is the exit status of the script."""

    def __init__(self, plan):
        self.n = 0
        self.failed = 0
        print("1..%d" % plan, flush=True)

    def ok(self, cond, name, why="", *files):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
            return True
        self.failed += 1
        print("not ok %d - %s" % (self.n, name))
        for line in str(why).splitlines():
            print("#   " + line)
        for f in files:
            if os.path.exists(f):
                with open(f, errors="replace") as fh:
                    for line in fh.read().splitlines()[-20:]:
                        print("#   %s: %s" % (os.path.basename(f), line))
        print(end="", flush=True)
        return False

    def status(self):
        return 1 if self.failed else 0


class Run:
    """A temporary directory with a key; processes killed and runtime
    directories of prefixes starting with self.prefix removed at exit."""

    def __init__(self, app, name):
        self.app = app
        self.prefix = "%s-%d" % (name, os.getpid())
        self.tmp = tempfile.mkdtemp()
        self.procs = []
        self.key = os.path.join(self.tmp, "key")
        fd = os.open(self.key, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, os.urandom(32).hex().encode())
        os.close(fd)
        atexit.register(self.cleanup)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
        for d in RUN_DIRS:
            if os.path.isdir(d):
                for e in os.listdir(d):
                    if e.startswith(self.prefix):
                        shutil.rmtree(os.path.join(d, e), True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def start(self, tag, eal, args):
        """Start the application with EAL options @eal (a list; None: the
        file prefix <prefix>-<tag>) and application options @args; its
        stdout and stderr go to <tag>.out and <tag>.err."""
        if eal is None:
            eal = ["--file-prefix", "%s-%s" % (self.prefix, tag)]
        cmd = [self.app, "-l", "0", "--no-pci", "--no-huge", "-m", "512",
               "--log-level=lib.eal:warning"] + eal + ["--"] + args
        out = open(self.path(tag + ".out"), "w")
        err = open(self.path(tag + ".err"), "w")
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        out.close()
        err.close()
        self.procs.append(p)
        return p

    def wait_for(self, tag, pattern, timeout=30, ext=".out"):
        """The first match of regular expression @pattern in <tag><ext>
        within @timeout seconds, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with open(self.path(tag + ext)) as f:
                m = re.search(pattern, f.read())
            if m:
                return m
            time.sleep(0.05)
        return None

    def pair(self, dev_args, src_args=(), dst_args=(), src_eal=None,
             dst_eal=None):
        """Start a destination ("d") and a source ("s") of @dev_args;
        returns (source, destination) processes, or (None, destination)
        if the destination never listened."""
        d = self.start("d", dst_eal, ["--role", "destination", "--listen",
                                      "127.0.0.1:0", "--key", self.key] +
                       list(dev_args) + list(dst_args))
        m = self.wait_for("d", r"listening on (\S+)")
        if m is None:
            return None, d
        s = self.start("s", src_eal, ["--role", "source", "--peer",
                                      m.group(1), "--key", self.key] +
                       list(dev_args) + list(src_args))
        return s, d

    def finish(self, procs, timeout=60):
        """Exit statuses of @procs (None: killed after @timeout s)."""
        res = []
        for p in procs:
            try:
                res.append(p.wait(timeout))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                res.append(None)
        return res
