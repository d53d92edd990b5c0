#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""QEMU 10 vs dpdk-migrate moving the same two mig_vfio_pci devices, in one
lab guest run (bench/qemu_lab.sh runs it once per module mode). Each round
runs, in this order: dpdk-migrate (vfio driver, io=read, TCP loopback),
QEMU with multifd device-state transfer (2 channels,
x-migration-multifd-transfer=on), and QEMU with the device state in the
main channel. For each run:

  phase     the device-state phase as the driver sees it: from the first
            source device entering STOP_COPY (kprobe on
            mvp_save_file_final) to the last destination device's
            RESUMING -> STOP returning 0 (kretprobe on mvp_resume_file_end),
            on the guest kernel's monotonic trace clock: one clock and one
            definition for both VMMs;
  qphase    QEMU only, the same phase from QEMU's own trace events
            (-trace vfio_migration_set_state -msg timestamp=on): the source's
            first "new state STOP_COPY" to the destination's first state
            change after RESUMING (the SET that takes RESUMING -> STOP);
  downtime  what each reports: QEMU's query-migrate downtime, the
            engine's "downtime" (source devices stopped .. destination
            DONE).

  qemu_lab.py [--rounds N] [--label L] [--switchover-ack] --app APP
      SRC1,SRC2 DST1,DST2

Both VMMs get a downtime limit of 600 s (switch over as soon as pre-copy
allows: the figures are times, not a convergence test).

Prints one line per run and a summary with the median and range of each
figure and the median of the per-round ratios engine/QEMU.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("LAB_ROOT", "."), "tests",
                                "lab"))
import qemu_mig  # noqa: E402  VM, QMP, migration helpers of the qemu_* tests

TR = "/sys/kernel/tracing"
PROBES = ("p:mvpb/stopcopy mig_vfio_pci:mvp_save_file_final\n"
          "r:mvpb/resumed mig_vfio_pci:mvp_resume_file_end ret=$retval:s32\n")
LINE = re.compile(r"\s(\d+\.\d+): (stopcopy|resumed): .*?(ret=(-?\d+))?$")
QTRACE = re.compile(r"^\d+@(\d+\.\d+):vfio_migration_set_state\s+\((\S+)\)"
                    r" new state (\w+)")
PORT = [7300]
DOWNTIME_S = 600


def tr_write(name, text, append=False):
    # os.open: Python's append mode seeks to the end, which tracefs refuses
    fd = os.open(os.path.join(TR, name), os.O_WRONLY |
                 (os.O_APPEND if append else os.O_TRUNC))
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def probes_on():
    if not os.path.isdir(os.path.join(TR, "events")):
        subprocess.run(["mount", "-t", "tracefs", "nodev", TR], check=True)
    tr_write("kprobe_events", "")
    for p in PROBES.splitlines():
        try:
            tr_write("kprobe_events", p + "\n", append=True)
        except OSError:
            with open(os.path.join(TR, "error_log")) as f:
                raise RuntimeError("kprobe '%s': %s" % (p, f.read()))
    tr_write("trace_clock", "mono")
    tr_write("events/mvpb/enable", "1")
    tr_write("tracing_on", "1")


def probes_off():
    tr_write("events/mvpb/enable", "0")
    tr_write("kprobe_events", "")


def kernel_phase(ndev):
    """ms from the first STOP_COPY entry to the last successful
    RESUMING -> STOP of the trace buffer, which is then cleared."""
    with open(os.path.join(TR, "trace")) as f:
        lines = f.read().splitlines()
    tr_write("trace", "")
    stops, ends = [], []
    for l in lines:
        m = LINE.search(l)
        if not m:
            continue
        if m.group(2) == "stopcopy":
            stops.append(float(m.group(1)))
        elif m.group(4) == "0":
            ends.append(float(m.group(1)))
    if len(stops) < ndev or len(ends) < ndev:
        raise RuntimeError("trace: %d STOP_COPY entries, %d resumes for %d "
                           "devices" % (len(stops), len(ends), ndev))
    return (max(ends) - min(stops)) * 1e3


def wait_resumed(ndev, timeout):
    """Until the trace shows ndev successful RESUMING -> STOP."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open(os.path.join(TR, "trace")) as f:
            n = sum(1 for l in f if "resumed:" in l and "ret=0" in l)
        if n >= ndev:
            return
        time.sleep(0.5)
    raise RuntimeError("destination devices not resumed after %d s" %
                       timeout)


def qemu_phase(src_log, dst_log):
    """None when QEMU's trace lacks the events (printed as '-')."""
    src, dst = [], []
    for log, out in ((src_log, src), (dst_log, dst)):
        for l in log.splitlines():
            m = QTRACE.match(l)
            if m:
                out.append((float(m.group(1)), m.group(2), m.group(3)))
    try:
        start = min(t for t, _, s in src if s == "STOP_COPY")
        end = 0.0
        for dev in {d for _, d, _ in dst}:
            seq = [(t, s) for t, d, s in dst if d == dev]
            i = [s for _, s in seq].index("RESUMING")
            end = max(end, seq[i + 1][0])
    except (ValueError, IndexError):
        return None
    return (end - start) * 1e3


class Opts:
    """The option set qemu_mig.migrate() reads."""

    def __init__(self, multifd, switchover_ack):
        self.multifd = multifd
        self.switchover_ack = switchover_ack
        # switch over after the first RAM pass: under TCG on a loaded
        # host multifd moves RAM at about 1 MB/s and, with the type1
        # container reporting all RAM dirty, never converges below 30 s
        self.downtime_ms = DOWNTIME_S * 1000
        self.precopy_bw = 0
        self.mig = "on"
        trace = ["-trace", "vfio_migration_set_state", "-msg",
                 "timestamp=on"]
        self.src_extra = trace
        self.dst_extra = trace


def mark(src, dst, r):
    """Per run: 16 pages of each source device get new bytes, the same
    pages of its destination other ones (the devices were filled once)."""
    for bdf, val in [(b, 0x11 + r) for b in src] + [(b, 0xee) for b in dst]:
        m = qemu_mig.bar(bdf)
        step = len(m) // 16
        for i in range(16):
            m[i * step:i * step + 4096] = bytes([val]) * 4096
        m.flush()
        m.close()


def run_qemu(tmp, tag, src, dst, multifd, ack):
    src_vm, dst_vm, info = qemu_mig.migrate(tmp, tag, src, dst,
                                            Opts(multifd, ack), timeout=1200)
    if info.get("status") != "completed":
        raise RuntimeError("%s: %s %s" % (tag, info.get("status"),
                                          info.get("error-desc")))
    # not query-migrate: a multifd destination still loading the devices
    # after the source completed does not answer QMP for minutes
    wait_resumed(len(src), 600)
    src_vm.quit()
    dst_vm.quit()
    q = qemu_phase(src_vm.stderr(), dst_vm.stderr())
    return {"phase": kernel_phase(len(src)), "qphase": q,
            "downtime": float(info.get("downtime", 0)),
            "bytes": (info.get("vfio") or {}).get("transferred", 0)}


def run_engine(tmp, tag, src, dst, app):
    eal = ["--no-pci", "--log-level=lib.eal:warning"]
    PORT[0] += 1
    port = PORT[0]
    dargs = [app, "-l", "0"] + eal + ["--file-prefix", "qb-d", "--",
             "--role", "destination", "--listen", "127.0.0.1:%d" % port,
             "--insecure", "--timeout", "120s"]
    # the downtime limit QEMU gets
    sargs = [app, "-l", "1"] + eal + ["--file-prefix", "qb-s", "--",
             "--role", "source", "--peer", "127.0.0.1:%d" % port,
             "--insecure", "--downtime", "%ds" % DOWNTIME_S,
             "--timeout", "120s"]
    for i, (s, d) in enumerate(zip(src, dst)):
        dargs += ["--dev", "vfio,id=d%d,bdf=%s,io=read" % (i, d)]
        sargs += ["--dev", "vfio,id=d%d,bdf=%s,io=read" % (i, s)]
    dout = open(os.path.join(tmp, tag + ".d.out"), "w+")
    dst_p = subprocess.Popen(dargs, stdout=dout, stderr=subprocess.STDOUT)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        dout.seek(0)
        if "listening on" in dout.read() or dst_p.poll() is not None:
            break
        time.sleep(0.1)
    src_p = subprocess.run(sargs, capture_output=True, text=True,
                           timeout=1200)
    dst_p.wait(120)
    dout.seek(0)
    dtext = dout.read()
    dout.close()
    with open(os.path.join(tmp, tag + ".s.out"), "w") as f:
        f.write(src_p.stdout + src_p.stderr)
    if src_p.returncode != 0 or dst_p.returncode != 0:
        raise RuntimeError("%s: source %d destination %d: %s %s" % (
            tag, src_p.returncode, dst_p.returncode, src_p.stderr[-800:],
            dtext[-800:]))
    m = re.search(r"^source: .*downtime ([0-9.]+) ms", src_p.stdout, re.M)
    b = re.search(r"^source: total time [0-9.]+ ms, (\d+) bytes",
                  src_p.stdout, re.M)
    return {"phase": kernel_phase(len(src)), "qphase": None,
            "downtime": float(m.group(1)) if m else -1.0,
            "bytes": int(b.group(1)) if b else 0}


def summary(runs, label):
    kinds = ["qemu", "multifd", "engine"]
    print("# %s: median [min-max] over %d rounds (ms)" % (
        label, len(runs["engine"])))
    for k in kinds:
        for f in ("phase", "qphase", "downtime"):
            v = [r[f] for r in runs[k] if r[f] is not None]
            if v:
                print("# %s %-8s %-8s %8.1f [%.1f-%.1f]" % (
                    label, k, f, statistics.median(v), min(v), max(v)))
    for f in ("phase", "downtime"):
        for k in ("qemu", "multifd"):
            r = [e[f] / q[f] for e, q in zip(runs["engine"], runs[k])
                 if q[f] > 0]
            if r:
                print("# %s ratio engine/%s %s: median %.2f [%.2f-%.2f]" % (
                    label, k, f, statistics.median(r), min(r), max(r)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--label", default="run")
    ap.add_argument("--app", required=True)
    ap.add_argument("--switchover-ack", action="store_true",
                    help="QEMU: return-path + switchover-ack (pre-copy "
                    "devices: switch over once their initial data is "
                    "loaded, as the engine always does)")
    opts = ap.parse_args()
    src, dst = opts.src.split(","), opts.dst.split(",")
    tmp = tempfile.mkdtemp(prefix="qemu_lab.")
    runs = {"qemu": [], "multifd": [], "engine": []}
    rc = 0
    probes_on()
    try:
        qemu_mig.fill_all(src, dst, 7)
        for r in range(opts.rounds):
            # the engine first: the nested VMs are what hangs the lab
            # guest now and then (doc/lab.md), so a round that hangs
            # still gave the engine's figure
            for kind in ("engine", "multifd", "qemu"):
                mark(src, dst, 3 * r + len(runs[kind]) + 1)
                tag = "%s.%s.%d" % (opts.label, kind, r)
                tr_write("trace", "")
                if kind == "engine":
                    res = run_engine(tmp, tag, src, dst, opts.app)
                else:
                    res = run_qemu(tmp, tag, src, dst, kind == "multifd",
                                   opts.switchover_ack)
                same = all(qemu_mig.bar_digest(s) == qemu_mig.bar_digest(d)
                           for s, d in zip(src, dst))
                if not same:
                    raise RuntimeError("%s: destination BAR2 differs" % tag)
                runs[kind].append(res)
                print("%s round %d %-8s phase %8.1f ms qphase %s downtime "
                      "%8.1f ms, %d bytes, contents equal" % (
                          opts.label, r, kind, res["phase"],
                          "%8.1f ms" % res["qphase"]
                          if res["qphase"] is not None else "       -",
                          res["downtime"], res["bytes"]), flush=True)
        summary(runs, opts.label)
    except Exception as e:
        print("# %s: failed: %s: %s" % (opts.label, type(e).__name__, e))
        rc = 1
    finally:
        probes_off()
        for vm in qemu_mig.VMS:
            if vm.proc.poll() is None:
                vm.proc.kill()
                vm.proc.wait()
        res = os.environ.get("LAB_RESULTS")
        if res:
            subprocess.run(["cp", "-r", tmp, os.path.join(res, opts.label)])
        subprocess.run(["rm", "-rf", tmp])
    return rc


if __name__ == "__main__":
    sys.exit(main())
