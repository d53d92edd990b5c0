#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# The cost of watching a migration: RUNS rounds of three migrations of
# one STOP_COPY sim device (unlimited bandwidth: the engine's fastest
# path, where a fixed cost weighs most) on loopback, in turn: plain;
# observed (--telemetry and --timeline on both sides: 50 ms samples);
# observed and queried (the same, plus a Python client asking the
# source's socket for /mig/session, /mig/dev,a and /mig/xport every
# 50 ms, on the same CPUs). Prints each round and one ROW with the median
# throughputs of plain and observed runs and their ratio
# (doc/PERFORMANCE.md, "The cost of watching").
#
#   bench/observe.sh [build dir]
#   BENCH_SIZE (2G), BENCH_RUNS (5), BENCH_ONE_LCORE (1), BENCH_NO_HUGE (0)
set -u
BUILD=${1:-build}
BENCH_ONE_LCORE=${BENCH_ONE_LCORE:-1}
. "$(dirname "$0")/lib.sh"
size=${BENCH_SIZE:-2G}
runs=${BENCH_RUNS:-5}
mem=$BMEM
# -v on every run (plain too, to compare like with like): the source logs
# the time its observers took ("observers: N calls, X ms in all")
dev="-v --dev sim,id=a,size=$size,page=1M,caps=stop_copy,seed=7"
bench_note
echo "# $size, STOP_COPY sim device, $(bench_layout), plain, observed, observed and queried in turn"

# query <socket>: /mig/* every 50 ms until the socket goes away; prints
# the number of answered rounds
QUERY='import json, os, socket, sys, time
path, n = sys.argv[1], 0
for _ in range(600):
    if os.path.exists(path):
        break
    time.sleep(0.01)
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    m = json.loads(s.recv(1024))["max_output_len"]
    while True:
        for c in ("/mig/session", "/mig/dev,a", "/mig/xport"):
            s.send(c.encode())
            if not s.recv(m):
                raise OSError
        n += 1
        time.sleep(0.05)
except OSError:
    pass
print(n)'

plain=""
share=""
obs=""
qry=""
r=1
while [ "$r" -le "$runs" ]; do
	BMEM=$mem
	mig_pair "p$r" "$dev" "$dev" || exit 1
	p=$(jget "$BTMP/p$r.s.json" throughput_mbps)
	BMEM="$mem --telemetry"
	mig_pair "o$r" "$dev --timeline $BTMP/o$r.s.jsonl" \
		"$dev --timeline $BTMP/o$r.d.csv" || exit 1
	o=$(jget "$BTMP/o$r.s.json" throughput_mbps)
	python3 -c "$QUERY" \
		"/var/run/dpdk/$BPREFIX-q$r-s/dpdk_telemetry.v2" >"$BTMP/q$r" &
	qpid=$!
	mig_pair "q$r" "$dev --timeline $BTMP/q$r.s.jsonl" \
		"$dev --timeline $BTMP/q$r.d.csv" || exit 1
	wait "$qpid"
	q=$(jget "$BTMP/q$r.s.json" throughput_mbps)
	echo "run $r: plain $p MB/s, observed $o MB/s ($(grep -c sample "$BTMP/o$r.s.jsonl") samples), observed and queried $q MB/s ($(cat "$BTMP/q$r") query rounds); source CPU s (user system) $(cat "$BTMP/p$r.s.cpu") / $(cat "$BTMP/o$r.s.cpu") / $(cat "$BTMP/q$r.s.cpu")"
	t=$(jget "$BTMP/o$r.s.json" total_ms)
	ob=$(sed -n 's/.*source: observers: .*, \([0-9.]*\) ms in all.*/\1/p' "$BTMP/o$r.s.out")
	echo "#   observed run: the source's observers took ${ob:-?} ms of its $t ms ($(calc "'%.3f' % (100 * ${ob:-0} / $t)") %)"
	share="$share $(calc "100 * ${ob:-0} / $t")"
	plain="$plain $p"
	obs="$obs $o"
	qry="$qry $q"
	r=$((r + 1))
done
# shellcheck disable=SC2086 # lists of numbers
mp=$(bench_median $plain)
# shellcheck disable=SC2086
mo=$(bench_median $obs)
# shellcheck disable=SC2086
mq=$(bench_median $qry)
ratio=$(calc "'%.3f' % ($mo / $mp)")
# shellcheck disable=SC2086
echo "# the source's observers: median $(bench_median $share) % of the session's time"
echo "# observed and queried: median $mq MB/s, ratio $(calc "'%.3f' % ($mq / $mp)") (the client's CPU included)"
row observe "$mp" "$mo" "$ratio" ">=0.97" \
	"$(calc "'yes' if $ratio >= 0.97 else 'no'")"
