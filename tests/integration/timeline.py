#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""--timeline FILE and devtools/plot-timeline.py (TAP).

    timeline.py <path to dpdk-migrate> <devtools/plot-timeline.py>

A migration of two sim devices (one dirtying in pre-copy) with the
source writing JSON Lines and the destination CSV: samples every 50 ms
at the least, bytes that only grow and end at the summary's, the phase
marks in order, as many round marks as the summary's rounds; then both
files drawn as PNG, a loopback run whose timeline the source alone
writes, a failed source's timeline, an unwritable file.
"""
import csv
import json
import statistics
import subprocess
import sys

from apprun import Run, Tap

APP = sys.argv[1] if len(sys.argv) > 1 else "build/apps/dpdk-migrate/dpdk-migrate"
PLOT = sys.argv[2] if len(sys.argv) > 2 else "devtools/plot-timeline.py"
DEV = ["--dev", "sim,id=nic0,size=160M,page=1M,caps=pre_copy+p2p,"
       "dirty_rate=16M,bandwidth=200M",
       "--dev", "sim,id=nic1,size=64M,page=1M,caps=pre_copy,bandwidth=200M"]
SRC_MARKS = ["setup", "pre-copy", "round", "decision", "switchover",
             "stop-copy", "commit", "running", "end"]
DST_MARKS = ["setup", "stop-copy", "commit", "running", "end"]


def jsonl(path):
    samples, marks = [], []
    with open(path) as f:
        head = json.loads(f.readline())
        for line in f:
            r = json.loads(line)
            if r["type"] == "sample":
                samples.append((r["t_ms"], {d["name"]: d["bytes"]
                                            for d in r["devices"]}))
            else:
                marks.append(r)
    return head, samples, marks


def csvfile(path):
    samples, marks = [], []
    with open(path) as f:
        head = f.readline()
        for r in csv.DictReader(f):
            t = float(r["t_ms"])
            if r["type"] == "mark":
                marks.append({"t_ms": t, "mark": r["mark"],
                              "round": int(r["round"]), "ok": r["state"]})
                continue
            if not samples or samples[-1][0] != t:
                samples.append((t, {}))
            samples[-1][1][r["device"]] = int(r["bytes"])
    return head, samples, marks


def in_order(marks, want):
    """The first occurrence of each of @want appears, in that order."""
    names = [m["mark"] for m in marks]
    try:
        pos = [names.index(w) for w in want]
    except ValueError:
        return False
    return pos == sorted(pos)


def sample_checks(samples, summary):
    """Problems of @samples against the --json @summary."""
    errs = []
    gaps = [b[0] - a[0] for a, b in zip(samples, samples[1:])]
    if len(samples) < 5:
        errs.append("%d samples" % len(samples))
    # the last sample comes with the end event, any time after the one
    # before it; the others at least 50 ms apart
    if gaps[:-1] and min(gaps[:-1]) < 49.9:
        errs.append("samples %.1f ms apart" % min(gaps[:-1]))
    if gaps and statistics.median(gaps) > 250:
        errs.append("median gap %.1f ms" % statistics.median(gaps))
    for n in samples[0][1]:
        b = [s[1][n] for s in samples]
        if b != sorted(b):
            errs.append("%s: bytes go down" % n)
    want = {d["name"]: d["bytes"] for d in summary.get("devices", [])}
    if samples[-1][1] != want:
        errs.append("last sample %s, summary %s" % (samples[-1][1], want))
    return errs


def png(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000


def main():
    tap = Tap(8)
    run = Run(APP, "mig-tl")
    logs = [run.path(f) for f in ("s.out", "s.err", "d.out", "d.err")]
    sj, dc = run.path("s.jsonl"), run.path("d.csv")
    src, dst = run.pair(DEV, ["--timeline", sj, "--json", run.path("s.json")],
                        ["--timeline", dc, "--json", run.path("d.json")])
    rc = run.finish([p for p in (src, dst) if p])
    ssum = json.load(open(run.path("s.json"))) if rc[0] == 0 else {}
    dsum = json.load(open(run.path("d.json"))) if rc == [0, 0] else {}
    try:
        head, samples, marks = jsonl(sj)
        errs = sample_checks(samples, ssum)
    except (OSError, ValueError, KeyError, IndexError) as e:
        head, samples, marks, errs = {}, [], [], [repr(e)]
    tap.ok(rc == [0, 0] and head.get("version") == 1 and
           head.get("role") == "source" and not errs,
           "source, JSON Lines: samples >= 50 ms apart, bytes grow to the "
           "summary's", "exit %s; %s" % (rc, "; ".join(errs)), *logs)
    rounds = [m for m in marks if m["mark"] == "round"]
    end = [m for m in marks if m["mark"] == "end"]
    tap.ok(in_order(marks, SRC_MARKS) and
           len(rounds) == ssum.get("precopy_rounds", -1) >= 1 and
           end and end[0].get("ok") is True and
           abs(end[0].get("downtime_ms", -1) -
               ssum.get("downtime_ms", -2)) < 0.01,
           "source marks: %s; %d round mark(s), downtime as in the summary"
           % (", ".join(SRC_MARKS), len(rounds)),
           "marks: %s\nsummary: %s" % (marks, ssum))
    try:
        head, samples, marks = csvfile(dc)
        errs = sample_checks(samples, dsum)
    except (OSError, ValueError, KeyError, IndexError) as e:
        head, samples, marks, errs = "", [], [], [repr(e)]
    tap.ok("role destination" in head and not errs and
           in_order(marks, DST_MARKS) and marks[-1]["ok"] == "ok",
           "destination, CSV: samples, bytes, marks %s" % ", ".join(DST_MARKS),
           "%s; marks %s" % ("; ".join(errs), marks), *logs)
    plots = []
    for f in (sj, dc):
        p = subprocess.run([PLOT, f, "-o", f + ".png"], capture_output=True,
                           text=True)
        plots.append((p.returncode, p.stdout + p.stderr))
    if any("python3-matplotlib is missing" in o for _, o in plots):
        tap.ok(True, "plot-timeline.py # SKIP python3-matplotlib missing")
        tap.ok(True, "plot-timeline.py # SKIP python3-matplotlib missing")
    else:
        tap.ok(plots[0][0] == 0 and png(sj + ".png"),
               "plot-timeline.py draws the JSON Lines file", plots[0][1])
        tap.ok(plots[1][0] == 0 and png(dc + ".png"),
               "plot-timeline.py draws the CSV file", plots[1][1])
    # loopback: only the source writes the timeline
    lb = run.path("lb.csv")
    p = run.start("l", None, ["--role", "loopback", "--key", run.key,
                              "--timeline", lb, "--dev",
                              "sim,id=x,size=8M,caps=pre_copy"])
    rc = run.finish([p])
    out = open(run.path("l.out")).read()
    try:
        head, samples, marks = csvfile(lb)
    except (OSError, ValueError, KeyError) as e:
        head, samples, marks = repr(e), [], []
    tap.ok(rc == [0] and "role source" in head and samples and
           "source: timeline written to %s" % lb in out,
           "loopback: the source writes the timeline and says where",
           "exit %s, header %s" % (rc, head), run.path("l.out"),
           run.path("l.err"))
    # a source that fails: the timeline ends with a failed end mark
    fj = run.path("f.jsonl")
    src, dst = run.pair(["--dev", "sim,id=a,size=24M,page=1M,fail_save=5"],
                        ["--timeline", fj])
    rc = run.finish([p for p in (src, dst) if p])
    try:
        head, samples, marks = jsonl(fj)
    except (OSError, ValueError, KeyError) as e:
        head, samples, marks = {}, [], [{"mark": repr(e)}]
    tap.ok(rc[0] != 0 and marks and marks[-1]["mark"] == "end" and
           marks[-1].get("ok") is False and
           not any(m["mark"] == "running" for m in marks),
           "a failed source: the timeline ends with end, ok false, and no "
           "running mark", "exit %s, marks %s" % (rc, marks), *logs)
    # an unwritable file: an error naming it and the cause
    p = run.start("u", None, ["--role", "loopback", "--key", run.key,
                              "--timeline", run.path("no/such/dir.csv"),
                              "--dev", "sim,id=x,size=8M"])
    rc = run.finish([p])
    err = open(run.path("u.err")).read()
    tap.ok(rc[0] != 0 and "--timeline %s" % run.path("no/such/dir.csv") in err
           and "No such file or directory" in err,
           "an unwritable --timeline FILE fails, naming the file and cause",
           "exit %s" % rc, run.path("u.err"))
    return tap.status()


if __name__ == "__main__":
    sys.exit(main())
