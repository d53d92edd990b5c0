#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Telemetry endpoints during a migration (TAP).

    telemetry.py <path to dpdk-migrate>

A source and a destination run with the EAL's --telemetry and no
--file-prefix: each must get a socket of its own (dpdk-migrate-<pid>).
While a sim device (pre-copy, dirtying, limited bandwidth) migrates, the
source is queried with DPDK's dpdk-telemetry.py and the destination
through its raw unix socket, twice each: the values must be those of the
running session and must move. Afterwards both sockets and runtime
directories are gone.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time

from apprun import Run, Tap

APP = sys.argv[1] if len(sys.argv) > 1 else "build/apps/dpdk-migrate/dpdk-migrate"
DEV = ["--dev", "sim,id=nic0,size=400M,page=1M,caps=pre_copy+p2p,"
       "dirty_rate=16M,bandwidth=100M"]
SOCK_RE = r"telemetry on (\S+/dpdk_telemetry\.v2)"


def tool_query(prefix, cmds):
    """Replies of dpdk-telemetry.py -f @prefix to @cmds, as dicts."""
    p = subprocess.run(["dpdk-telemetry.py", "-f", prefix],
                       input="\n".join(cmds) + "\n", capture_output=True,
                       text=True, timeout=30)
    replies = {}
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            replies.update(json.loads(line))
    return replies


def sock_query(path, cmds):
    """Replies of the socket at @path to @cmds (SOCK_SEQPACKET, one
    message per command after the server's greeting), by command."""
    replies = {}
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(10)
        s.connect(path)
        hello = json.loads(s.recv(16384).decode())
        maxlen = hello["max_output_len"]
        for c in cmds:
            s.send(c.encode())
            reply = json.loads(s.recv(maxlen).decode())
            replies[c] = reply.get(c.split(",")[0], "missing")
    return replies


def moved(a, b, key):
    return a is not None and b is not None and b.get(key, 0) > a.get(key, 0)


def main():
    tap = Tap(9)
    run = Run(APP, "mig-tel")
    have_tool = shutil.which("dpdk-telemetry.py") is not None
    src, dst = run.pair(DEV, src_args=["-v"], src_eal=["--telemetry"],
                        dst_eal=["--telemetry"])
    logs = [run.path(f) for f in ("s.out", "s.err", "d.out", "d.err")]
    dsock = run.wait_for("d", SOCK_RE)
    ssock = run.wait_for("s", SOCK_RE) if src else None
    paths = [m.group(1) if m else "" for m in (ssock, dsock)]
    tap.ok(all(paths) and paths[0] != paths[1] and
           all("/dpdk-migrate-" in p for p in paths),
           "each process has its own telemetry socket (dpdk-migrate-<pid>)",
           "sockets: %s" % paths, *logs)
    sprefix = os.path.basename(os.path.dirname(paths[0])) if paths[0] else ""
    # mid-run: the source has moved bytes and is in pre-copy
    if src:
        run.wait_for("s", r"step pre-copy", 30, ".err")
    time.sleep(0.6)
    cmds = ["/mig/session", "/mig/devs", "/mig/dev,nic0", "/mig/xport"]
    s1 = s2 = d1 = d2 = None
    if have_tool and sprefix:
        s1 = tool_query(sprefix, cmds)
    if paths[1]:
        d1 = sock_query(paths[1], cmds + ["/mig/dev,nosuch"])
    time.sleep(0.5)
    if have_tool and sprefix:
        s2 = tool_query(sprefix, cmds)
    if paths[1]:
        d2 = sock_query(paths[1], cmds)
    g = lambda r, k: (r or {}).get(k) or {}
    ss1, ss2 = g(s1, "/mig/session"), g(s2, "/mig/session")
    tap.ok(have_tool, "dpdk-telemetry.py is installed (Debian's dpdk-dev)")
    tap.ok(ss1.get("role") == "source" and ss1.get("phase") == "pre-copy" and
           ss1.get("bytes", 0) > 0 and ss1.get("rate_bps", 0) > 0 and
           ss1.get("pending_bytes", 0) > 0 and
           "estimated_downtime_us" in ss1 and ss1.get("devices") == 1,
           "dpdk-telemetry.py: /mig/session of the source mid-run",
           "reply: %s" % s1, *logs)
    tap.ok(moved(ss1, ss2, "bytes") and moved(ss1, ss2, "elapsed_ms") and
           moved(ss1, ss2, "samples"),
           "dpdk-telemetry.py: the source's bytes, elapsed and samples move",
           "first: %s\nsecond: %s" % (ss1, ss2), *logs)
    dv1, dv2 = g(s1, "/mig/dev"), g(s2, "/mig/dev")
    tap.ok((s1 or {}).get("/mig/devs") == ["nic0"] and
           dv1.get("name") == "nic0" and dv1.get("state") == "pre_copy" and
           dv1.get("size") == 400 << 20 and "lcore" in dv1 and
           "dirty_bytes" in dv1 and moved(dv1, dv2, "bytes") and
           moved(dv1, dv2, "chunks"),
           "dpdk-telemetry.py: /mig/devs and /mig/dev,nic0 (state, size; "
           "bytes and chunks move)", "first: %s\nsecond: %s" % (s1, s2),
           *logs)
    x1, x2 = g(s1, "/mig/xport"), g(s2, "/mig/xport")
    tap.ok(x1.get("streams", 0) >= 1 and x1.get("errors") == 0 and
           x1.get("credits", 0) + x1.get("inflight", 0) <=
           x1.get("window", 0) and moved(x1, x2, "tx_chunks"),
           "dpdk-telemetry.py: /mig/xport (streams, credits + in flight "
           "within the window, no error; tx_chunks moves)",
           "first: %s\nsecond: %s" % (x1, x2), *logs)
    ds1, ds2 = g(d1, "/mig/session"), g(d2, "/mig/session")
    dx1, dx2 = g(d1, "/mig/xport"), g(d2, "/mig/xport")
    tap.ok(ds1.get("role") == "destination" and moved(ds1, ds2, "bytes") and
           moved(dx1, dx2, "rx_chunks") and
           g(d1, "/mig/dev,nic0").get("state") == "resuming" and
           (d1 or {}).get("/mig/dev,nosuch", 0) is None,
           "raw socket: the destination's session, device and transport "
           "move; an unknown device gets null",
           "first: %s\nsecond: %s" % (d1, d2), *logs)
    rc = run.finish([p for p in (src, dst) if p])
    tap.ok(rc == [0, 0], "the migration completes (exit %s)" % rc, "", *logs)
    tap.ok(all(p and not os.path.exists(os.path.dirname(p)) for p in paths),
           "the sockets and their runtime directories are gone at exit",
           "left: %s" % [p for p in paths if p and
                         os.path.exists(os.path.dirname(p))], *logs)
    return tap.status()


if __name__ == "__main__":
    sys.exit(main())
