#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Draw a dpdk-migrate --timeline file (CSV or JSON Lines).

    devtools/plot-timeline.py FILE [-o run.png] [--title TEXT]

Left, over time: bytes moved per device (solid) with what is left of its
stop-copy estimate (dashed), and the rate per device (from the bytes of
samples at least 250 ms apart); the phases shaded (setup, pre-copy,
downtime from the devices' stop to the destination's devices running),
later pre-copy rounds (dotted) and the switchover decision (dashed)
marked. Right: the run in a few lines, and a close-up of the switchover
in ms. Needs Debian's python3-matplotlib (devtools/setup.sh installs it).
"""
import argparse
import csv
import json
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("plot-timeline: python3-matplotlib is missing "
             "(apt-get install python3-matplotlib, or devtools/setup.sh)")

MIB = 1 << 20


def load_jsonl(f):
    role, samples, marks = "", [], []
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        r = json.loads(line)
        kind = r.get("type")
        if kind == "header":
            role = r.get("role", "")
        elif kind == "sample":
            samples.append((r["t_ms"], r["step"],
                            {d["name"]: d for d in r["devices"]}))
        elif kind == "mark":
            marks.append(r)
    return role, samples, marks


def load_csv(f):
    role, samples, marks = "", [], []
    rows = []
    for line in f:
        if line.startswith("#"):
            if "role" in line:
                role = line.rsplit("role", 1)[1].strip()
            continue
        rows.append(line)
    cur = None
    for r in csv.DictReader(rows):
        t = float(r["t_ms"])
        if r["type"] == "mark":
            marks.append({"t_ms": t, "mark": r["mark"],
                          "round": int(r["round"]),
                          "ok": r["state"] == "ok"})
            continue
        if cur is None or cur[0] != t:
            cur = (t, r["step"], {})
            samples.append(cur)
        cur[2][r["device"]] = {k: int(r[k]) for k in
                               ("bytes", "pending", "dirty")}
        cur[2][r["device"]]["rate_bps"] = float(r["rate_bps"])
    return role, samples, marks


def load(path):
    with open(path) as f:
        first = f.readline()
        f.seek(0)
        if first.lstrip().startswith("{"):
            return load_jsonl(f)
        return load_csv(f)


def mark_time(marks, name):
    for m in marks:
        if m["mark"] == name:
            return m["t_ms"] / 1e3
    return None


def human(b):
    return "%.2f GiB" % (b / (1 << 30)) if b >= 1 << 30 else \
        "%.1f MiB" % (b / MIB)


def spans_of(marks, end):
    """Shaded phases: (from s, to s, colour, label)."""
    pre = mark_time(marks, "pre-copy")
    stop = mark_time(marks, "stop-copy")
    setup = mark_time(marks, "setup") or 0
    spans = [(0, setup, "#dddddd", "handshake"),
             (setup, pre or stop or end, "#eeeeee", "setup")]
    if pre is not None:
        spans.append((pre, mark_time(marks, "switchover") or stop or end,
                      "#dbe9f6", "pre-copy"))
    if stop is not None:
        run = mark_time(marks, "running") or end
        spans.append((stop, run, "#f08080",
                      "downtime %.1f ms" % ((run - stop) * 1e3)))
    return spans


def shade(ax, spans, marks, scale=1.0, labels=False):
    for a, b, col, lab in spans:
        if b is not None and b > a:
            ax.axvspan(a * scale, b * scale, color=col, alpha=0.6, lw=0,
                       label=lab if labels else None)
    for m in marks:
        x = m["t_ms"] / 1e3 * scale
        if m["mark"] == "round" and m["round"] > 1:
            ax.axvline(x, color="#4a6fa5", ls=":", lw=1)
        elif m["mark"] == "decision":
            ax.axvline(x, color="#b03030", ls="--", lw=1.2)
    ax.grid(alpha=0.3)


PHASE_NAMES = {
    "round": "pre-copy round %d",
    "decision": "decision -> quiesce",
    "switchover": "quiesce, P2P",
    "stop-copy": "stop-copy data",
    "commit": "commit until running",
}


def closeup(ax, marks):
    """The end of the run as bars in ms from the switchover decision: the
    decision, quiesce, stop-copy, commit, and the pre-copy rounds that
    ended shortly before (clipped, their length in the label); the
    downtime shaded."""
    keys = [m for m in marks if m["mark"] in PHASE_NAMES or
            m["mark"] == "running"]
    t_run = mark_time(marks, "running")
    t_dec = mark_time(marks, "decision") or mark_time(marks, "switchover")
    if len(keys) < 2 or t_run is None or t_dec is None:
        ax.set_visible(False)
        return
    t0 = t_dec * 1e3
    span = max(t_run * 1e3 - t0, 0.01)
    lo = -span * 1.5
    bars = []
    for m, nxt in zip(keys, keys[1:]):
        name = PHASE_NAMES.get(m["mark"])
        a, b = m["t_ms"] - t0, nxt["t_ms"] - t0
        if name is None or b <= lo:
            continue
        if "%d" in name:
            name = name % m["round"]
        bars.append((name, max(a, lo), b, b - a, m["mark"]))
    stop = mark_time(marks, "stop-copy")
    if stop is not None:
        ax.axvspan(stop * 1e3 - t0, t_run * 1e3 - t0, color="#f08080",
                   alpha=0.35, lw=0)
    for y, (name, a, b, length, kind) in enumerate(reversed(bars)):
        col = {"round": "#7fa7d9", "decision": "#d98c8c"}.get(kind,
                                                              "#d9534f")
        ax.barh(y, max(b - a, span * 0.004), left=a, color=col, height=0.6)
        ax.text(max(b, 0) + span * 0.03, y, "%s  %.2f ms" % (name, length),
                va="center", fontsize=9)
    ax.set_yticks([])
    ax.set_xlim(lo, span * 2.2)
    ax.set_ylim(-0.8, len(bars) - 0.2)
    ax.axvline(0, color="#b03030", ls="--", lw=1)
    ax.set_xlabel("ms from the switchover decision")
    if stop is not None:
        ax.set_title("switchover close-up: downtime %.2f ms (shaded)"
                     % (t_run * 1e3 - stop * 1e3), fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def summary(ax, role, samples, marks, end):
    """The run in a few lines of text."""
    last = samples[-1][2]
    dec = [m for m in marks if m["mark"] == "decision"]
    fin = [m for m in marks if m["mark"] == "end"]
    lines = ["role: %s" % (role or "?"),
             "result: %s" % ("ok" if not fin or fin[0].get("ok", True)
                             else "FAILED"),
             "time: %.3f s" % end,
             "pre-copy rounds: %d" % max([m["round"] for m in marks] + [0])]
    if dec and "estimate_ms" in dec[0]:
        lines.append("decision's downtime estimate: %.2f ms"
                     % dec[0]["estimate_ms"])
    stop, run = mark_time(marks, "stop-copy"), mark_time(marks, "running")
    if stop is not None and run is not None:
        lines.append("downtime: %.2f ms" % ((run - stop) * 1e3))
    lines.append("")
    for n, d in last.items():
        lines.append("%s: %s, avg %.0f MB/s" %
                     (n, human(d["bytes"]), d["bytes"] / end / 1e6
                      if end > 0 else 0))
    ax.axis("off")
    ax.text(0.02, 0.98, "\n".join(lines), va="top", ha="left",
            fontsize=10, family="monospace", transform=ax.transAxes)


def rates(samples, name, window_ms=250):
    """MB/s of device @name at each sample, over at least @window_ms
    back (samples of a loop sharing its CPU come in bursts)."""
    out = [0.0]
    j = 0
    for i in range(1, len(samples)):
        while j + 1 < i and samples[i][0] - samples[j + 1][0] >= window_ms:
            j += 1
        a, b = samples[j], samples[i]
        dt = (b[0] - a[0]) / 1e3
        db = b[2].get(name, {}).get("bytes", 0) - \
            a[2].get(name, {}).get("bytes", 0)
        out.append(db / dt / 1e6 if dt > 0 else 0.0)
    return out


def plot(path, out, title):
    role, samples, marks = load(path)
    if not samples:
        sys.exit("plot-timeline: %s: no samples" % path)
    names = list(samples[0][2].keys())
    t = [s[0] / 1e3 for s in samples]
    end = mark_time(marks, "end") or t[-1]
    fig = plt.figure(figsize=(14, 7.5))
    gs = fig.add_gridspec(2, 2, width_ratios=[3, 1.3],
                          height_ratios=[3, 2])
    ax_b = fig.add_subplot(gs[0, 0])
    ax_r = fig.add_subplot(gs[1, 0], sharex=ax_b)
    ax_z = fig.add_subplot(gs[1, 1])
    ax_t = fig.add_subplot(gs[0, 1])
    summary(ax_t, role, samples, marks, end)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    total = 0
    for i, n in enumerate(names):
        c = colors[i % len(colors)]
        b = [s[2][n]["bytes"] / MIB if n in s[2] else None for s in samples]
        p = [s[2][n]["pending"] / MIB if n in s[2] else None
             for s in samples]
        r = rates(samples, n)
        total += samples[-1][2][n]["bytes"]
        ax_b.plot(t, b, color=c, lw=2, label="%s moved" % n)
        if any(p):
            ax_b.plot(t, p, color=c, lw=1.2, ls="--",
                      label="%s pending (stop-copy estimate)" % n)
        ax_r.plot(t, r, color=c, lw=1.6, label=n)
    spans = spans_of(marks, end)
    shade(ax_b, spans, marks)
    shade(ax_r, spans, marks, labels=True)
    stop = mark_time(marks, "stop-copy")
    run = mark_time(marks, "running") or end
    down = (run - stop) * 1e3 if stop is not None else None
    rounds = max([m["round"] for m in marks] + [0])
    ax_b.set_ylabel("MiB")
    ax_b.set_title(title or
                   "dpdk-migrate %s: %d device(s), %s in %.2f s, "
                   "%d pre-copy round(s)%s"
                   % (role or "run", len(names), human(total), end, rounds,
                      ", downtime %.1f ms" % down if down is not None
                      else ""))
    ax_b.legend(loc="upper left", fontsize=8, ncol=2)
    ax_r.set_ylabel("MB/s")
    ax_r.set_xlabel("seconds since the session started")
    ax_r.legend(loc="upper left", fontsize=8, ncol=3)
    ax_r.set_xlim(0, end * 1.01)
    ax_b.set_ylim(bottom=0)
    ax_r.set_ylim(bottom=0)
    closeup(ax_z, marks)
    fig.tight_layout()
    fig.savefig(out, dpi=100)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", help="a dpdk-migrate --timeline file")
    ap.add_argument("-o", "--output", default="timeline.png",
                    help="picture to write (PNG; timeline.png)")
    ap.add_argument("--title", help="title instead of the run's summary")
    a = ap.parse_args()
    plot(a.file, a.output, a.title)
    print("plot-timeline: wrote %s" % a.output)


if __name__ == "__main__":
    main()
