#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Nested QEMU VMs migrating mig_vfio_pci devices, for the qemu_* lab
scenarios (python3 standard library only). Runs inside the lab guest with
the devices bound to mig_vfio_pci; prints unnumbered TAP lines
("ok - ...", "not ok - ...", "# ...") and exits 0 when all passed.

  qemu_mig.py [options] CASE SRC_BDF[,BDF] DST_BDF[,BDF]

CASE:
  main       device state in the main migration channel
  multifd    multifd device-state transfer (2 channels, both sides)
  cancel     migrate_cancel mid-transfer, then a second migration
  killdst    the destination QEMU killed mid-transfer, then a second one
  roundtrip  A -> B, then B -> A (the migrated VM migrated back)
  blocked    QEMU must refuse to migrate with --expect MESSAGE
  agentfail  offload (doc/offload.md): the first migration must fail
             (--interrupt-cmd run --interrupt-after seconds into it, e.g.
             an agent killed; or none, e.g. no agent on the destination),
             the source VM and its devices running; then --between-cmd
             (an agent restarted) and a second migration that completes
  offload    offload mode: --relay (tests/lab/offload_relay.c) attached
             to both devices moves the state, QEMU only the offload record
  offload_kill  the relay dies in PRE_COPY, then in STOP_COPY: each
             migration fails, the source VM and device keep running; then
             one with a new relay succeeds

The source's BAR2 is filled with seeded bytes and the destination's with
other ones before the VMs start; after both VMs quit, the destination's
BAR2 (read through sysfs, tests/lab/vfio_bar.py) must equal the source's at
stop time, i.e. the source's after its VM quit (it is paused from the stop
on).
"""
import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfio_bar import bar  # noqa: E402  BAR2 through sysfs, enabled

QEMU = "qemu-system-x86_64"
FAILED = 0
VMS = []
# What QEMU 10 says of a device without usable dirty tracking when
# enable-migration=on (with auto it refuses the device)
NO_DIRTY = "doesn't support device and IOMMU dirty tracking"


def tap(ok, what):
    global FAILED
    if not ok:
        FAILED += 1
    print("%s - %s" % ("ok" if ok else "not ok", what), flush=True)
    return ok


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


# --- BAR2 through sysfs (vfio_bar.bar: only while no VM holds the device)
def bar_fill(bdf, seed):
    m = bar(bdf)
    m[:] = random.Random(seed).randbytes(len(m))
    m.flush()
    m.close()


def bar_digest(bdf):
    m = bar(bdf)
    d = hashlib.sha256(m[:]).hexdigest()
    m.close()
    return d


# --- QMP ----------------------------------------------------------------
class QMP:
    def __init__(self, path, timeout=60):
        end = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.events = []
        self._recv()                    # greeting
        self.cmd("qmp_capabilities")

    def _recv(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._recv()
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"]["desc"]))
            return r.get("return")

    def close(self):
        self.sock.close()


class VM:
    """One nested QEMU with the given vfio-pci devices."""

    def __init__(self, tmp, name, bdfs, incoming=False, devprops="",
                 mig="on", extra=()):
        self.name = name
        self.qmp_path = os.path.join(tmp, name + ".qmp")
        self.log = os.path.join(tmp, name + ".log")
        args = [QEMU, "-machine", "q35", "-accel", "tcg", "-m", "32",
                "-nodefaults", "-display", "none", "-serial", "none",
                "-monitor", "none",
                "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        if mig != "auto":
            devprops = ",enable-migration=%s%s" % (mig, devprops)
        for b in bdfs:
            args += ["-device", "vfio-pci,host=%s%s" % (b, devprops)]
        if incoming:
            args += ["-incoming", "defer"]
        args += list(extra)
        self.args = args
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(args, stdout=self.logf,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        VMS.append(self)
        try:
            self.qmp = QMP(self.qmp_path)
        except Exception:
            self.proc.kill()
            self.proc.wait()
            raise

    def stderr(self):
        with open(self.log) as f:
            return f.read()

    def quit(self, timeout=60):
        if self.proc.poll() is None:
            try:
                self.qmp.cmd("quit")
            except (OSError, EOFError, RuntimeError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.qmp.close()
        self.logf.close()
        return self.proc.returncode

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.qmp.close()
        self.logf.close()


class Relay:
    """offload_relay: the agent of both devices (one pair, in this guest)."""

    def __init__(self, path, src, dst, knobs=()):
        self.proc = subprocess.Popen([path, src, dst] + list(knobs),
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "attached":
            self.proc.kill()
            raise RuntimeError("offload_relay did not attach: " + line +
                               self.proc.stdout.read())

    def stop(self):
        """Kills it if still running; returns its output."""
        if self.proc.poll() is None:
            self.proc.kill()
        out = self.proc.stdout.read()
        self.proc.wait()
        return out


def wait_migration(vm, final=("completed", "failed", "cancelled"),
                   timeout=150):
    end = time.monotonic() + timeout
    last = 0
    while True:
        info = vm.qmp.cmd("query-migrate")
        if info.get("status") in final or time.monotonic() > end:
            return info
        if time.monotonic() - last > 10:
            last = time.monotonic()
            diag("%s: %s ram %s vfio %s" % (
                vm.name, info.get("status"),
                (info.get("ram") or {}).get("transferred"),
                (info.get("vfio") or {}).get("transferred")))
        time.sleep(0.2)


def dmesg_lines():
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    return out.splitlines()


def dmesg_clean(before, what):
    new = dmesg_lines()[len(before):]
    bad = [l for l in new if "mig_vfio_pci" in l and
           ("fail" in l or "reject" in l or "error" in l)]
    bad += [l for l in new if "WARNING:" in l or "BUG:" in l or
            "Oops" in l]
    tap(not bad, "%s: no driver error, WARNING or BUG in dmesg" % what)
    for l in bad[:20]:
        diag(l)


def set_caps(vm, caps):
    if caps:
        vm.qmp.cmd("migrate-set-capabilities", capabilities=[
            {"capability": c, "state": True} for c in caps])


# --- one migration ----------------------------------------------------------
def migrate(tmp, tag, src, dst, opts, src_vm=None, interrupt=None,
            timeout=150):
    """src_vm: an already running source VM (else one is started on src).
    interrupt: None, "cancel" or "killdst": done once the device data
    flows; the migration must then end without completing. "cmd": run
    opts.interrupt_cmd (if any) opts.interrupt_after seconds after the
    start (offload: QEMU's stream carries no device data to wait for).
    Returns (src_vm, dst_vm or None, source info)."""
    caps = []
    params = {"downtime-limit": opts.downtime_ms}
    devprops = ""
    if opts.multifd:
        caps.append("multifd")
        params["multifd-channels"] = 2
        devprops = ",x-migration-multifd-transfer=on"
    if opts.switchover_ack:
        caps += ["return-path", "switchover-ack"]
    t0 = time.monotonic()
    if src_vm is None:
        src_vm = VM(tmp, tag + ".src", src, devprops=devprops,
                    mig=opts.mig, extra=opts.src_extra)
    dst_vm = VM(tmp, tag + ".dst", dst, incoming=True, devprops=devprops,
                mig=opts.mig, extra=opts.dst_extra)
    diag("%s: both VMs up in %.1f s" % (tag, time.monotonic() - t0))
    uri = "unix:" + os.path.join(tmp, tag + ".mig")
    set_caps(src_vm, caps)
    set_caps(dst_vm, caps)
    src_vm.qmp.cmd("migrate-set-parameters", **params)
    if opts.multifd:
        dst_vm.qmp.cmd("migrate-set-parameters", **{"multifd-channels": 2})
    if opts.precopy_bw:
        src_vm.qmp.cmd("migrate-set-parameters",
                       **{"max-bandwidth": opts.precopy_bw})
    elif interrupt and not (interrupt == "cmd" and opts.interrupt_converge):
        # never converges (RAM is all dirty on every pass without device
        # dirty tracking) and slow: caught in pre-copy, device data flowing
        src_vm.qmp.cmd("migrate-set-parameters",
                       **{"downtime-limit": 1,
                          "max-bandwidth": 4 * 1024 * 1024})
    else:
        src_vm.qmp.cmd("migrate-set-parameters",
                       **{"max-bandwidth": 1 << 40})
    dst_vm.qmp.cmd("migrate-incoming", uri=uri)
    t1 = time.monotonic()
    src_vm.qmp.cmd("migrate", uri=uri)
    if interrupt == "cmd":
        end = time.monotonic() + opts.interrupt_after
        i = {}
        while time.monotonic() < end:
            i = src_vm.qmp.cmd("query-migrate")
            if i.get("status") in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.1)
        diag("%s: at %s after %.1f s: %s" % (
            tag, i.get("status"), time.monotonic() - t1,
            opts.interrupt_cmd or "(nothing to run)"))
        if opts.interrupt_cmd:
            r = subprocess.run(opts.interrupt_cmd, shell=True)
            tap(r.returncode == 0, "%s: %s" % (tag, opts.interrupt_cmd))
    elif interrupt:
        end = time.monotonic() + 120
        while time.monotonic() < end:
            i = src_vm.qmp.cmd("query-migrate")
            if (i.get("vfio") or {}).get("transferred", 0) > 0 or \
                    i.get("status") in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.1)
        diag("%s: interrupted (%s) at %s, vfio %s bytes" % (
            tag, interrupt, i.get("status"),
            (i.get("vfio") or {}).get("transferred")))
        if interrupt == "cancel":
            src_vm.qmp.cmd("migrate_cancel")
        else:
            dst_vm.kill()
            dst_vm = None
    info = wait_migration(src_vm, timeout=timeout)
    diag("%s: source %s after %.1f s: %s" % (
        tag, info.get("status"), time.monotonic() - t1,
        json.dumps({k: info.get(k) for k in
                    ("total-time", "downtime", "setup-time", "vfio",
                     "error-desc")})))
    return src_vm, dst_vm, info


def check_completed(tag, src_vm, dst_vm, info, opts=None):
    tap(info.get("status") == "completed",
        "%s: source query-migrate status completed (%s)" %
        (tag, info.get("status")))
    if info.get("status") != "completed":
        diag(src_vm.stderr())
        diag(dst_vm.stderr())
    vfio = (info.get("vfio") or {}).get("transferred", 0)
    tap(vfio > 0, "%s: query-migrate vfio.transferred %d bytes" %
        (tag, vfio))
    if opts and opts.vfio_max:
        tap(vfio <= opts.vfio_max, "%s: vfio.transferred %d <= %d bytes: "
            "QEMU's stream carried the offload records only" %
            (tag, vfio, opts.vfio_max))
    if opts and opts.vfio_min:
        tap(vfio >= opts.vfio_min, "%s: vfio.transferred %d >= %d bytes: "
            "the state itself in QEMU's stream (in-band)" %
            (tag, vfio, opts.vfio_min))
    dinfo = wait_migration(dst_vm, timeout=60)
    tap(dinfo.get("status") == "completed",
        "%s: destination query-migrate status completed (%s)" %
        (tag, dinfo.get("status")))
    st = None
    end = time.monotonic() + 60
    while time.monotonic() < end:
        st = dst_vm.qmp.cmd("query-status").get("status")
        if st == "running":
            break
        time.sleep(0.2)
    tap(st == "running", "%s: destination VM running (%s)" % (tag, st))


def quit_and_compare(tag, src_vm, dst_vm, src, dst):
    src_vm.quit()
    dst_vm.quit()
    for s, d in zip(src, dst):
        ds, dd = bar_digest(s), bar_digest(d)
        tap(ds == dd, "%s: destination %s BAR2 SHA-256 equals source %s's "
            "at stop (%s...)" % (tag, d, s, ds[:16]))
        if ds != dd:
            diag("source %s, destination %s" % (ds, dd))


def fill_all(src, dst, seed):
    for i, b in enumerate(src):
        bar_fill(b, seed + i)
    for i, b in enumerate(dst):
        bar_fill(b, seed + 1000 + i)


def case_main(tmp, src, dst, opts, tag):
    fill_all(src, dst, opts.seed)
    before = dmesg_lines()
    src_vm, dst_vm, info = migrate(tmp, tag, src, dst, opts)
    check_completed(tag, src_vm, dst_vm, info, opts)
    warn = [l for l in (src_vm.stderr() + dst_vm.stderr()).splitlines()
            if ("warning" in l.lower() or "error" in l.lower()) and
            not (opts.mig == "on" and NO_DIRTY in l)]
    tap(not warn, "%s: no QEMU warning or error%s" % (
        tag, " (but enable-migration=on's dirty tracking warning)"
        if opts.mig == "on" else ""))
    for l in warn[:10]:
        diag(l)
    quit_and_compare(tag, src_vm, dst_vm, src, dst)
    dmesg_clean(before, tag)


def case_precopy(tmp, src, dst, opts):
    """PRE_COPY with return-path + switchover-ack while the source VM's
    payload (l2_writer.elf) writes 64 pages of its device's BAR2 all the
    time; the destination stays paused (-S) so that its device keeps
    exactly what it loaded."""
    fill_all(src, dst, opts.seed)
    filled = [bar_digest(b) for b in src]
    size = os.path.getsize("/sys/bus/pci/devices/%s/resource2" % src[0])
    before = dmesg_lines()
    opts.switchover_ack = True
    opts.src_extra = ["-kernel", opts.kernel]
    opts.dst_extra = ["-kernel", opts.kernel, "-S"]
    # the payload runs a moment before the migration starts
    src_vm, dst_vm, info = migrate(tmp, "precopy", src, dst, opts)
    tap(info.get("status") == "completed",
        "precopy: source query-migrate status completed (%s)" %
        info.get("status"))
    vfio = (info.get("vfio") or {}).get("transferred", 0)
    # a 16 MiB stream takes 6 KiB of framing: more is re-sent dirty pages
    tap(vfio > size + 12288, "precopy: vfio.transferred %d bytes > the "
        "%d bytes of state: dirty pages sent again" % (vfio, size))
    caps = {c["capability"]: c["state"]
            for c in src_vm.qmp.cmd("query-migrate-capabilities")}
    tap(caps.get("switchover-ack") and caps.get("return-path"),
        "precopy: switchover-ack and return-path on")
    dinfo = wait_migration(dst_vm, timeout=60)
    tap(dinfo.get("status") == "completed",
        "precopy: destination query-migrate status completed (%s)" %
        dinfo.get("status"))
    if info.get("status") != "completed":
        diag(src_vm.stderr())
        diag(dst_vm.stderr())
    src_vm.quit()
    dst_vm.quit()
    for s, d, f in zip(src, dst, filled):
        ds, dd = bar_digest(s), bar_digest(d)
        tap(ds != f, "precopy: the payload changed source %s's BAR2" % s)
        tap(ds == dd, "precopy: destination %s BAR2 SHA-256 equals source "
            "%s's at stop (%s...)" % (d, s, ds[:16]))
    dmesg_clean(before, "precopy")


def check_running(how, bdfs):
    """The last state QEMU set on each device is RUNNING (mig_vfio_pci's
    sysfs mig_last_path: the states of the last SET, the last one it
    reached; a SET that fails leaves an older path)."""
    for b in bdfs:
        with open("/sys/bus/pci/devices/%s/mig_last_path" % b) as f:
            path = f.read().strip()
        tap(path.split()[-1:] == ["2"], "%s: source device %s RUNNING "
            "(last SET went %s)" % (how, b, path))


def case_interrupted(tmp, src, dst, opts, how):
    fill_all(src, dst, opts.seed)
    before = dmesg_lines()
    src_vm, dst_vm, info = migrate(tmp, how + "1", src, dst, opts,
                                   interrupt=how)
    want = "cancelled" if how == "cancel" else "failed"
    tap(info.get("status") == want, "%s: first migration %s (%s)" %
        (how, want, info.get("status")))
    st = src_vm.qmp.cmd("query-status").get("status")
    tap(st == "running", "%s: source VM still running (%s)" % (how, st))
    check_running(how, src)
    if dst_vm is not None:
        dst_vm.quit()
    # the source's device is RUNNING again: a second migration succeeds
    src_vm, dst_vm, info = migrate(tmp, how + "2", src, dst, opts,
                                   src_vm=src_vm)
    check_completed(how + "2", src_vm, dst_vm, info)
    quit_and_compare(how + "2", src_vm, dst_vm, src, dst)
    dmesg_clean(before, how)


def case_agentfail(tmp, src, dst, opts):
    fill_all(src, dst, opts.seed)
    src_vm, dst_vm, info = migrate(tmp, "af1", src, dst, opts,
                                   interrupt="cmd")
    tap(info.get("status") == "failed", "agentfail: first migration "
        "failed (%s: %s)" % (info.get("status"), info.get("error-desc")))
    st = src_vm.qmp.cmd("query-status").get("status")
    tap(st == "running", "agentfail: source VM still running (%s)" % st)
    stops = [e for e in src_vm.qmp.events if e.get("event") == "STOP"]
    if opts.interrupt_converge:
        diag("agentfail: the source VM stopped %d time(s)" % len(stops))
    else:
        tap(not stops, "agentfail: the source VM never stopped (%d STOP "
            "event(s))" % len(stops))
    check_running("agentfail", src)
    if dst_vm is not None:
        dst_vm.quit()
    if opts.between_cmd:
        r = subprocess.run(opts.between_cmd, shell=True)
        tap(r.returncode == 0, "agentfail: %s" % opts.between_cmd)
    src_vm, dst_vm, info = migrate(tmp, "af2", src, dst, opts,
                                   src_vm=src_vm)
    check_completed("agentfail2", src_vm, dst_vm, info, opts)
    quit_and_compare("agentfail2", src_vm, dst_vm, src, dst)


def case_roundtrip(tmp, a, b, opts):
    fill_all(a, b, opts.seed)
    before = dmesg_lines()
    want = [bar_digest(x) for x in a]
    src_vm, vm_b, info = migrate(tmp, "ab", a, b, opts)
    check_completed("A -> B", src_vm, vm_b, info, opts)
    src_vm.quit()
    # A is free again: scribble on it so that only B -> A can restore it
    fill_all([], a, opts.seed + 7)
    vm_b2, vm_a, info = migrate(tmp, "ba", b, a, opts, src_vm=vm_b)
    check_completed("B -> A", vm_b2, vm_a, info, opts)
    vm_b2.quit()
    vm_a.quit()
    got = [bar_digest(x) for x in a]
    tap(got == want, "A -> B -> A: A's BAR2 SHA-256 is its own again "
        "(%s...)" % want[0][:16])
    dmesg_clean(before, "A -> B -> A")


def case_dirtyfail(tmp, src, dst, opts):
    """enable-migration=auto on a device offering DMA logging where the
    core cannot REPORT: QEMU takes it, the migration fails at the first
    dirty sync, the source keeps running with its device RUNNING."""
    fill_all(src, dst, opts.seed)
    before = dmesg_lines()
    src_vm, dst_vm, info = migrate(tmp, "df", src, dst, opts)
    err = src_vm.stderr()
    tap(info.get("status") == "failed" and
        "Failed to get DMA logging report" in err,
        "migration fails: 'Failed to get DMA logging report' (%s)" %
        info.get("status"))
    st = src_vm.qmp.cmd("query-status").get("status")
    tap(st == "running", "source VM still running (%s)" % st)
    check_running("dirtyfail", src)
    dst_vm.quit()
    src_vm.quit()
    dmesg_clean(before, "dirtyfail")


def case_blocked(tmp, src, dst, opts):
    vm = VM(tmp, "blk.src", src, mig=opts.mig)
    try:
        blockers = vm.qmp.cmd("query-migrate").get("blocked-reasons")
    except RuntimeError:
        blockers = None
    diag("blocked-reasons: %s" % blockers)
    err = ""
    try:
        vm.qmp.cmd("migrate", uri="unix:" + os.path.join(tmp, "blk.mig"))
        info = wait_migration(vm, timeout=60)
        err = "status %s" % info.get("status")
    except RuntimeError as e:
        err = str(e)
    diag("migrate: %s" % err)
    tap(opts.expect in err or opts.expect in str(blockers),
        "QEMU refuses to migrate: '%s'" % opts.expect)
    vm.quit()


def state_bytes(bdf):
    return os.path.getsize("/sys/bus/pci/devices/%s/resource2" % bdf)


def case_offload(tmp, src, dst, opts):
    fill_all(src, dst, opts.seed)
    before = dmesg_lines()
    relay = Relay(opts.relay, src[0], dst[0])
    src_vm, dst_vm, info = migrate(tmp, "offload", src[:1], dst[:1], opts)
    check_completed("offload", src_vm, dst_vm, info)
    vfio = (info.get("vfio") or {}).get("transferred", 0)
    tap(vfio < 4096, "offload: QEMU carried %d bytes for the device (the "
        "offload record), not its %d bytes of state" %
        (vfio, state_bytes(src[0])))
    quit_and_compare("offload", src_vm, dst_vm, src[:1], dst[:1])
    out = relay.stop()
    diag(out)
    tap(re.search(r"^session \S+ bytes (\d+) .*resume_done 0 save_done 0$",
                  out, re.M) is not None,
        "offload: the relay moved the stream, both drivers took its digest")
    dmesg_clean(before, "offload")


def case_offload_kill(tmp, src, dst, opts):
    fill_all(src, dst, opts.seed)
    src_vm = None
    for how, knobs in (("PRE_COPY", ["--die-after",
                                     str(state_bytes(src[0]) // 3)]),
                       ("STOP_COPY", ["--die-at-end"])):
        tag = "relay dies in " + how
        relay = Relay(opts.relay, src[0], dst[0], knobs)
        src_vm, dst_vm, info = migrate(tmp, how, src[:1], dst[:1], opts,
                                       src_vm=src_vm)
        tap(info.get("status") == "failed", "%s: the migration fails (%s: "
            "%s)" % (tag, info.get("status"), info.get("error-desc")))
        st = src_vm.qmp.cmd("query-status").get("status")
        tap(st == "running", "%s: source VM still running (%s)" % (tag, st))
        check_running(tag, src[:1])
        tap(relay.proc.wait(30) in (3, 4), "%s: the relay died as asked "
            "(%s)" % (tag, relay.proc.returncode))
        relay.stop()
        dst_vm.quit()
    relay = Relay(opts.relay, src[0], dst[0])
    src_vm, dst_vm, info = migrate(tmp, "again", src[:1], dst[:1], opts,
                                   src_vm=src_vm)
    check_completed("then with a new relay", src_vm, dst_vm, info)
    quit_and_compare("then with a new relay", src_vm, dst_vm, src[:1],
                     dst[:1])
    diag(relay.stop())


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("case", choices=["main", "multifd", "cancel", "killdst",
                                     "roundtrip", "blocked", "dirtyfail",
                                     "precopy", "agentfail", "offload",
                                     "offload_kill"])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--downtime-ms", type=int, default=30000)
    ap.add_argument("--switchover-ack", action="store_true")
    ap.add_argument("--expect", default="")
    ap.add_argument("--kernel", help="precopy: the source VM's payload")
    ap.add_argument("--relay", help="offload*: tests/lab/offload_relay")
    ap.add_argument("--precopy-bw", type=int, default=0,
                    help="max-bandwidth in bytes/s (default: unlimited)")
    ap.add_argument("--enable-migration", dest="mig", default="on",
                    choices=["on", "auto"],
                    help="vfio-pci's enable-migration (on: the default "
                    "here, see doc/lab.md)")
    ap.add_argument("--vfio-max", type=int, default=0,
                    help="vfio.transferred must not exceed this (offload)")
    ap.add_argument("--vfio-min", type=int, default=0,
                    help="vfio.transferred must reach this (in-band)")
    ap.add_argument("--interrupt-cmd", default="",
                    help="agentfail: shell command run mid-migration")
    ap.add_argument("--interrupt-after", type=float, default=3.0,
                    help="agentfail: seconds into the first migration")
    ap.add_argument("--interrupt-converge", action="store_true",
                    help="agentfail: the first migration is not throttled: "
                    "QEMU may stop the VM before it fails")
    ap.add_argument("--between-cmd", default="",
                    help="agentfail: shell command before the second one")
    opts = ap.parse_args()
    opts.multifd = opts.case == "multifd"
    opts.src_extra = opts.dst_extra = []
    src = opts.src.split(",")
    dst = opts.dst.split(",")
    tmp = tempfile.mkdtemp(prefix="qemu_mig.")
    t0 = time.monotonic()
    try:
        if opts.case in ("main", "multifd"):
            case_main(tmp, src, dst, opts, opts.case)
        elif opts.case in ("cancel", "killdst"):
            case_interrupted(tmp, src, dst, opts, opts.case)
        elif opts.case == "roundtrip":
            case_roundtrip(tmp, src, dst, opts)
        elif opts.case == "precopy":
            case_precopy(tmp, src, dst, opts)
        elif opts.case == "offload":
            case_offload(tmp, src, dst, opts)
        elif opts.case == "offload_kill":
            case_offload_kill(tmp, src, dst, opts)
        elif opts.case == "dirtyfail":
            case_dirtyfail(tmp, src, dst, opts)
        elif opts.case == "agentfail":
            case_agentfail(tmp, src, dst, opts)
        else:
            case_blocked(tmp, src, dst, opts)
    except Exception as e:          # a broken step is a failed test
        tap(False, "%s: %s: %s" % (opts.case, type(e).__name__, e))
        for f in sorted(os.listdir(tmp)):
            if f.endswith(".log"):
                diag("%s:" % f)
                with open(os.path.join(tmp, f)) as fh:
                    diag(fh.read()[-3000:])
    for vm in VMS:
        if vm.proc.poll() is None:
            vm.proc.kill()
            vm.proc.wait()
    diag("%s: %.1f s" % (opts.case, time.monotonic() - t0))
    res = os.environ.get("LAB_RESULTS")
    if res:
        subprocess.run(["cp", "-r", tmp, os.path.join(res, opts.case)])
    subprocess.run(["rm", "-rf", tmp])
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
